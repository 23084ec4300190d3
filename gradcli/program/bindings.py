"""Values for input variables: `-x 1`, `--x 1`, `--x=1`, `x=1` (README "Binding values").

A value is a number or any constant expression (`pi/4`, `2^0.5`, `-1e-3`);
anything that is not a finite number is a value error.
"""

from __future__ import annotations

import re

from gradcli.errors import GradNameError, GradUsageError, GradValueError, closest, listing, shorten
from gradcli.numbers import fmt

_NAME = re.compile(r"[^\W\d]\w*\Z")
_PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\Z")


def binding_words(args: list[str] | tuple[str, ...]):
    """(word, name, value text) for each binding; value is None where a `-NAME` ends the line."""
    i = 0
    while i < len(args):
        word = args[i]
        i += 1
        if word.startswith("-"):
            body = word.lstrip("-")
            if len(word) - len(body) > 2 or not body:
                raise GradUsageError(f"unexpected argument '{shorten(word)}'",
                                     hint="bind variables as -x 1, --x 1, --x=1 or x=1")
            if "=" in body:
                name, value = body.split("=", 1)
            elif i < len(args):
                name, value = body, args[i]
                i += 1
            else:
                name, value = body, None
        elif "=" in word:
            name, value = word.split("=", 1)
        else:
            raise GradUsageError(
                f"unexpected argument '{shorten(word)}'",
                hint="the expression comes first, then bindings such as -x 1, --x 1, --x=1 or x=1")
        yield word, name, value


