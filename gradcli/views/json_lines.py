"""JSON Lines out for `--batch`: the objects `json_view.dumps` would write, but fast.

Every result line of a batch has the same shape: fixed pieces of text (the
keys and the expression, encoded once with `json_view`'s settings) between
numbers. A number is written with `repr`, which is how `json.dumps` writes a
float (a batch only ever writes finite floats), and the lines are assembled by
one `str.join` over the interleaved pieces. A line comes out byte for byte as
`json_view.dumps(result.to_json())` of the one-point command would write it;
tests/test_batch.py holds it to that. (Writing floats is most of a batch's
time: `json.dumps` per line costs about twice as much.)
"""

from __future__ import annotations

import numpy as np

from gradcli.views.json_view import dumps


def _key(name: str) -> str:
    return dumps(name)[:-1]  # a JSON string


def result_pieces(expression: str, inputs: list[str], fixed: dict[str, float],
                  gradient: list[str] | None) -> list[str]:
    """The fixed text of one result line, around its varying numbers.

    The numbers that vary are, in order: the inputs not in `fixed` (those have
    one value for every point, written into the text), the value, then the
    gradient of each name in `gradient` (None: no gradient, as for eval).
    """
    pieces = [f'{{"expression":{_key(expression)},"inputs":{{']
    for k, name in enumerate(inputs):
        pieces[-1] += ("," if k else "") + _key(name) + ":"
        if name in fixed:   # a number, or an array shared by every point (README "Arrays: vectors and matrices")
            v = fixed[name]
            pieces[-1] += dumps(v)[:-1] if getattr(v, "ndim", 0) else repr(v)
        else:
            pieces.append("")
    pieces[-1] += '},"value":'
    pieces.append("")
    if gradient is not None:
        pieces[-1] += ',"gradient":{'
        for k, name in enumerate(gradient):
            pieces[-1] += ("," if k else "") + _key(name) + ":"
            pieces.append("")
        pieces[-1] += "}"
    pieces[-1] += "}\n"
    return pieces


def numbers(values: list[float]) -> list[str]:
    """Floats as JSON numbers (finite ones only)."""
    return list(map(float.__repr__, values))


def error_line(exc, line: int) -> str:
    """`{"error": {"kind", "message", "line"}}` for a point that failed."""
    obj = exc.to_json()
    obj["error"]["line"] = line
    return dumps(obj)


def write_lines(pieces: list[str], columns: list[list[str]], errors: dict[int, str], n: int) -> str:
    """n lines: pieces around the columns' numbers, or a whole line where given (by point:
    an error, or a point computed on its own)."""
    width = 2 * len(columns) + 1
    parts = [pieces[0]] * (n * width)  # row i is parts[i*width:(i+1)*width]
    for k, col in enumerate(columns):
        parts[2 * k + 1::width] = col
        parts[2 * k + 2::width] = [pieces[k + 1]] * n
    for i, text in errors.items():
        parts[i * width:(i + 1) * width] = [text] + [""] * (width - 1)
    return "".join(parts)


class BatchLines:
    """A batch's answers, chunk by chunk, as JSON Lines text (`--batch`'s output).

    The fixed text of a line is made once per set of inputs that have one value
    for the whole chunk (homework.batch.Batch gives the columns).
    """

    def __init__(self, batch):
        self.batch = batch
        self._templates: dict[tuple, list[str]] = {}

    def __call__(self, chunk, res) -> str:
        """The chunk's output: one JSON line per point, in order."""
        batch = self.batch
        whole = {i: error_line(exc, chunk.lines[i]) for i, exc in res.errors.items()}
        # A point computed on its own (an array point): its line is its result's own JSON,
        # as `grad --json` writes it there (README "Arrays in a batch").
        whole.update((i, dumps(r.to_json())) for i, r in res.points.items())
        if len(whole) == res.n:
            return "".join(whole[i] for i in range(res.n))
        fixed = {n: c for n, c in res.inputs.items() if not batch.is_column(n, c)}
        key = tuple(sorted((n, id(c) if isinstance(c, np.ndarray) else c) for n, c in fixed.items()))
        pieces = self._templates.get(key)
        if pieces is None:
            pieces = self._templates[key] = result_pieces(
                batch.program.text, batch.inputs, fixed, batch.wrt)
        arrays = [c for n, c in res.inputs.items() if n not in fixed]
        arrays += [res.value, *res.grads]
        columns: list[list[str]] = []
        for k, a in enumerate(arrays):
            columns.append(_reuse(a, arrays[:k], columns) or numbers(a.tolist()))
        return write_lines(pieces, columns, whole, res.n)


def _reuse(a: np.ndarray, before: list[np.ndarray], texts: list[list[str]]) -> list[str] | None:
    """a's numbers as text, from a column already written that (nearly) equals it.

    Writing numbers is most of a batch's time, and gradients often repeat a column:
    ∂((x+y)*z)/∂x is z, but for the rare -0.0 that became 0.0. Bits are compared,
    not values (-0.0 == 0.0, yet they are written differently).
    """
    bits = a.view(np.int64)
    for b, text in zip(before, texts):
        differ = np.flatnonzero(bits != b.view(np.int64))
        if len(differ) <= len(a) // 16:
            text = list(text)
            for i in differ.tolist():
                text[i] = float.__repr__(float(a[i]))
            return text
    return None
