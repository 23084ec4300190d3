"""`gradcli check` names two mistakes of vectorised homework in an array answer.

A square matrix gradient given transposed (kind `transposed`), and an answer N times
the right one or 1/N of it, N a batch's size: a mean's 1/N forgotten, or a mean taken
where the program sums (kind `mean`). Each wrong answer is made by making the mistake
by hand in NumPy on a right answer derived by hand (in the comments) or by PyTorch
(float64), never taken from gradcli. Random wrong answers (noise, one element's sign
flipped, one element scaled) are never given either diagnosis.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import run_cli

from gradcli.homework.problems import grade_file, load_key

X = np.array([[1.0, 2.0], [3.0, -1.0], [0.5, 4.0], [-2.0, 1.5], [2.5, -0.5]])   # 5 rows: N = 5
W = np.array([[1.0, 2.0], [3.0, 4.0]])
x = np.array([5.0, -7.0])
w = np.array([0.5, -1.5])

KEY = f"""
[[problem]]
id = "lin"
program = "L = sum(W @ x)"
bindings = {{ W = {W.tolist()}, x = {x.tolist()} }}
ask = ["grad.W", "grad.x"]

[[problem]]
id = "avg"
program = "L = mean(X @ w + b)"
bindings = {{ X = {X.tolist()}, w = {w.tolist()}, b = 0.25 }}
ask = ["grad.w", "grad.b", "grad.X", "value"]

[[problem]]
id = "byhand"
program = "L = sum((X @ w)^2) / 5"
bindings = {{ X = {X.tolist()}, w = {w.tolist()} }}
ask = ["grad.w"]

