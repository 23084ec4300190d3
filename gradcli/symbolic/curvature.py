"""What the Hessian says at a point: eigenvalues, definiteness, the kind of critical point,
and one Newton step (`gradcli hessian --classify`, `--newton`).

    >>> from gradcli.symbolic.hessian import hessian
    >>> from gradcli.symbolic.curvature import classify
    >>> h = hessian("x^3 + y^3 - 3*x*y", x=1, y=1, gradient=True)
    >>> classify(h).sentence
    'positive definite: a local minimum'

The eigenvalues are NumPy's `eigvalsh` of the (symmetric) matrix, ascending.
An eigenvalue counts as zero when its size is at most EIGEN_RTOL times the
largest eigenvalue's size (all of them are zero for the zero matrix): rounding
in the entries and in eigvalsh is of the order of 1e-16 times the largest, so
anything below 1e-10 of it is taken for a zero. The gradient counts as zero
(a critical point) when every component is at most `tol` (GRAD_TOL unless
told) in size.

The second-derivative test: positive definite is a local minimum, negative
definite a local maximum, an eigenvalue of each sign a saddle point (even
when another is zero); a semidefinite Hessian with a zero eigenvalue (or the
zero matrix) is degenerate, and the test is inconclusive.

Newton's step is x − H⁻¹∇f, with H d = ∇f solved by LU (numpy.linalg.solve),
never an inverse; it cannot be taken when H has a zero eigenvalue (in the
sense above): H is then singular, or so near it that the step means nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gradcli.errors import GradUsageError, GradValueError
from gradcli.numbers import fmt

EIGEN_RTOL = 1e-10   # an eigenvalue within this fraction of the largest one's size is zero
GRAD_TOL = 1e-8      # a gradient whose components are all this small is zero

KINDS = {  # definiteness -> the critical point it makes
    "positive definite": "local minimum",
    "negative definite": "local maximum",
    "indefinite": "saddle point",
    "positive semidefinite": "inconclusive",
    "negative semidefinite": "inconclusive",
    "zero": "inconclusive",
}


def _floats(result) -> tuple[list[str], list[list[float]], list[float]]:
    """The variables, the Hessian and the gradient as floats, from a HessianResult."""
    names = list(result.matrix)
    if not names:
        raise GradUsageError("the program has no input variables: there is no Hessian to classify")
    if result.gradient is None:
        raise ValueError("the HessianResult has no gradient: compute it with hessian(..., gradient=True)")
    if result.exact is not None:
        _fits(result, names)
    matrix = [[float(result.matrix[x][y]) for y in names] for x in names]
    return names, matrix, [float(result.gradient[x]) for x in names]


def _fits(result, names: list[str]) -> None:
    """Exact entries beyond the largest double (their floats are ±inf) have no float to test."""
    from gradcli.symbolic.exact import number
    from gradcli.symbolic.hessian import first_derivative, second_derivative

    needed = "--classify and --newton work on the floats of the exact entries"
    hint = "without --classify and --newton, --exact prints the exact values as fractions"
    exact = result.exact
    for x in names:
        number(exact["gradient"][x], first_derivative(x), needed, hint)
    for i, x in enumerate(names):
        for y in names[i:]:
            number(exact["matrix"][x][y], second_derivative(x, y), needed, hint)


def eigenvalues(matrix: list[list[float]]) -> list[float]:
    import numpy as np

    return [float(v) for v in np.linalg.eigvalsh(np.array(matrix, dtype=float))]


def zero_tolerance(values: list[float]) -> float:
    """The size below which an eigenvalue counts as zero."""
    return EIGEN_RTOL * max((abs(v) for v in values), default=0.0)


def definiteness(values: list[float]) -> str:
    tol = zero_tolerance(values)
    pos = sum(v > tol for v in values)
    neg = sum(v < -tol for v in values)
    zero = len(values) - pos - neg
    if pos and neg:
        return "indefinite"
    if zero == len(values):
        return "zero"
    if not neg:
        return "positive definite" if not zero else "positive semidefinite"
    return "negative definite" if not zero else "negative semidefinite"


def vector(values: list[float]) -> str:
    return "(" + ", ".join(fmt(v) for v in values) + ")"


@dataclass
class Classification:
    names: list[str]
    gradient: list[float]
    eigenvalues: list[float]          # ascending
    definiteness: str                 # a key of KINDS
    critical: bool                    # the gradient is zero within tol
    tol: float

    @property
    def kind(self) -> str | None:
        """local minimum, local maximum, saddle point, inconclusive; None: not a critical point."""
        return KINDS[self.definiteness] if self.critical else None

    @property
    def sentence(self) -> str:
        """What a student reads: the definiteness and what it makes of the point."""
        if not self.critical:
            return f"not a critical point: the gradient is {vector(self.gradient)}"
        if self.kind == "inconclusive":
            if self.definiteness != "zero":
                what = f"{self.definiteness} with a zero eigenvalue"
            else:
                what = "the second derivative is 0" if len(self.names) == 1 else "the zero matrix"
            return f"degenerate ({what}): the test is inconclusive"
        return f"{self.definiteness}: a {self.kind}"

    def to_json(self) -> dict:
        return {"gradient": dict(zip(self.names, self.gradient)), "eigenvalues": list(self.eigenvalues),
                "definiteness": self.definiteness, "critical_point": self.critical,
                "kind": self.kind, "summary": self.sentence,
                "eigenvalue_tolerance": zero_tolerance(self.eigenvalues), "gradient_tolerance": self.tol}


def classify(result, tol: float = GRAD_TOL) -> Classification:
    """The second-derivative test at the point of `result` (a HessianResult with its gradient)."""
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not (math.isfinite(tol) and tol >= 0):
        # A negative or nan tolerance would call every point "not critical" without a word.
        raise GradValueError(f"tol must be a finite number at least 0 (got {tol!r})")
    names, matrix, gradient = _floats(result)
    values = eigenvalues(matrix)
    critical = all(abs(g) <= tol for g in gradient)
    return Classification(names, gradient, values, definiteness(values), critical, tol)


@dataclass
class NewtonStep:
    names: list[str]
    start: list[float]
    point: list[float] | None         # x − H⁻¹∇f; None when it cannot be taken
    reason: str | None = None         # why not
    note: str | None = None           # what the step heads for, when H is not positive definite

    @property
    def change(self) -> list[float] | None:
        return None if self.point is None else [b - a for a, b in zip(self.start, self.point)]

    def to_json(self) -> dict:
        if self.point is None:
            return {"point": None, "step": None, "reason": self.reason}
        return {"point": dict(zip(self.names, self.point)), "step": dict(zip(self.names, self.change)),
                "reason": None}


def newton_step(result) -> NewtonStep:
    """One Newton step from the point of `result` (a HessianResult with its gradient)."""
    import numpy as np

    names, matrix, gradient = _floats(result)
    start = [float(result.inputs[n]) for n in names]
    values = eigenvalues(matrix)
    kind = definiteness(values)
    if kind == "zero":
        return NewtonStep(names, start, None, "the Hessian is the zero matrix: H⁻¹∇f does not exist")
    if any(abs(v) <= zero_tolerance(values) for v in values):
        return NewtonStep(names, start, None,
                          f"the Hessian is singular (an eigenvalue is 0, within {EIGEN_RTOL:g} of the "
                          f"largest eigenvalue's size): H⁻¹∇f does not exist")
    with np.errstate(all="ignore"):
        d = np.linalg.solve(np.array(matrix), np.array(gradient))
        point = [float(x) for x in np.array(start) - d]
    if not all(math.isfinite(v) for v in point):
        return NewtonStep(names, start, None, "the step x − H⁻¹∇f overflows")
    note = None
    if kind != "positive definite":
        note = (f"the Hessian is {kind}: the step goes to the critical point of the quadratic "
                "model, which is not a minimum")
    return NewtonStep(names, start, point, None, note)
