"""Array binding values (README "Binding arrays"): literals, files and random draws.

    -W "[[1, 2], [3, 4]]"      a literal; elements may be constant expressions ("[pi/4, 2^0.5]")
    -X @X.npy  @X.csv  @X.json  @H.npz
    -W "0.1*randn(2, 16)"      zeros(…), ones(…), randn(…), rand(…), in binding values only

Random draws come from one numpy.random.default_rng(seed) per command (--seed,
default 0), taken in the order the values are written on the command line, so a
run is reproducible. Everything wrong with a value is a value error (README "Binding values");
only a file that cannot be read at all is a usage error.
"""

from __future__ import annotations

import json
import re

from gradcli.data.array_files import (
    MAX_AXES,
    finish_array,
    nested_array,
    read_array,
)
from gradcli.errors import GradcliError, GradValueError, shorten
from gradcli.numbers import ragged_text, shape_text

CONSTRUCTORS = ("zeros", "ones", "randn", "rand")
_CONSTRUCTOR = re.compile(r"(?<![\w.])(zeros|ones|randn|rand)\s*\(")
# A literal of plain numbers only is read by json.loads, fast; anything else by the scanner.
_JSONISH = re.compile(r"[\s\d\[\],.eE+-]*\Z")
# The most elements one random or constant array may have (8 bytes each: 1 GiB).
MAX_ELEMENTS = 2 ** 27


class Draws:
    """The random generator of one command, made on first use: numpy.random.default_rng(seed)."""

    def __init__(self, seed: int | None = 0):
        self.seed = 0 if seed is None else seed
        self._rng = None

    @property
    def rng(self):
        if self._rng is None:
            import numpy as np

            self._rng = np.random.default_rng(self.seed)
        return self._rng


def is_array_text(text: str) -> bool:
    """True for a binding value that names a file, is a literal or calls zeros/ones/randn/rand."""
    s = text.lstrip()
    return s.startswith(("[", "@")) or _CONSTRUCTOR.search(text) is not None


def array_value(text: str, name: str, draws: Draws | None = None):
    """The value of an array binding text: a float64 array (a float where it has shape ())."""
    draws = draws or Draws()
    s = text.strip()
    if s.startswith("@"):
        path = s[1:]
        if not path:
            raise GradValueError(f"the value of '{shorten(name)}', '@', needs a file name, as in @{name}.npy")
        return read_array(path, name)
    what = f"the value of '{shorten(name)}', '{shorten(text)}',"
    if s.startswith("["):
        return _literal(s, what, draws)
    return _expression(s, what, draws)


def _where(what: str) -> str:
    """"the value of 'W'" from "the value of 'W', '[1, 2',": the start of every message."""
    return what[:what.index("', '") + 1] if "', '" in what else what.rstrip(",")


# -- literals ---------------------------------------------------------------------------------

def _literal(text: str, what: str, draws: Draws):
    if _JSONISH.match(text):
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError):
            obj = None  # .5, 1., +1, deep nesting: the scanner reads them
        if isinstance(obj, list):
            try:
                return nested_array(obj, _where(what))
            except GradValueError as exc:   # a literal: say so (README "Arrays: vectors and matrices": a ragged literal)
                raise GradValueError(exc.message.replace(" is ragged:", " is a ragged literal:", 1),
                                     hint=exc.hint) from None
    return _scan(text, what, draws)


def _scan(text: str, what: str, draws: Draws):
    """The literal's elements, stacked along new first axes, read without recursion."""
    stack: list[list] = []      # the elements of each open bracket so far
    leaf_start = None           # where the current element's text starts
    after_close = False         # a nested literal just closed: only ',' or ']' may follow
    parens = 0
    result = None
    for i, c in enumerate(text):
        if result is not None:
            if not c.isspace():
                raise GradValueError(f"{what} has text after its closing ']' (at column {i + 1})")
        elif parens:
            parens += (c == "(") - (c == ")")
        elif c in ",]":
            if not stack:
                raise GradValueError(f"{what} has a '{c}' outside the brackets (at column {i + 1})")
            piece = text[leaf_start:i].strip() if leaf_start is not None else ""
            leaf_start = None
            if piece:
                stack[-1].append(_element(piece, what, draws))
            elif not after_close and (c == "," or stack[-1]):
                raise GradValueError(f"{what} has an empty element (at column {i + 1})")
            after_close = False
            if c == "]":
                elements = stack.pop()
                # this list's index path: each open bracket's count of elements so far
                value = _stack(elements, what, tuple(len(s) for s in stack))
                if stack:
                    stack[-1].append(value)
                    after_close = True
                else:
                    result = value
        elif c.isspace():
            continue
        elif after_close:
            raise GradValueError(f"{what} is missing a ',' (at column {i + 1})")
        elif c == "[":
            if leaf_start is not None:
                raise GradValueError(f"{what} has a '[' inside an element (at column {i + 1})")
            if len(stack) >= MAX_AXES:
                raise GradValueError(f"{what} is nested too deeply (an array has at most {MAX_AXES} axes)")
            stack.append([])
        else:
            if c == "(":
                parens = 1
            if leaf_start is None:
                leaf_start = i
    if result is None:
        raise GradValueError(f"{what} is missing a closing ']'")
    return finish_array(result, _where(what))


def _element(piece: str, what: str, draws: Draws):
    from gradcli.program.bindings import parse_value

    if _CONSTRUCTOR.search(piece):
        return _expression(piece, what, draws)
    try:
        return parse_value(piece, "")
    except GradValueError as exc:
        message = exc.message
        if message.startswith("the value, '"):  # "the value, 'a', is not…" → "the element 'a' is not…"
            message = "the element " + message[len("the value, "):].replace("', ", "' ", 1)
        raise GradValueError(f"{what} has a bad element: {message}", hint=exc.hint) from None


