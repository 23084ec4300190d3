"""The predicates of the operation table, and the one interpreter that reads them.

Some rows of `ops.py` hold conditions on an operation's inputs `a`, `b` and
its value `out`: where the derivative sits at a kink (relu at a = 0, max at
a = b), where a local derivative is 0 by PyTorch's convention (pow's
∂/∂exponent where a = 0 and b ≥ 0), which cause explains a value that is not
finite (a division where b = 0). They are written as data:

    ("b", "==", 0)                         one test: a name, a relation, a name or a number
    (("a", "==", 0), ("b", ">=", 0))       a conjunction: every test holds
    ()                                     the empty conjunction: always holds

and every consumer asks this module, in the kind of value it has:

- `holds` (`function` once compiled): floats, or exact Fractions (Python's
  comparisons are exact on them);
- `mask` (`array_function`): NumPy arrays, element by element (booleans);
- `verdict`: values that may be unknown while a formula or a plan is built
  (None): True, False, or MAYBE when it depends on the unknown ones;
- `words`: the condition as the formulas say it ("{a} = 0 and {b} ≥ 0").

>>> holds((("a", "==", 0), ("b", ">=", 0)), 0.0, 2.0)
True
>>> verdict(("b", "==", 0), None, 2) is False, verdict(("b", "==", 0), 2, None) is MAYBE
(True, True)
>>> words(("a", "==", "b"))
'{a} = {b}'
"""

from __future__ import annotations

import operator
from functools import lru_cache

NAMES = ("a", "b", "out")    # the slots of (a, b, out), as in the derivative rules
RELATIONS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
             ">": operator.gt, ">=": operator.ge}
_SAID = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}


class _Maybe:
    """A verdict that depends on values not known yet."""

    def __repr__(self) -> str:
        return "MAYBE"

    def __bool__(self):  # a caller must compare with `is`, never read it as a truth value
        raise TypeError("MAYBE is neither true nor false; compare the verdict with `is`")


MAYBE = _Maybe()


def parts(pred: tuple) -> tuple[tuple[str, str, object], ...]:
    """pred as a conjunction of (name, relation, name or number) tests, checked.

    A mistake in the table fails here, loudly (tests/test_predicates.py reads every row).
    """
    found = (pred,) if pred and isinstance(pred[0], str) else tuple(pred)
    for part in found:
        left, rel, right = part
        if left not in NAMES or rel not in RELATIONS or (isinstance(right, str) and right not in NAMES):
            raise ValueError(f"predicate {part!r} of the operation table: write (name, relation, "
                             f"name or number) with a name in {NAMES} and a relation in {list(RELATIONS)}")
    return found


@lru_cache(maxsize=None)
def tests(pred: tuple) -> tuple[tuple[int, object, int | None, object], ...]:
    """pred compiled once: (left slot, relation, right slot or None, right number) per test."""
    return tuple((NAMES.index(left), RELATIONS[rel], NAMES.index(right), None) if isinstance(right, str)
                 else (NAMES.index(left), RELATIONS[rel], None, right)
                 for left, rel, right in parts(pred))


def reads(pred: tuple) -> set[str]:
    """The names a predicate reads."""
    return {name for left, _, right in parts(pred) for name in (left, right) if isinstance(name, str)}


def _test(left: int, rel, right: int | None, number):
    if right is not None:
        return lambda a, b=None, out=None: rel((a, b, out)[left], (a, b, out)[right])
    # A name against a number, the common case: one closure per slot (this runs at every pow).
    if left == 0:
        return lambda a, b=None, out=None: rel(a, number)
    if left == 1:
        return lambda a, b=None, out=None: rel(b, number)
    return lambda a, b=None, out=None: rel(out, number)


def _always(a, b=None, out=None):
    return True


@lru_cache(maxsize=None)
def function(pred: tuple):
    """pred as a function (a, b=None, out=None) on floats or Fractions: true where it holds.

    Built once per predicate from closures (the derivative rules call it at
    every pow node); nan compares false, as in IEEE; Fractions compare exactly.
    """
    f = _always
    for k, test in enumerate(tests(pred)):
        g = _test(*test)
        f = g if k == 0 else (lambda f, g: lambda a, b=None, out=None: f(a, b, out) and g(a, b, out))(f, g)
    return f


@lru_cache(maxsize=None)
def array_function(pred: tuple):
    """pred as a function on NumPy arrays (or scalars), element by element: booleans."""
    f = _always
    for k, test in enumerate(tests(pred)):
        g = _test(*test)
        f = g if k == 0 else (lambda f, g: lambda a, b=None, out=None: f(a, b, out) & g(a, b, out))(f, g)
    return f


def holds(pred: tuple, a, b=None, out=None) -> bool:
    """pred on floats or exact Fractions."""
    return function(pred)(a, b, out)


def mask(pred: tuple, a, b=None, out=None):
    """pred on NumPy arrays, element by element (a boolean array)."""
    return array_function(pred)(a, b, out)


def verdict(pred: tuple, a, b=None, out=None):
    """pred where a value may be unknown (None): True, False, or MAYBE.

    A test that is false decides the conjunction whatever the others read.
    """
    values = (a, b, out)
    answer = True
    for left, rel, right, number in tests(pred):
        x, y = values[left], number if right is None else values[right]
        if x is None or y is None:
            answer = MAYBE
        elif not rel(x, y):
            return False
    return answer


def words(pred: tuple) -> str:
    """pred as the formulas say it, the names as {a}, {b} and {out} to fill in."""
    said = [f"{{{left}}} {_SAID[rel]} " + (f"{{{right}}}" if isinstance(right, str) else f"{right:g}")
            for left, rel, right in parts(pred)]
    return " and ".join(said)