def split_bindings(args: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Command-line words into {name: value text}, in the order given."""
    found: dict[str, str] = {}
    for word, name, value in binding_words(args):
        if value is None:
            word = shorten(word)
            raise GradUsageError(f"'{word}' needs a value, as in {word} 1",
                                 hint="-h after the expression is a variable; for help, put -h first or use --help"
                                 if word == "-h" else None)
        if not _NAME.match(name) and _NAME.match(name.strip()):
            name = name.strip()   # "x = 1", quoted as one word: spaces around the '='
        if not _NAME.match(name):
            raise GradUsageError(f"'{shorten(name)}' in '{shorten(word)}' is not a variable name")
        if name in found:
            raise GradUsageError(f"'{shorten(name)}' is given a value twice")
        found[name] = value
    return found


def binding_example(names, value: str = "1") -> str:
    """Command-line words that bind `names`: `-x 1` for one letter, `lr=1` otherwise.

    Every hint that shows how to give a value is built here. NAME=VALUE binds in every
    command, even where a long option of the same name would win (`--lr 1` sets
    train's learning rate, `--json 1` asks for JSON; README "Binding values").
    At most ten names are shown.

    >>> binding_example(["x", "lr", "json"])
    '-x 1 lr=1 json=1'
    >>> binding_example(["w"], "0.5")
    '-w 0.5'
    """
    return " ".join(f"-{n} {value}" if len(n) == 1 else f"{n}={value}" for n in list(names)[:10])


def parse_value(text: str, name: str = "") -> float:
    """A binding value: a plain number or a constant expression."""
    what = f"the value of '{shorten(name)}'" if name else "the value"
    quoted = shorten(text).replace("\r", "\\r").replace("\n", "\\n")  # a quoted CSV cell may hold one
    if _PLAIN_NUMBER.match(text.strip()):
        value = float(text)
        if value == 0 and re.search(r"[1-9]", re.split(r"[eE]", text)[0]):
            # 1e-400 rounds to 0 as a double: refused rather than silently taken as 0
            raise GradValueError(f"{what}, '{quoted}', is too small for a double: it would "
                                 "be taken as 0 (the smallest is about 4.9e-324)")
    else:
        from gradcli.errors import GradcliError
        from gradcli.passes.floats import forward
        from gradcli.language.parse import parse

        try:
            g = parse(text)
        except GradcliError as exc:
            comma = re.fullmatch(r"\s*[+-]?\d*,\d+\s*", text)   # 1,5: a decimal comma
            typed = text.strip()
            why = (f" (a decimal takes a '.': {shorten(typed.replace(',', '.'))}; an array is "
                   f"written [{shorten(typed.replace(',', ', '))}])") if comma else ""
            raise GradValueError(f"{what}, '{quoted}', is not a number or a constant "
                                 f"expression{why}", hint=exc.message + (f"\n{shorten(exc.hint, 200)}"
                                                           if exc.hint else "")) from None
        if g.assigned or not all(g.feeds_output()):
            raise GradValueError(f"{what}, '{quoted}', is not one constant expression")
        if g.inputs:
            raise GradValueError(
                f"{what}, '{quoted}', is not a number or a constant expression: "
                f"it names {listing([repr(shorten(n)) for n in g.inputs])}")
        try:
            if g.arrays:   # an array literal (README "Arrays: vectors and matrices"), or arithmetic on one
                from gradcli.passes import shapes
                from gradcli.passes import array_domain

                value = array_domain.forward(g, {}, shapes.infer(g, {}))[g.output]
                return array_value(value, name) if value.ndim else float(value)
            value = forward(g, {})[g.output]
        except GradcliError as exc:
            # When the failing node is the whole value, its name was just said: once is enough.
            why = exc.message.removeprefix(f"'{quoted}' cannot be computed: ")
            raise GradValueError(f"{what}, '{quoted}', cannot be computed: {why}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise GradValueError(f"{what}, '{quoted}', is not a finite number ({fmt(value)})")
    return value


def bind(inputs: list[str], assigned: list[str], given: dict[str, object],
         graph=None) -> dict[str, float]:
    """Check the given values against a program's inputs; return {input: value}.

    With the program's graph, a missing value's hint shows a value of a shape that fits."""
    from gradcli.ops import table as ops

    for name in given:
        if name in ops.CONSTANTS:
            raise GradNameError(f"'{name}' is a constant ({fmt(ops.CONSTANTS[name])}) and cannot be given a value")
        if name in assigned:
            raise GradNameError(f"'{shorten(name)}' is assigned by the program and cannot be given a value")
    unknown = [n for n in given if n not in inputs]
    if unknown:
        hints = []
        for n in unknown[:3]:
            close = closest(n, inputs)
            if close:
                hints.append(f"did you mean '{close}' for '{shorten(n)}'?")
        uses = listing([shorten(n) for n in inputs]) if inputs else "no variables"
        sources = sorted({given[n].source for n in unknown if isinstance(given[n], Sourced)})
        if sources:
            hints.append("every name in an --inputs file must be an input of the program")
        power = _superscript_hint(inputs)
        if power:
            hints = [power]
        raise GradNameError(
            f"the program does not use {_names(unknown)}"
            f"{' (given in ' + listing(sources) + ')' if sources else ''} (it uses {uses})",
            hint=" ".join(hints) or None)
    missing = [n for n in inputs if n not in given]
    if missing:
        raise GradNameError(f"no value for {_names(missing)}",
                            hint=_superscript_hint(missing) or _missing_hint(missing, given, graph))
    values = {}
    draws = None
    for name in inputs:
        v = given[name]
        if isinstance(v, Sourced):
            v = v.value
        if isinstance(v, str) and not _is_array_text(v):
            values[name] = parse_value(v, name)
        elif isinstance(v, str):
            from gradcli.program.array_bindings import Draws, array_value

            draws = draws or Draws()
            values[name] = array_value(v, name, draws)
        elif _is_array(v):
            values[name] = _array(v, name)
        else:
            values[name] = _number(v, name)
    return values


_SUPERSCRIPTS = str.maketrans("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079",
                              "0123456789")


def _superscript_hint(inputs: list[str]) -> str | None:
    """`x²` parses as one name (a superscript digit is a character of a name): a power was
    almost surely meant."""
    for name in inputs:
        stem = name.rstrip("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")
        if stem and stem != name:
            power = name[len(stem):].translate(_SUPERSCRIPTS)
            return (f"'{shorten(name)}' is one name (a superscript digit is part of a name): "
                    f"a power is written {shorten(stem)}^{power}")
    return None


def _missing_hint(missing: list[str], given: dict[str, object], graph) -> str:
    """`give one, e.g. -x 1`; or, where the given arrays fix the missing ones' shapes
    (shapes.fitting_shapes), a value of that shape: `-x "[0, 0]"`, `-W "zeros(2, 3)"`."""
    plain = f"give one, e.g. {binding_example(missing)}"
    if graph is None or not graph.arrays:
        return plain
    import numpy as np

    known = {}
    for name, v in given.items():
        v = v.value if isinstance(v, Sourced) else v
        if isinstance(v, str):
            if _is_array_text(v):
                return plain   # not read yet: its shape is not known here
            v = 0.0
        try:
            known[name] = tuple(np.shape(v))
        except ValueError:   # a ragged list: its own error comes later
            return plain
    from gradcli.passes.shapes import fitting_shapes

    fits = fitting_shapes(graph, known, missing)
    if fits is None or not any(fits.values()):
        return plain
    return "give one, e.g. " + " ".join(binding_example([n], _example(fits[n])) for n in fits)


def _example(shape) -> str:
    """A value of `shape` to type: 1 as for a number, "[0, 0]" for a short vector, else "zeros(…)"."""
    if not shape:
        return "1"
    if len(shape) == 1 and shape[0] <= 4:
        return '"[' + ", ".join(["0"] * shape[0]) + ']"'
    return f'"zeros({", ".join(map(str, shape))})"'


class Sourced:
    """A value that came from a file (--inputs): messages about its name say where from."""

    __slots__ = ("value", "source")

    def __init__(self, value, source: str):
        self.value, self.source = value, source


def resolve(given: dict[str, object], seed: int | None = None, draws=None) -> dict[str, object]:
    """The command line's array texts (literals, @FILE, randn(…)) turned into arrays now.

    One numpy.random.default_rng(seed) (--seed, default 0) serves every draw, in the
    order the values were given; scalar texts are left for `bind` exactly as before.
    """
    out = {}
    for name, v in given.items():
        text = v.value if isinstance(v, Sourced) else v
        if isinstance(text, str) and _is_array_text(text):
            from gradcli.program.array_bindings import Draws, array_value

            draws = draws or Draws(seed)
            value = array_value(text, name, draws)
            v = Sourced(value, v.source) if isinstance(v, Sourced) else value
        out[name] = v
    return out


def _is_array_text(text: str) -> bool:
    s = text.lstrip()
    if s[:1] in ("[", "@"):
        return True
    if "(" not in s:  # a plain number or constant: no array constructor (and no import)
        return False
    from gradcli.program.array_bindings import is_array_text

    return is_array_text(s)


def _is_array(v) -> bool:
    return isinstance(v, (list, tuple)) or type(v).__module__ == "numpy" and hasattr(v, "ndim")


def array_value(v, name: str):
    """An array given as such (NumPy, nested lists): finite numbers of one shape, float64."""
    return _array(v, name)


def _array(v, name: str):
    from gradcli.data.array_files import _numpy_array, nested_array

    where = f"the value of '{shorten(name)}'"
    if isinstance(v, (list, tuple)):
        return nested_array(_lists(v), where)
    return _numpy_array(v, where)


def _lists(v):
    """Tuples as lists (the API may be given either), without recursion."""
    if isinstance(v, tuple):
        v = list(v)
    if not isinstance(v, list):
        return v
    top = list(v)
    stack = [top]
    while stack:
        items = stack.pop()
        for k, x in enumerate(items):
            if isinstance(x, (list, tuple)):
                items[k] = list(x)
                stack.append(items[k])
    return top


def _number(v, name: str) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError, OverflowError):  # float(10**400) overflows
        raise GradValueError(f"the value of '{shorten(name)}' is not a number: {shorten(repr(v))}") from None
    if f != f or f in (float("inf"), float("-inf")):
        raise GradValueError(f"the value of '{shorten(name)}' is not a finite number ({f})")
    return f


def _names(names: list[str]) -> str:
    """"variable 'x'", "variables 'x' and 'y'": at most ten, then how many more."""
    quoted = [f"'{shorten(n)}'" for n in names]
    return ("variable " if len(quoted) == 1 else "variables ") + listing(quoted)
