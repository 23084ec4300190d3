"""How a result or a trace shows itself in Jupyter: the picture of the graph and a table.

    >>> import gradcli
    >>> r = gradcli.grad("(x+y)*z", x=1, y=3, z=-3)     # a cell ending in r shows both
    >>> r._repr_html_().startswith('<div class="gradcli"><svg')
    True

Jupyter calls _repr_html_ (and _repr_svg_) on the value of a cell; those methods,
in gradcli.program, look here up in NOTEBOOK, which this module fills in when the
public API loads. The picture is the `trace --svg` one (4 digits); the tables have
the text view's 12 digits and columns. A graph too big to draw gets the table alone.
A result's warnings (digits lost) follow the table, in the words `grad` prints on stderr.
"""

from __future__ import annotations

from html import escape

from gradcli.errors import GradcliError
from gradcli.program.program import NOTEBOOK, Result
from gradcli.program.trace import Trace
from gradcli.views.array_text import show   # a number, or an array with its shape

TABLE = "border-collapse:collapse;font-family:monospace;margin:6px 0"
CELL = "padding:2px 10px;border-bottom:1px solid #ddd;white-space:pre;text-align:"
VALUE, GRAD = "#2e7d32", "#c62828"     # as in the pictures: values green, gradients red
NOTE = "font-family:monospace;white-space:pre-wrap;color:#b45309;margin:4px 0"   # a warning


def trace_svg(t: Trace) -> str | None:
    from gradcli.views.svg import svg

    try:
        return svg(t)
    except GradcliError:   # too big to draw legibly: the table alone
        return None


def _table(headers: list[str], rows: list[list[str]], colours: dict[int, str],
           text: tuple[int, ...]) -> str:
    """An HTML table; the columns in `text` are aligned left, numbers right."""
    align = [CELL + ("left" if k in text else "right") for k in range(len(headers))]
    head = "".join(f'<th style="{a}">{escape(h)}</th>' for a, h in zip(align, headers))
    body = []
    for row in rows:
        tds = "".join(f'<td style="{align[k]}{";color:" + colours[k] if k in colours else ""}">'
                      f"{escape(v)}</td>" for k, v in enumerate(row))
        body.append(f"<tr>{tds}</tr>")
    return f'<table style="{TABLE}"><tr>{head}</tr>{"".join(body)}</table>'


def _warnings(result) -> str:
    """The result's warnings (digits lost, README "Choices where the contract is silent"), the text `grad` prints
    on stderr, as a note under the table: a 0 in a cell must not look trusted."""
    notes = getattr(result, "warnings", None) or ()
    return "".join(f'<p style="{NOTE}">warning: {escape(note, quote=False)}</p>' for note in notes)


def _page(picture: str | None, *parts: str) -> str:
    drawn = picture if picture is not None else "<p>(too big to draw: the table only)</p>"
    return f'<div class="gradcli">{drawn}{"".join(parts)}</div>'


def trace_html(t: Trace) -> str:
    from gradcli.views.trace_table import headers, rows

    table = [row[:7] for row in rows(t)]   # the text view's columns, without the notes
    return _page(trace_svg(t), _table(headers(t)[:7], table, {4: VALUE, 5: GRAD}, (1, 2, 3)),
                 _warnings(t.result))


def _trace_of(r: Result) -> Trace:
    from gradcli.program.trace import trace

    return trace(r.program, r.inputs, wrt=r.wrt)


def _has_gradients(r: Result) -> bool:
    return r.grads is not None or r.forward_grads is not None


def result_svg(r: Result) -> str | None:
    return trace_svg(_trace_of(r)) if _has_gradients(r) else None   # evaluate(): nothing to draw


def result_html(r: Result) -> str:
    value = (f'<p style="font-family:monospace;white-space:pre">value = '
             f'<span style="color:{VALUE}">{escape(show(r.value))}</span></p>')
    if not _has_gradients(r):
        return f'<div class="gradcli">{value}{_warnings(r)}</div>'
    t = _trace_of(r)
    rows = [[name, show(r.values[r.program.node_of(name)]), show(g)]
            for name, g in r.gradient.items()]
    table = _table(["variable", "value", f"∂{t.output_handle}/∂variable"], rows,
                   {1: VALUE, 2: GRAD}, (0,))
    return _page(trace_svg(t), value, table, _warnings(r))


NOTEBOOK.update(result_html=result_html, result_svg=result_svg,
                trace_html=trace_html, trace_svg=trace_svg)