[[problem]]
id = "total"
program = "L = sum(X @ w)"
bindings = {{ X = {X.tolist()}, w = {w.tolist()} }}
ask = ["grad.w"]
"""

# By hand.
# lin: L = Σ_i Σ_j W[i, j] x[j], so ∂L/∂W[i, j] = x[j] (every row is x) and ∂L/∂x[j] = Σ_i W[i, j].
LIN_W = np.array([x, x])
LIN_X = W.sum(axis=0)
# avg: L = (1/5) Σ_n (X[n] · w + b): ∂L/∂w = the mean of X's rows, ∂L/∂b = 1, ∂L/∂X[n] = w / 5.
AVG_W = X.sum(axis=0) / 5
AVG_X = np.array([w] * 5) / 5
AVG_VALUE = float((X @ w + 0.25).sum() / 5)
# byhand: ∂L/∂w = (2/5) Xᵀ (X w).
BYHAND_W = 2 * X.T @ (X @ w) / 5
# total: ∂L/∂w = Σ_n X[n].
TOTAL_W = X.sum(axis=0)

FORGOT = "off by a factor of N = 5: did you forget the 1/N of the mean?"
REVERSE = "off by a factor of 1/N, N = 5: did you take a mean where the program has a sum?"


def toml_value(v) -> str:
    return json.dumps(np.asarray(v).tolist())


def answers(table: dict[str, dict[str, object]]) -> str:
    lines = []
    for pid, marks in table.items():
        lines.append(f"[{pid}]")
        lines += [f"{q} = {toml_value(v)}" for q, v in marks.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture
def key(tmp_path):
    path = tmp_path / "key.toml"
    path.write_text(KEY)
    return str(path)


def marks(tmp_path, key, text: str) -> dict:
    path = tmp_path / "student.toml"
    path.write_text(text)
    run = run_cli("check", key, str(path), "--json")
    assert run.exit_code in (0, 1), run.stderr
    return {(m["problem"], m["quantity"]): m for m in run.json["students"][0]["marks"]}


def diagnosis(tmp_path, key, problem: str, quantity: str, given) -> dict | None:
    mark = marks(tmp_path, key, answers({problem: {quantity: given}}))[problem, quantity]
    assert not mark["ok"]
    return mark["diagnosis"]


def report(tmp_path, key, text: str) -> str:
    path = tmp_path / "student.toml"
    path.write_text(text)
    run = run_cli("check", key, str(path), env={"COLUMNS": "250"})
    assert run.exit_code == 1, run.stderr
    return run.stdout


def test_the_right_answers_are_right(tmp_path, key):
    got = marks(tmp_path, key, answers({
        "lin": {"grad.W": LIN_W, "grad.x": LIN_X},
        "avg": {"grad.w": AVG_W, "grad.b": 1, "grad.X": AVG_X, "value": AVG_VALUE},
        "byhand": {"grad.w": BYHAND_W}, "total": {"grad.w": TOTAL_W}}))
    assert all(m["ok"] and m["diagnosis"] is None for m in got.values()), got


def test_a_square_gradient_given_transposed(tmp_path, key):
    d = diagnosis(tmp_path, key, "lin", "grad.W", LIN_W.T)
    assert d == {"kind": "transposed", "message": "this is the transpose of the right answer: "
                 "∂L/∂W has W's shape, with element [i, j] = ∂L/∂W[i, j]"}
    out = report(tmp_path, key, answers({"lin": {"grad.W": LIN_W.T}}))
    assert "this is the transpose of the right answer: ∂L/∂W has W's shape" in out


def test_a_3x3_layer_gradient_given_transposed(tmp_path):
    from torch_oracle import oracle_torch

    torch = oracle_torch()
    rng = np.random.default_rng(5)
    Xs, Ws, bs = rng.normal(size=(4, 3)), rng.normal(size=(3, 3)), rng.normal(size=3)
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
         for k, v in {"X": Xs, "W": Ws, "b": bs}.items()}
    L = (torch.tanh(t["X"] @ t["W"] + t["b"]) ** 2).sum()
    L.backward()
    dW = t["W"].grad.numpy()
    assert not np.allclose(dW, dW.T)
    (tmp_path / "key.toml").write_text(
        f'[[problem]]\nid = "layer"\nprogram = "h = tanh(X @ W + b); L = sum(h * h)"\n'
        f"bindings = {{ X = {Xs.tolist()}, W = {Ws.tolist()}, b = {bs.tolist()} }}\n"
        f'ask = ["grad.W"]\n')
    d = diagnosis(tmp_path, str(tmp_path / "key.toml"), "layer", "grad.W", dW.T)
    assert d["kind"] == "transposed" and d["message"].startswith("this is the transpose")
    assert diagnosis(tmp_path, str(tmp_path / "key.toml"), "layer", "grad.W", -dW)["kind"] == "sign"


def test_a_symmetric_gradient_has_no_transpose_to_claim(tmp_path):
    # L = sum(W * W): ∂L/∂W = 2W, symmetric for a symmetric W; its transpose is the answer.
    S = np.array([[1.0, 2.0], [2.0, -3.0]])
    (tmp_path / "key.toml").write_text(f'[[problem]]\nid = "sym"\nprogram = "L = sum(W * W)"\n'
                                       f"bindings = {{ W = {S.tolist()} }}\nask = [\"grad.W\"]\n")
    key = str(tmp_path / "key.toml")
    assert marks(tmp_path, key, answers({"sym": {"grad.W": (2 * S).T}}))["sym", "grad.W"]["ok"]
    wrong = (2 * S).T + [[0, 0.5], [0, 0]]
    assert diagnosis(tmp_path, key, "sym", "grad.W", wrong) is None


def test_a_mean_with_its_1_over_n_forgotten(tmp_path, key):
    assert diagnosis(tmp_path, key, "avg", "grad.w", AVG_W * 5) == {"kind": "mean", "message": FORGOT}
    assert diagnosis(tmp_path, key, "avg", "grad.X", AVG_X * 5)["kind"] == "mean"
    # A scalar answer of the same program: ∂L/∂b = 1, given as 5; the value given as the sum.
    assert diagnosis(tmp_path, key, "avg", "grad.b", 5) == {"kind": "mean", "message": FORGOT}
    assert diagnosis(tmp_path, key, "avg", "value", AVG_VALUE * 5)["kind"] == "mean"
    out = report(tmp_path, key, answers({"avg": {"grad.w": AVG_W * 5}}))
    assert FORGOT in out


def test_a_mean_written_as_a_division_by_the_batch_size(tmp_path, key):
    assert diagnosis(tmp_path, key, "byhand", "grad.w", BYHAND_W * 5) == {"kind": "mean",
                                                                         "message": FORGOT}


def test_a_mean_where_the_program_sums(tmp_path, key):
    assert diagnosis(tmp_path, key, "total", "grad.w", TOTAL_W / 5) == {"kind": "mean",
                                                                       "message": REVERSE}
    # And no "forgot the 1/N": the program has no mean.
    assert diagnosis(tmp_path, key, "total", "grad.w", TOTAL_W * 5) is None


def test_zeros_of_the_right_answer_must_stay_zero(tmp_path):
    # X's second column sums to 0, so ∂L/∂w[1] = 0 for L = mean(X @ w).
    Z = X.copy()
    Z[:, 1] -= Z[:, 1].mean()
    right = Z.sum(axis=0) / 5
    assert right[1] == pytest.approx(0, abs=1e-15)
    (tmp_path / "key.toml").write_text(f'[[problem]]\nid = "z"\nprogram = "L = mean(X @ w)"\n'
                                       f"bindings = {{ X = {Z.tolist()}, w = {w.tolist()} }}\n"
                                       f'ask = ["grad.w"]\n')
    key = str(tmp_path / "key.toml")
    assert diagnosis(tmp_path, key, "z", "grad.w", right * 5)["kind"] == "mean"
    assert diagnosis(tmp_path, key, "z", "grad.w", [right[0] * 5, 0.3]) is None


def test_a_factor_the_tolerance_cannot_tell_apart_is_not_claimed(tmp_path):
    # L = mean(X @ w) with X of 5 rows of 1e-7: ∂L/∂w = 1e-7 each; 5e-7 is within the
    # tolerance 1e-6 of it, so "times 5" explains nothing. 1.2e-6 is wrong (1.1e-6 off)
    # and within 1e-6 of 5e-7, yet it is not said to be the forgotten 1/N.
    tiny = np.full((5, 2), 1e-7)
    (tmp_path / "key.toml").write_text(f'[[problem]]\nid = "t"\nprogram = "L = mean(X @ w)"\n'
                                       f"bindings = {{ X = {tiny.tolist()}, w = {w.tolist()} }}\n"
                                       f'ask = ["grad.w"]\n')
    assert diagnosis(tmp_path, str(tmp_path / "key.toml"), "t", "grad.w", [1.2e-6, 1.2e-6]) is None


def test_a_two_layer_net_gradient_with_the_batch_mean_forgotten(tmp_path):
    # CS231n's two-layer net: softmax loss averaged over N = 5 rows, square W2 (3 × 3).
    from torch_oracle import oracle_torch

    torch = oracle_torch()
    rng = np.random.default_rng(231)
    b = {"X": rng.normal(size=(5, 4)), "W1": rng.normal(size=(4, 3)), "b1": rng.normal(size=3),
         "W2": rng.normal(size=(3, 3)), "b2": rng.normal(size=3)}
    y = [0, 2, 1, 1, 0]
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in b.items()}
    s = torch.relu(t["X"] @ t["W1"] + t["b1"]) @ t["W2"] + t["b2"]
    torch.nn.functional.cross_entropy(s, torch.tensor(y)).backward()
    g = {k: v.grad.numpy() for k, v in t.items()}
    binds = ", ".join(f"{k} = {toml_value(v)}" for k, v in b.items())
    (tmp_path / "key.toml").write_text(
        '[[problem]]\nid = "net"\n'
        'program = "h = relu(X @ W1 + b1); s = h @ W2 + b2; L = cross_entropy(s, y)"\n'
        f'bindings = {{ {binds}, y = {y} }}\nask = ["grad.W1", "grad.W2", "grad.b2"]\n')
    got = marks(tmp_path, str(tmp_path / "key.toml"), answers({"net": {
        "grad.W1": g["W1"] * 5, "grad.W2": g["W2"].T, "grad.b2": g["b2"] * 5}}))
    assert got["net", "grad.W1"]["diagnosis"] == {"kind": "mean", "message": FORGOT}
    assert got["net", "grad.W2"]["diagnosis"]["kind"] == "transposed"
    assert got["net", "grad.b2"]["diagnosis"]["kind"] == "mean"


def test_random_wrong_arrays_get_neither_diagnosis(tmp_path, key):
    """No false claims: noise, one element's sign flipped, one element scaled by N, the
    transpose with one element off, are never said to be transposed or off by N."""
    right = {("lin", "grad.W"): LIN_W, ("lin", "grad.x"): LIN_X, ("avg", "grad.w"): AVG_W,
             ("avg", "grad.X"): AVG_X, ("byhand", "grad.w"): BYHAND_W, ("total", "grad.w"): TOTAL_W}
    k = load_key(key)
    rng = np.random.default_rng(2026)
    graded = 0
    for s in range(40):
        table: dict[str, dict] = {}
        for (pid, q), e in right.items():
            roll = s % 5
            if roll == 0:
                v = rng.normal(scale=10, size=e.shape)
            elif roll == 1:
                v = e + rng.normal(scale=0.5, size=e.shape)
            elif roll == 2:
                v = e.copy()
                v.flat[rng.integers(e.size)] *= -1
            elif roll == 3:
                v = e.copy()
                v.flat[rng.integers(e.size)] *= 5
            else:
                v = (e.T if e.ndim == 2 else e[::-1] * 5).copy()
                v.flat[rng.integers(e.size)] += 1
            table.setdefault(pid, {})[q] = v
        path = tmp_path / f"s{s}.toml"
        path.write_text(answers(table))
        for m in grade_file(k, str(path)).marks:
            if (m.problem, m.quantity) not in right:
                continue   # not answered: avg's grad.b and value
            assert not m.ok, (s, m.problem, m.quantity)
            graded += 1
            said = [] if m.diagnosis is None else [m.diagnosis.kind] + (
                [m.diagnosis.also.kind] if m.diagnosis.also else [])
            assert not {"transposed", "mean"} & set(said), (s, m.problem, m.quantity, m.given, said)
    assert graded == 40 * len(right)