def _stack(elements: list, what: str, at: tuple[int, ...] = ()):
    import numpy as np

    if not elements:
        raise GradValueError(f"{what} has an empty list '[]': an array needs at least one element")
    shapes = [np.shape(e) for e in elements]
    for k, shape in enumerate(shapes):
        if shape != shapes[0]:
            raise GradValueError(f"{what} is a ragged literal: "
                                 + ragged_text(at + (k,), shape, at + (0,), shapes[0]))
    return np.array(elements, dtype=np.float64) if not shapes[0] else np.stack(elements)


# -- zeros / ones / randn / rand inside a constant expression --------------------------------

def _expression(text: str, what: str, draws: Draws):
    """`0.1*randn(2, 16)`: each call is drawn, then the expression is computed elementwise."""
    pieces, arrays, calls, at = [], {}, {}, 0
    for m in _CONSTRUCTOR.finditer(text):
        if m.start() < at:
            continue  # inside an earlier call's arguments: refused there
        end = _closing(text, m.end(), what)
        key = f"_gcarg{len(arrays)}"
        arrays[key] = _construct(m.group(1), text[m.end():end], what, draws)
        calls[key] = text[m.start():end + 1]
        pieces.append(text[at:m.start()])
        pieces.append(key)
        at = end + 1
    pieces.append(text[at:])
    rewritten = "".join(pieces).strip()
    if rewritten in arrays:
        return arrays[rewritten]
    from gradcli.language.parse import parse

    try:
        g = parse(rewritten)
    except GradcliError as exc:
        raise GradValueError(f"{what} is not a constant expression", hint=exc.message) from None
    names = [n for n in g.inputs if n not in arrays]
    if g.assigned or not all(g.feeds_output()) or names:
        raise GradValueError(f"{what} is not one constant expression of numbers and "
                             "zeros/ones/randn/rand")
    return _compute(g, arrays, calls, what)


def _compute(g, arrays: dict, calls: dict, what: str):
    """The forward pass of the engine's arrays domain, on the drawn arrays.

    The arrays domain, not the rows one: a value is a whole array, so an element that
    overflows is named by its index. The message names each draw as it was written.
    """
    import numpy as np

    from gradcli.passes.array_domain import forward

    try:
        value = forward(g, {n: arrays[n] for n in g.inputs}, [])[g.output]
    except GradcliError as exc:
        message = exc.message
        for key in sorted(calls, key=len, reverse=True):   # _gcarg10 before _gcarg1
            message = message.replace(key, calls[key])
        raise GradValueError(f"{what} cannot be computed: {message}") from None
    except ValueError as exc:  # shapes NumPy cannot broadcast
        shapes = str(exc).rpartition("shapes ")[2].strip()
        raise GradValueError(f"{what} cannot be computed: its arrays' shapes {shorten(shapes)} "
                             "do not broadcast together") from None
    return finish_array(np.asarray(value, dtype=np.float64), _where(what))


def _closing(text: str, start: int, what: str) -> int:
    depth = 1
    for k in range(start, len(text)):
        depth += (text[k] == "(") - (text[k] == ")")
        if depth == 0:
            return k
    raise GradValueError(f"{what} is missing a ')'")


def _construct(kind: str, args: str, what: str, draws: Draws):
    import numpy as np

    from gradcli.program.bindings import parse_value

    shape = []
    typed = args.strip()
    if typed.startswith(("(", "[")):   # NumPy's np.zeros((2, 3))
        sizes = typed[1:-1].strip().rstrip(",") if typed.endswith((")", "]")) else "2, 3"
        raise GradValueError(f"{what} has a bad shape: {kind}(…) takes the sizes themselves, "
                             f"not a tuple or a list: {kind}({shorten(sizes)}), not "
                             f"{kind}({shorten(typed)})")
    parts = [] if not typed else typed.split(",")
    if len(parts) > 1 and not parts[-1].strip():  # ones(2,): Python allows the comma, so do we
        parts.pop()
    for arg in parts:
        if _CONSTRUCTOR.search(arg) or not arg.strip():
            raise GradValueError(f"{what} has a bad shape: {kind}(…) takes sizes, whole "
                                 f"numbers ≥ 1, as in {kind}(2, 3)")
        try:
            size = parse_value(arg, "")
        except GradcliError:   # a name, a bracket: the binding is named, not "the value, ' n'"
            raise GradValueError(f"{what} has a bad shape: its size '{shorten(arg.strip())}' is "
                                 "not a number or a constant expression",
                                 hint=f"{kind}(…) takes sizes, whole numbers ≥ 1, as in "
                                      f"{kind}(2, 3)") from None
        if size != int(size) or size < 1:
            raise GradValueError(f"{what} has a bad shape: {kind}(…) takes sizes, whole numbers "
                                 f"≥ 1, and '{shorten(arg.strip())}' is not one", hint=f"e.g. {kind}(2, 3)")
        shape.append(int(size))
    if len(shape) > MAX_AXES:
        raise GradValueError(f"{what} has too many sizes: an array has at most {MAX_AXES} axes")
    count = 1
    for size in shape:
        count *= size
    if count > MAX_ELEMENTS:
        raise GradValueError(f"{what} is too large: {kind}{shape_text(shape)} would have {count} elements; "
                             f"the limit is {MAX_ELEMENTS}")
    shape = tuple(shape)
    if kind == "zeros":
        return np.zeros(shape)
    if kind == "ones":
        return np.ones(shape)
    if kind == "randn":
        return draws.rng.standard_normal(shape)
    return draws.rng.random(shape)
