"""Why an answer is wrong: the numbers that common mistakes give, from the same graph.

For a quantity of a problem (`value`, `values.NAME`,
`grad.NAME`) this lists candidates: a kind of mistake, the number it produces
and one sentence that names it. A wrong answer that lies within the problem's
tolerance of a candidate is diagnosed with it; nothing else is ever claimed.

Every number comes from one forward and one backward pass of the program (its
trace: each node's value, gradient ∂f/∂node and local derivatives) and, for a
gradient, one tangent sweep from the target node t (tan[i] = ∂i/∂t). With
those, a path-restricted gradient is a sum of products of local derivatives
that needs no new pass:

    one path of a fork   ∂f/∂t − tan[m]·(∂f/∂m − g_e)   keeping only use e of a node m
                         used several times, where g_e = ∂f/∂c·∂c/∂m along that use
    a forgotten factor   ∂f/∂t − tan[a]·∂f/∂c·(ℓ − 1)   the local derivative ℓ = ∂c/∂a
                         of one edge a → c taken as 1
    local for global     ∂c/∂t for t's consumer c (and further along a plain chain)

An array answer (of the asked shape, or a matrix's transposed shape) is matched element
by element, within the tolerance, against the mistakes that need no local derivatives:
the sign flipped, a matrix transposed (of either shape), and a batch's size N out, the right answer
times N (a mean's 1/N left out: N is how many elements a mean, a cross_entropy
or a division by an input's axis length averages over, on the way) or over N (a
mean taken where the program sums: N is how many elements a sum adds up, or the
length of one of their axes). The factor N is looked for in the numbers of an
array program too.

All loops run over node ids; nothing recurses. The kinds, in the order of
precedence used when several match (the first is said; a second is added as
"also" only from another family: a flipped sign; a path mistake, fork, local or
factor, which often describe one slip in two ways; a wrong quantity, other or
step; a matrix transposed; a batch's size, mean):
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gradcli.numbers import fmt, shape_text
from gradcli.ops.table import CONST, DIV, INPUT

SIGN, FORK, LOCAL, FACTOR, OTHER, STEP, TRANSPOSED, MEAN = (
    "sign", "fork", "local", "factor", "other", "step", "transposed", "mean")
KINDS = (SIGN, FORK, LOCAL, FACTOR, OTHER, STEP, TRANSPOSED, MEAN)
FAMILY = {SIGN: 0, FORK: 1, LOCAL: 1, FACTOR: 1, OTHER: 2, STEP: 2, TRANSPOSED: 3, MEAN: 4}
__doc__ += "\n    " + ", ".join(KINDS) + "\n"

MOST = 64      # candidates of one kind for one quantity: big graphs stay cheap
DIGITS = 6     # significant digits of the numbers in a sentence


@dataclass(frozen=True)
class Candidate:
    kind: str
    value: float              # a NumPy array for an array quantity
    message: str

    def to_json(self) -> dict:
        value = self.value.tolist() if hasattr(self.value, "tolist") else self.value
        return {"kind": self.kind, "value": value, "message": self.message}


@dataclass(frozen=True)
class Diagnosis:
    """The likely mistake behind one wrong answer; `also` a second one of another kind."""

    kind: str
    message: str
    also: Candidate | None = None

    def to_json(self) -> dict:
        obj = {"kind": self.kind, "message": self.message}
        if self.also is not None:
            obj["also"] = {"kind": self.also.kind, "message": self.also.message}
        return obj

    @property
    def text(self) -> str:
        """Both sentences, for a report line or an export cell."""
        if self.also is None:
            return self.message
        return f"{self.message} (or: {self.also.message})"


def _n(v: float) -> str:
    return fmt(v, DIGITS)


def _bare_operator(label: str) -> bool:
    """Whether an operator stands outside parentheses: ∂(x*y)/∂x, but ∂max(q, z)/∂q."""
    depth = 0
    for ch in label:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and ch in " +-*/^@":
            return True
    return False


def _times(k: int) -> str:
    return "twice" if k == 2 else f"{k} times"


class Mistakes:
    """The candidates of every quantity of one problem, from its trace (computed on demand)."""

    def __init__(self, trace):
        self.trace = trace
        nodes = trace.nodes
        self.nodes = nodes
        self.out = trace.output
        live = [n.live for n in nodes]
        # The uses that matter: by consumers the output depends on.
        self.uses = [[(c, k) for c, k in us if live[c]] for us in trace.uses]
        # An array program's trace has no local derivatives (a Jacobian is not a number):
        # only the mistakes that need none are looked for, among its scalar nodes.
        self.arrays = any(getattr(n.value, "ndim", 0) for n in nodes)
        self._cache: dict[str, list[Candidate]] = {}

    # -- names in sentences ---------------------------------------------------------------

    def name(self, i: int) -> str:
        if i == self.out:
            return self.trace.output_handle
        name = self.trace.graph.names.get(i)
        if name is not None:
            return name
        label = self.nodes[i].label
        return f"({label})" if _bare_operator(label) else label

    def d(self, top: int, i: int) -> str:
        return f"∂{self.name(top)}/∂{self.name(i)}"

    # -- the quantities -------------------------------------------------------------------

    def node_of(self, quantity: str) -> int:
        if quantity == "value":
            return self.out
        return self.trace.result.program.node_of(quantity.split(".", 1)[1])

    def candidates(self, quantity: str, expected: float, close) -> list[Candidate]:
        """Every mistake's number for this quantity, in order of precedence.

        `close(given, expected)` is the problem's tolerance: a candidate that the
        tolerance cannot tell from the right answer is left out (it explains nothing).
        """
        found = self._cache.get(quantity)
        if found is not None:
            return found
        t = self.node_of(quantity)
        grad = quantity.startswith("grad.")
        if _scalar(expected):
            raw = self._gradient(t, expected) if grad else self._value(t, expected)
            finite = math.isfinite
        else:
            import numpy as np

            raw = self._array(t, grad, np.asarray(expected, dtype=float))
            finite = lambda v: bool(np.isfinite(v).all())  # noqa: E731
            close = _elementwise(close)
        found: list[Candidate] = []
        seen: dict[str, list[float]] = {}
        for c in raw:
            if not finite(c.value) or close(c.value, expected):
                continue
            same = seen.setdefault(c.kind, [])
            if any(close(c.value, v) for v in same):
                continue  # this kind gives this number already, by another path
            same.append(c.value)
            found.append(c)
        self._cache[quantity] = found
        return found

    def diagnose(self, quantity: str, expected: float, given: float, close) -> Diagnosis | None:
        """The mistake a wrong `given` matches within the tolerance (every element of an
        array answer, of the asked shape), or None."""
        first = None
        candidates = self.candidates(quantity, expected, close)
        if not _scalar(expected):
            close = _elementwise(close)
        for c in candidates:
            if close(given, c.value):
                if first is None:
                    first = c
                elif FAMILY[c.kind] != FAMILY[first.kind]:
                    return Diagnosis(first.kind, first.message, c)
        return None if first is None else Diagnosis(first.kind, first.message)

    # -- values ---------------------------------------------------------------------------

    def _value(self, t: int, expected: float) -> list[Candidate]:
        out = []
        if expected != 0:
            out.append(Candidate(SIGN, -expected, "the sign is flipped"))
        # A value from the wrong step: another node's value (named nodes first).
        what = self.name(t)
        for i in [i for i in self._others(t) if _scalar(self.nodes[i].value)][:4 * MOST]:
            if self.nodes[i].op is not CONST:
                v = float(self.nodes[i].value)
                out.append(Candidate(STEP, v, f"this is the value of {self.name(i)} ({_n(v)}), "
                                              f"not of {what}"))
        if self.arrays:
            out += self._batch(t, False, expected)
        return out

    def _others(self, t: int) -> list[int]:
        """Other nodes worth naming: names first (inputs, assigned), then the rest."""
        named = self.trace.graph.names
        first = [i for i in range(len(self.nodes)) if i != t and i in named]
        rest = [i for i in range(len(self.nodes)) if i != t and i not in named]
        return first + rest

    # -- gradients ------------------------------------------------------------------------

    def _tangent(self, t: int) -> list[float]:
        """tan[i] = ∂node_i/∂node_t, for every node (0 where t does not reach)."""
        nodes = self.nodes
        tan = [0.0] * len(nodes)
        tan[t] = 1.0
        for i in range(t + 1, self.out + 1):
            node = nodes[i]
            s = 0.0
            for j, local in zip(node.inputs, node.local):
                tj = tan[j]
                if tj:
                    s += local * tj
            tan[i] = s
        return tan

    def _edge(self, c: int, k: int) -> float:
        """The gradient along one use: ∂f/∂c · ∂c/∂input_k (0 where ∂f/∂c is 0)."""
        node = self.nodes[c]
        return 0.0 if node.grad == 0 else node.grad * node.local[k]

    def _gradient(self, t: int, G: float) -> list[Candidate]:
        nodes, out = self.nodes, self.out
        f, x = self.name(out), self.name(t)
        dfx = self.d(out, t)
        cands: list[Candidate] = []
        if G != 0:
            cands.append(Candidate(SIGN, -G, "the sign is flipped"))
        if t == out or not nodes[t].live:
            return cands
        if self.arrays:
            return cands + self._other_gradients(t, dfx) + self._batch(t, True, G)
        tan = self._tangent(t)

        # One path of a fork: keep one use of a node m used more than once.
        forks = []
        for m in range(t, out):
            uses = self.uses[m]
            if len(uses) < 2 or not tan[m]:
                continue
            for c, k in uses[:MOST]:
                value = G - tan[m] * (nodes[m].grad - self._edge(c, k))
                rest = G - value
                where = x if m == t else f"{self.name(m)}, on the way from {x} to {f},"
                others = "the other path gives" if len(uses) == 2 else "the other paths give"
                forks.append(Candidate(FORK, value, f"{dfx} = {_n(value)} is the gradient along one "
                                       f"path only: {where} is used {_times(len(uses))}, and the "
                                       f"gradients of its uses add up ({others} {_n(rest)})"))
            if len(forks) >= MOST:
                break
        cands += forks[:MOST]

        # The local instead of the global derivative.
        locals_: dict[int, float] = {}   # consumer -> ∂c/∂t, summed over c's arguments that are t
        for c, k in self.uses[t]:
            locals_[c] = locals_.get(c, 0.0) + nodes[c].local[k]
        consumers = list(locals_)
        for c in consumers[:MOST]:
            if c == out:
                continue  # ∂f/∂t along that use is the one-path number above
            local = locals_[c]
            message = (f"this is the local derivative {self.d(c, t)}, not {dfx}: multiply by "
                       f"the upstream gradient {self.d(out, c)} = {_n(nodes[c].grad)}")
            if len(consumers) > 1:
                message += f", and add the gradients of {x}'s other uses"
            cands.append(Candidate(LOCAL, local, message))
        # Further along a plain chain (one consumer each): the chain rule stopped early.
        c = consumers[0] if len(consumers) == 1 else out
        for _ in range(MOST):
            if c == out:
                break
            nxt = list(dict.fromkeys(c2 for c2, _ in self.uses[c]))
            if len(nxt) != 1 or nxt[0] == out:
                break
            c = nxt[0]
            cands.append(Candidate(LOCAL, tan[c], f"this is {self.d(c, t)}, not {dfx}: the chain "
                                   f"rule stops at {self.name(c)}; multiply by the upstream "
                                   f"gradient {self.d(out, c)} = {_n(nodes[c].grad)}"))

        # A forgotten factor: one local derivative on the way taken as 1.
        factors = []
        for c in range(t + 1, out + 1):
            node = nodes[c]
            if not node.live or node.grad == 0:
                continue
            for k, a in enumerate(node.inputs):
                local = node.local[k]
                if a == t and c == out:
                    continue  # the whole gradient is this one factor: nothing is left out
                if tan[a] and local != 1:
                    value = G - tan[a] * node.grad * (local - 1)
                    factors.append(Candidate(FACTOR, value, f"{dfx} = {_n(value)} leaves out one "
                                             f"factor of the chain rule: the local derivative "
                                             f"{self.d(c, a)} = {_n(local)}"))
            if len(factors) >= MOST:
                break
        cands += factors[:MOST]

        return cands + self._other_gradients(t, dfx)

    def _other_gradients(self, t: int, dfx: str) -> list[Candidate]:
        """The gradient with respect to another node (of a number, in an array program)."""
        nodes, out = self.nodes, self.out
        others = [i for i in self._others(t) if nodes[i].live and nodes[i].depends and i != out
                  and nodes[i].grad is not None and _scalar(nodes[i].grad)]
        return [Candidate(OTHER, float(nodes[i].grad), f"this is {self.d(out, i)}, not {dfx}")
                for i in others[:4 * MOST]]

    # -- arrays -----------------------------------------------------------------------------

    def _array(self, t: int, grad: bool, E) -> list[Candidate]:
        """The mistakes' arrays for an array quantity (E its right answer)."""
        out = []
        if E.any():
            out.append(Candidate(SIGN, -E, "the sign is flipped"))
        if E.ndim == 2 and E.size > 1:  # a wrong shape's transpose too: (3, 2) for (2, 3)
            x = self.name(t)
            shape = "" if E.shape[0] == E.shape[1] else f" {shape_text(E.shape)}"
            if grad:
                f = self.name(self.out)
                said = (f"{self.d(self.out, t)} has {x}'s shape{shape}, with element [i, j] = "
                        f"∂{f}/∂{x}[i, j]")
            else:
                said = f"{x}[i, j] belongs in row i, column j" + (f" of{shape}" if shape else "")
            out.append(Candidate(TRANSPOSED, E.T.copy(), f"this is the transpose of the right "
                                                         f"answer: {said}"))
        if grad and (t == self.out or not self.nodes[t].live):
            return out
        return out + self._batch(t, grad, E)

    def _batch(self, t: int, grad: bool, E) -> list[Candidate]:
        """The right answer E times N, a mean's 1/N left out, or over N, a mean taken where
        the program sums: only for an N that a mean (or a division by an input's axis
        length) averages over, or that a sum adds up (all its elements, or one axis of
        them), on the way between t and the output (for a gradient; for a value, on the
        way to t)."""
        from gradcli.ops import arrays as kernels

        nodes = self.nodes
        on = [False] * len(nodes)
        on[t] = True
        if grad:  # the nodes t reaches
            for i in range(t + 1, self.out + 1):
                on[i] = any(on[j] for j in nodes[i].inputs)
        else:     # the nodes that reach t
            for i in range(t, -1, -1):
                if on[i]:
                    for j in nodes[i].inputs:
                        on[j] = True
        axes = list(dict.fromkeys(int(n) for node in nodes if node.op is INPUT and node.live
                                  for n in getattr(node.value, "shape", ())))
        averaged, added = [], []
        for i, node in enumerate(nodes):
            if not (on[i] and node.live and node.inputs) or (grad and i == t):
                continue
            args = [nodes[j].value for j in node.inputs]
            kernel = node.op.kernel
            if kernel == "mean":
                averaged.append(kernels.count(args[0]))
            elif kernel in ("mean_axis", "cross_entropy"):
                averaged.append(kernels.axis_count(*args) if kernel == "mean_axis"
                                else kernels.rows(args[0]))
            elif (node.op is DIV and not nodes[node.inputs[1]].depends and _scalar(args[1])
                  and args[1] in axes):
                averaged.append(args[1])   # sum(...) / N, a mean written out
            elif kernel == "total":        # all its elements, or the rows (a batch) alone
                added += [kernels.count(args[0]), *getattr(args[0], "shape", ())]
            elif kernel == "sum_axis":
                added.append(kernels.axis_count(*args))
        out = []
        for n in list(dict.fromkeys(int(n) for n in averaged if n > 1))[:MOST]:
            out.append(Candidate(MEAN, E * n, f"off by a factor of N = {n}: did you forget the "
                                              f"1/N of the mean?"))
        for n in list(dict.fromkeys(int(n) for n in added if n > 1))[:MOST]:
            out.append(Candidate(MEAN, E / n, f"off by a factor of 1/N, N = {n}: did you take a "
                                              f"mean where the program has a sum?"))
        return out


def _scalar(v) -> bool:
    return not getattr(v, "ndim", 0)


def _elementwise(close):
    """The tolerance for arrays: the same shape, and every element close."""
    import numpy as np

    def near(a, b) -> bool:
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        return a.shape == b.shape and all(map(close, a.ravel().tolist(), b.ravel().tolist()))

    return near
