"""The table of operations: one row per operation, everything about it in one place.

A row holds the forward rule (the name of a kernel, looked up in
`kernels` for floats and in `kernels_np` for NumPy arrays), the derivative of
the output with respect to each input written in gradcli's own language, the
printed form, the convention at kinks and what the operation needs of its
inputs. Derivative rules speak of the inputs `a` and `b` and of the
operation's own value `out`; they are compiled once (see `rules.py`) into
number crunchers, and can later be instantiated as graph nodes for formulas
and second derivatives. Conditions (kinks, PyTorch's masks, the cause of a
value that is not finite) are data, such as `("b", "==", 0)`, read by
`predicates.py` in every kind of number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from gradcli.ops import predicates


@dataclass(frozen=True, eq=False, repr=False)
class Op:
    name: str                      # the "op" of a node in JSON
    arity: int
    kernel: str = ""               # forward rule: name in kernels / kernels_np
    grads: tuple[str, ...] = ()    # ∂out/∂input_k, in gradcli's language (a, b, out)
    symbol: str = ""               # printed form: infix or prefix symbol, or function name
    form: str = "call"             # "infix" | "prefix" | "call" | "leaf"
    prec: int = 9                  # printing precedence: higher binds tighter
    domain: str = "the result is not a finite number"  # said when the value is not finite
    # Kink convention: where the derivative is taken by convention (PyTorch's).
    kink: tuple | None = None      # a predicate over the inputs: it holds at the kink
    kink_note: str = ""
    # Local derivatives that are 0 by convention where the rule would give nan
    # (PyTorch's masks for pow); one predicate or None per input.
    zero_where: tuple = ()
    doc: str = ""
    aliases: tuple[str, ...] = field(default=())
    latex: str = ""                # a function's LaTeX name (default: \operatorname{name})
    # Where one domain sentence would list every cause: (predicate over a, b and
    # out, cause) pairs, the first that holds is said.
    explain: tuple = ()
    # Arrays (README "Arrays: vectors and matrices"). An operation that is not elementwise carries its rules as
    # vector-Jacobian products (over a, b, c, d, out and the adjoint g: the contribution
    # to input k's gradient, of input k's shape) and Jacobian-vector products (over the
    # same names and the input's tangent t: the contribution to the output's tangent).
    # An operation without them is elementwise: its contribution is its local
    # derivative times g, summed back to the input's shape (broadcasting). See passes/engine.py.
    vjp: tuple[str, ...] = ()
    jvp: tuple[str, ...] = ()
    said: tuple[str, ...] = ()     # the vjp rules as a student writes them (narration)
    shape: str = "broadcast"       # the shape rule, a function of shapes.py
    arrays: bool = False           # exists for arrays only (the program runs in the arrays domain)
    internal: bool = False         # a helper of the rules, not callable from programs
    labels: tuple[int, ...] = ()   # inputs that are class indices: no gradient, checked when bound

    @property
    def zero_where_text(self) -> tuple[str, ...]:
        """Each mask in words over {a} and {b}, for formulas that cannot show it."""
        return tuple(predicates.words(p) if p is not None else "" for p in self.zero_where)

    def reason(self, inputs: tuple, value: float) -> str:
        """Why the value is not finite, for a math error."""
        for pred, cause in self.explain:
            if predicates.holds(pred, *inputs, *(None,) * (2 - len(inputs)), value):
                return cause
        return self.domain

    def __repr__(self) -> str:
        return f"Op({self.name}/{self.arity})"


def _infix(name, symbol, prec, kernel, grads, **kw):
    return Op(name, 2, kernel, grads, symbol, "infix", prec, **kw)


def _fn(name, arity, kernel, grads, **kw):
    return Op(name, arity, kernel, grads, kw.pop("symbol", name), "call", 9, **kw)


OVERFLOW = "the result overflows a double"

INPUT = Op("input", 0, form="leaf", doc="an input variable")
CONST = Op("const", 0, form="leaf", doc="a number or a constant")
# `q = p` where p already has a name: a node of its own so that q shows in traces.
ALIAS = Op("id", 1, "identity", ("1",), "", "alias", 9, doc="a second name for a value")

ADD = _infix("add", "+", 1, "add", ("1", "1"), domain=OVERFLOW)
SUB = _infix("sub", "-", 1, "sub", ("1", "-1"), domain=OVERFLOW)
MUL = _infix("mul", "*", 2, "mul", ("b", "a"), domain=OVERFLOW)
DIV = _infix("div", "/", 2, "div", ("1 / b", "-out / b"),
             domain="division by zero, or a quotient that overflows a double",
             explain=((("b", "==", 0), "division by zero"), ((), OVERFLOW)))
NEG = Op("neg", 1, "neg", ("-1",), "-", "prefix", 3)
POW = _infix(
    "pow", "^", 4, "power", ("b * a^(b - 1)", "log(a) * out"),
    domain=("a power needs a positive base when the exponent is not a whole number, "
            "a non-zero base when it is negative, and a result that fits a double"),
    # PyTorch: ∂/∂a is 0 where b = 0; ∂/∂b is 0 where a = 0 and b >= 0.
    zero_where=(("b", "==", 0), (("a", "==", 0), ("b", ">=", 0))),
    kink=("a", "==", 0),
    kink_note="at base 0, ∂/∂exponent is taken as 0 (PyTorch)",
    explain=((("a", "==", 0), "0 to a negative power is infinite"),
             # out != out: nan, the one value not equal to itself
             (("out", "!=", "out"), "a negative number to a power that is not a whole number is not real"),
             ((), OVERFLOW)),
)

FUNCTIONS_LIST = [
    _fn("exp", 1, "exp", ("out",), domain="exp overflows a double above 709.78"),
    _fn("log", 1, "log", ("1 / a",), domain="log needs a positive number", aliases=("ln",),
        latex=r"\ln"),
    # 1/a/log(2), not 1/(a*log(2)): the product would overflow near 1e308.
    _fn("log2", 1, "log2", ("1 / a / log(2)",), domain="log2 needs a positive number",
        latex=r"\log_{2}"),
    _fn("log10", 1, "log10", ("1 / a / log(10)",), domain="log10 needs a positive number",
        latex=r"\log_{10}"),
    _fn("sqrt", 1, "sqrt", ("0.5 / out",), domain="sqrt needs a non-negative number"),
    _fn("sin", 1, "sin", ("cos(a)",), latex=r"\sin"),
    _fn("cos", 1, "cos", ("-sin(a)",), latex=r"\cos"),
    _fn("tan", 1, "tan", ("1 + out^2",), latex=r"\tan"),
    _fn("asin", 1, "asin", ("1 / sqrt(1 - a^2)",), domain="asin needs a number in [-1, 1]",
        latex=r"\arcsin"),
    _fn("acos", 1, "acos", ("-1 / sqrt(1 - a^2)",), domain="acos needs a number in [-1, 1]",
        latex=r"\arccos"),
    # Exact in the ordinary range; beyond |a| = 1.3e154 a^2 overflows and the (subnormal)
    # derivative flushes to 0 (see the README's limits).
    _fn("atan", 1, "atan", ("1 / (1 + a^2)",), latex=r"\arctan"),
    _fn("sinh", 1, "sinh", ("cosh(a)",), domain="sinh overflows a double beyond ±710.47",
        latex=r"\sinh"),
    _fn("cosh", 1, "cosh", ("sinh(a)",), domain="cosh overflows a double beyond ±710.47",
        latex=r"\cosh"),
    # sech(a)^2, not 1 - tanh(a)^2: exact where tanh(a) rounds to ±1.
    _fn("tanh", 1, "tanh", ("sech(a)^2",), latex=r"\tanh"),
    _fn("sech", 1, "sech", ("-out * tanh(a)",), doc="1/cosh(a), never overflows"),
    # σ(a)·σ(-a), not σ(1-σ): exact where σ(a) rounds to 1.
    _fn("sigmoid", 1, "sigmoid", ("out * sigmoid(-a)",), doc="1/(1+e^-a)", latex=r"\sigma"),
    _fn("softplus", 1, "softplus", ("sigmoid(a)",), doc="log(1+e^a), without overflow"),
    _fn("relu", 1, "relu", ("step(a)",), kink=("a", "==", 0),
        kink_note="relu'(0) = 0 (PyTorch)"),
    _fn("leaky_relu", 1, "leaky_relu", ("0.01 + 0.99 * step(a)",), kink=("a", "==", 0),
        kink_note="leaky_relu'(0) = 0.01, the slope (PyTorch)"),
    # step(a) + b*(1 - step(a)), not b + (1 - b)*step(a): exact in both branches for any slope.
    _fn("leaky_relu", 2, "leaky_relu", ("step(a) + b * (1 - step(a))", "min(a, 0)"),
        kink=("a", "==", 0), kink_note="leaky_relu'(0) = a, the slope (PyTorch)"),
    _fn("abs", 1, "absolute", ("sign(a)",), kink=("a", "==", 0),
        kink_note="abs'(0) = 0 (PyTorch)"),
    _fn("sign", 1, "sign", ("0",), kink=("a", "==", 0),
        kink_note="sign'(0) is taken as 0 (PyTorch)", doc="-1, 0 or 1"),
    _fn("step", 1, "step", ("0",), kink=("a", "==", 0),
        kink_note="step'(0) is taken as 0", doc="1 where a > 0, else 0 (relu's derivative)"),
    _fn("max", 2, "maximum", ("(1 + sign(a - b)) / 2", "(1 - sign(a - b)) / 2"),
        kink=("a", "==", "b"), kink_note="a tie splits the gradient evenly (PyTorch)",
        latex=r"\max"),
    _fn("min", 2, "minimum", ("(1 - sign(a - b)) / 2", "(1 + sign(a - b)) / 2"),
        kink=("a", "==", "b"), kink_note="a tie splits the gradient evenly (PyTorch)",
        latex=r"\min"),
]

BINARY = {"+": ADD, "-": SUB, "*": MUL, "/": DIV, "^": POW, "**": POW}

# Function name -> {arity: Op}. `pow(a, b)` is the `^` operator.
FUNCTIONS: dict[str, dict[int, Op]] = {"pow": {2: POW}}
for _op in FUNCTIONS_LIST:
    for _name in (_op.name, *_op.aliases):
        FUNCTIONS.setdefault(_name, {})[_op.arity] = _op


def _arr(name, arity, kernel, vjp=(), jvp=(), **kw):
    """An operation on arrays (README "Arrays: vectors and matrices"), with its rules as vjp and jvp."""
    return Op(name, arity, kernel, (), kw.pop("symbol", name), kw.pop("form", "call"),
              kw.pop("prec", 9), vjp=vjp, jvp=jvp, arrays=True, **kw)


def _helper(name, arity, kernel=None, doc=""):
    """A helper of the array rules: a table row with a kernel, not part of the language."""
    return Op(name, arity, kernel or name, (), name, "call", 9, arrays=True, internal=True, doc=doc)


# `a @ b`: NumPy's matmul; 1-D operands are a row (left) or a column (right), dropped again.
MATMUL = _arr("matmul", 2, "matmul", ("matmul_da(g, a, b)", "matmul_db(g, a, b)"),
              ("t @ b", "a @ t"), symbol="@", form="infix", prec=2, shape="matmul",
              said=("g @ transpose(b)", "transpose(a) @ g"))


@lru_cache(maxsize=None)
def stack_op(n: int) -> Op:
    """`[x1, …, xn]`: its n elements stacked along a new first axis (one row per n)."""
    return _arr("stack", n, "stack", tuple(f"pick(g, {k})" for k in range(n)),
                tuple(f"place(t, {k}, out)" for k in range(n)), symbol="[]", form="literal",
                shape="stack", doc="an array literal")


# `a[i]`, `a[i, j]`, `a[i, j, l]`: the indices are constant inputs (no gradient).
INDEX = {n: _arr("index", n + 1, "index",
                 (f"unindex(g, a, {', '.join('bcd'[:n])})",) + ("0",) * n,
                 (f"index(t, {', '.join('bcd'[:n])})",) + ("0",) * n,
                 symbol="[]", form="index", shape="index", internal=True)
         for n in (1, 2, 3)}

ARRAY_FUNCTIONS = [
    _arr("transpose", 1, "transpose", ("transpose(g)",), ("transpose(t)",), shape="transpose"),
    _arr("sum", 1, "total", ("expand(g, a)",), ("sum(t)",), shape="reduce"),
    _arr("sum", 2, "sum_axis", ("unsum(g, a, b)", "0"), ("sum(t, b)", "0"), shape="reduce_axis"),
    _arr("mean", 1, "mean", ("expand(g, a) / count(a)",), ("mean(t)",), shape="reduce"),
    _arr("mean", 2, "mean_axis", ("unsum(g, a, b) / axis_count(a, b)", "0"), ("mean(t, b)", "0"),
         shape="reduce_axis"),
    # Over the last axis, shifted by its maximum: softmax([1000, 0]) is exact.
    _arr("softmax", 1, "softmax", ("out * (g - sumlast(g * out))",),
         ("out * (t - sumlast(t * out))",), shape="last_axis"),
    _arr("log_softmax", 1, "log_softmax", ("g - softmax(a) * sumlast(g)",),
         ("t - sumlast(softmax(a) * t)",), shape="last_axis"),
    _arr("logsumexp", 1, "logsumexp", ("softmax(a) * lastaxis(g)",), ("sum(softmax(a) * t, -1)",),
         shape="drop_last"),
    # The mean over rows of -log softmax(s)[y]; y holds class indices.
    _arr("cross_entropy", 2, "cross_entropy", ("g * (softmax(a) - onehot(b, a)) / rows(a)", "0"),
         ("sum((softmax(a) - onehot(b, a)) * t) / rows(a)", "0"), shape="cross_entropy",
         labels=(1,), domain="the class scores are not finite numbers"),
]

HELPERS = [
    _helper("matmul_da", 3, doc="∂(a @ b)/∂a applied to g: g @ transpose(b), summed to a's shape"),
    _helper("matmul_db", 3, doc="∂(a @ b)/∂b applied to g: transpose(a) @ g, summed to b's shape"),
    _helper("expand", 2, doc="g broadcast to a's shape"),
    _helper("unsum", 3, doc="g broadcast back along axis b to a's shape"),
    _helper("count", 1, doc="how many elements a has"),
    _helper("axis_count", 2, doc="the size of a's axis b"),
    _helper("sumlast", 1, doc="the sum over the last axis, kept as an axis of size 1"),
    _helper("lastaxis", 1, doc="a with a new last axis of size 1"),
    _helper("onehot", 2, doc="1 at the class indices b, 0 elsewhere, in the shape of the scores a"),
    _helper("rows", 1, doc="how many rows of scores a has (1 for a vector)"),
    _helper("pick", 2, doc="g[k]: element k along the first axis"),
    _helper("place", 3, doc="t at position k along the first axis of zeros shaped like out"),
    *(_helper("unindex", n + 2, doc="g placed at the index in zeros of a's shape") for n in (1, 2, 3)),
]

# Function name -> {arity: Op} of the helpers the array rules use (`index(t, b)` too).
INTERNAL_FUNCTIONS: dict[str, dict[int, Op]] = {}
for _op in [*HELPERS, *INDEX.values()]:
    INTERNAL_FUNCTIONS.setdefault(_op.name, {})[_op.arity] = _op
for _op in ARRAY_FUNCTIONS:
    FUNCTIONS.setdefault(_op.name, {})[_op.arity] = _op

ARRAY_OPS = [MATMUL, stack_op(2), *INDEX.values(), *ARRAY_FUNCTIONS, *HELPERS]

CONSTANTS = {"pi": 3.141592653589793, "e": 2.718281828459045}

ALL_OPS = [INPUT, CONST, ALIAS, ADD, SUB, MUL, DIV, NEG, POW, *FUNCTIONS_LIST]
