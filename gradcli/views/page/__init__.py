"""`trace --html FILE`: one self-contained page that steps through the passes.

The picture is svg.draw()'s (the same layout as --svg), drawn with every
label and each label tagged; the steps are walkthrough()'s, with and without
the constants' gradients; the data is trace --json's object. All three go
into the page as JSON, with page.js and page.css inlined: no network, it
opens from disk. The JavaScript only shows and hides what Python wrote.
"""

from __future__ import annotations

import html
import json
import re
from contextlib import contextmanager
from importlib.resources import files

from gradcli.errors import GradUsageError
from gradcli.program.trace import show
from gradcli.views.picture import title
from gradcli.views.svg import draw, render
from gradcli.views.trace_table import rows
from gradcli.views.walkthrough import NARRATION_DIGITS, array_rows, walkthrough

# Past this many nodes the page is too dense to read and slow to step (the layout, the
# table and a label update per step all grow with it); --svg and --json take up to 1500.
PAGE_MAX_NODES = 500
# The page embeds every element of every node's value and gradient (in its data, its table
# and its hover texts: about 25 bytes each), so the node count alone let a 3-node program on
# a 1000 × 1000 matrix write 100 MB. 100,000 elements make a page of about 2.5 MB.
PAGE_MAX_ELEMENTS = 100_000


def embedded_elements(trace) -> int:
    """The numbers the page would embed: every node's value and gradient, element by element."""
    def size(v) -> int:   # an array's .size; a number is one; a constant's missing gradient none
        return 0 if v is None else int(getattr(v, "size", 1))

    return sum(size(n.value) + size(n.grad) for n in trace.nodes)


def _asset(name: str) -> str:
    return files("gradcli.views.page").joinpath(name).read_text(encoding="utf-8")


def script_json(obj) -> str:
    """JSON safe inside <script>: no '</script>', no '<!--', whatever the program says."""
    text = json.dumps(obj, allow_nan=False, separators=(",", ":"), ensure_ascii=False)
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


@contextmanager
def _constants(trace, shown: bool):
    before = trace.show_constants
    trace.show_constants = shown
    try:
        yield trace
    finally:
        trace.show_constants = before


def _table(trace, data: dict, digits: int) -> str:
    """The node table: every cell's final text, the revealed ones tagged (the page hides
    a cell until its step)."""
    forward = trace.mode == "forward"
    names = trace.result.wrt if forward else []
    shapes = all("shape" in n for n in data["nodes"]) and data["nodes"]
    head = ["#", "node", "op", "inputs"] + (["shape"] if shapes else []) + ["value"]
    head += [f"d·/d{name}" for name in names] if forward else [f"∂{trace.output_handle}/∂node"]
    head += ["∂node/∂input", "notes"]
    out = ['<table id="nodes" class="arrays"><thead><tr>' if shapes else '<table id="nodes"><thead><tr>']
    numbers = range(head.index("value"), len(head) - 2)   # right-aligned, as their cells
    out += [f'<th class="number">{html.escape(h)}</th>' if k in numbers
            else f"<th>{html.escape(h)}</th>" for k, h in enumerate(head)]
    out.append("</tr></thead><tbody>")
    esc = html.escape

    def cell(tag: str, text: str) -> str:
        # An array's block scrolls sideways inside its own box (page.css), so that a wide
        # value never pushes the gradient column out of the table's view; the tag goes on
        # the box, whose text the page swaps.
        if shapes:
            return f'<td class="block"><div class="cell" data-tag="{esc(tag)}">{esc(text)}</div></td>'
        return f'<td data-tag="{esc(tag)}">{esc(text)}</td>'

    for n, cells in zip(trace.nodes, array_rows(trace, digits) if shapes else rows(trace, digits)):
        i = n.id
        tds = [f"<td>{esc(c)}</td>" for c in cells[:4]]
        if shapes:
            tds.append(f"<td>{esc(str(tuple(data['nodes'][i]['shape'])))}</td>")
        tds.append(cell(f"row-value:{i}", cells[4]))
        if forward:
            tds += [cell(f"row-tangent:{name}:{i}", show(n.tangent[name], digits)) for name in names]
        else:
            tds.append(cell(f"row-grad:{i}", cells[5]))
        tds.append(f'<td data-tag="row-local:{i}">{esc(cells[6])}</td>')
        tds.append(f"<td>{esc(cells[7])}</td>")
        out.append(f'<tr data-node="{i}">{"".join(tds)}</tr>')
    out.append("</tbody></table>")
    return "".join(out)


def page(trace, digits: int | None = None) -> str:
    """The whole HTML page, as text."""
    if len(trace.nodes) > PAGE_MAX_NODES:
        raise GradUsageError(
            f"the graph has {len(trace.nodes)} nodes: too many for the step-through page "
            f"(at most {PAGE_MAX_NODES})",
            hint="--svg FILE draws up to 1500 nodes; --steps and --json have every node")
    elements = embedded_elements(trace)
    if elements > PAGE_MAX_ELEMENTS:
        raise GradUsageError(
            f"the trace has {elements:,} array elements (values and gradients): too many for the "
            f"step-through page (at most {PAGE_MAX_ELEMENTS:,})",
            hint="--svg FILE draws the graph with the shapes, --steps narrates it, --json has "
                 "every number")
    data = trace.to_json()
    say = digits or NARRATION_DIGITS
    with _constants(trace, True):
        picture = render(draw(trace, digits), tagged=True)
        table = _table(trace, data, say)
        with_constants = walkthrough(trace, digits)
    with _constants(trace, False):
        without = walkthrough(trace, digits)
    walk = {
        "mode": trace.mode,
        "output": trace.output,
        "show_constants": trace.show_constants,
        "steps": {"with": [s.to_json() for s in with_constants],
                  "without": [s.to_json() for s in without]},
    }
    heading = title(trace)
    parts = {
        "TITLE": html.escape(heading),
        "MODE": "forward mode: values, then tangents" if trace.mode == "forward"
                else "reverse mode: values, then gradients",
        "CSS": _asset("page.css"),
        "SVG": picture,
        "TABLE": table,
        "TRACE_JSON": script_json(data),
        "WALK_JSON": script_json(walk),
        "JS": _asset("page.js"),
        "CHECKED": " checked" if trace.show_constants else "",
    }
    # one pass over the template: text put into a slot is never searched for slots again
    return re.sub(r"\{\{([A-Z_]+)\}\}", lambda m: parts[m.group(1)], _asset("page.html"))


def write_page(trace, path: str, digits: int | None = None) -> None:
    text = page(trace, digits)
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as exc:
        raise GradUsageError(f"cannot write the page to '{path}': {exc.strerror or exc}") from None

