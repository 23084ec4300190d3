"""The trace as a Mermaid flowchart, to paste into Markdown (GitHub draws it).

Each wire is labelled with the forward value over the gradient; Mermaid has no
per-word colours that survive GitHub's sanitiser, so the gradient line says
"∂" in words instead.
"""

from __future__ import annotations

from gradcli.views.picture import LEGEND_LOCAL, captions, legend_grad, title, wires

_ESCAPES = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "#": "#35;", "&": "#amp;"}


def _text(text: str) -> str:
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


def mermaid(trace, digits: int | None = None, edge_derivatives: bool = False) -> str:
    local = f", then local = {LEGEND_LOCAL}" if edge_derivatives else ""
    lines = [
        "flowchart LR",
        f"  %% gradcli trace: {' '.join(title(trace).split())}",
        f"  %% each wire: the value, then ∂ = {legend_grad(trace)}{local}",
    ]
    for i, c in enumerate(captions(trace, digits)):
        body = "<br/>".join(_text(part) for part in (c.title, c.name, c.total) if part)
        if c.kind == "op":
            lines.append(f'  n{i}(("{body}"))')
        else:
            lines.append(f'  n{i}["{body}"]:::{c.kind}')
    lines.append('  out((" "))')
    for w in wires(trace, digits, edge_derivatives):
        dst = "out" if w.dst < 0 else f"n{w.dst}"
        arrow = "-->" if w.live else "-.->"
        grad = f"<br/>∂ {_text(w.grad)}" if w.grad else ""   # none on a constant's wire
        grad += f"<br/>{_text(w.local)}" if w.local else ""
        lines.append(f'  n{w.src} {arrow}|"{_text(w.value)}{grad}"| {dst}')
    lines += ["  classDef input fill:#e3f2fd,stroke:#90a4ae",
              "  classDef const fill:#f5f5f5,stroke:#bdbdbd"]
    return "\n".join(lines) + "\n"
