"""trace --html of an array program in a real browser (Playwright driving Chromium, headless).

The page steps through the forward and backward passes of an array program with the
shape on every wire, --steps' rule as the step's line, the node's value or gradient
summarised under it (at the pictures' 4 digits) and the whole array in the table, the
tooltip and the clicked node's panel (at 12). The numbers are checked against NumPy
derived by hand (a least-squares loss) and PyTorch's autograd (CS231n's two-layer net on
a batch of three). Every page is opened with a listener on every request: nothing but the
file itself may load (Page.close checks it).
"""

from __future__ import annotations

import json
import re

import numpy as np

from conftest import run_cli
from test_page_browser import chromium, open_page  # noqa: F401  (the browser and page fixtures)
from torch_oracle import oracle_torch

X = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
W = np.array([0.5, -1.0])
B = 0.1
Y = np.array([1.0, 0.0, 2.0])
LSQ = ["L = mean((X @ w + b - y)^2)", "-X", "[[1, 2], [3, 4], [5, 6]]", "-w", "[0.5, -1]",
       "-b", "0.1", "-y", "[1, 0, 2]"]


def least_squares_by_hand() -> tuple[dict, dict]:
    """Every node's value and gradient, by label, worked out with NumPy from the chain rule."""
    xw = X @ W
    xwb = xw + B
    r = xwb - Y
    sq = r ** 2
    L = sq.mean()
    d_sq = np.full(3, 1 / 3)        # mean: 1/n each
    d_r = d_sq * 2 * r              # ^2
    values = {"X": X, "w": W, "X @ w": xw, "b": B, "X @ w + b": xwb, "y": Y, "X @ w + b - y": r,
              "2": 2.0, "(X @ w + b - y)^2": sq, "L": L}
    grads = {"L": 1.0, "(X @ w + b - y)^2": d_sq, "X @ w + b - y": d_r, "y": -d_r,
             "X @ w + b": d_r, "b": d_r.sum(), "X @ w": d_r, "w": X.T @ d_r, "X": np.outer(d_r, W)}
    return values, grads


# -- reading what the page shows -------------------------------------------------------------

def parse(text: str):
    """'(3, 2) [[1, 2], …]' (an array with its shape, on lines that may break) or a number."""
    text = text.strip()
    m = re.fullmatch(r"\(([\d, ]*)\)\s+(\[.*\])", text, re.S)
    if not m:
        return float(text)
    shape = tuple(int(s) for s in m.group(1).replace(",", " ").split())
    a = np.array(json.loads(m.group(2)), dtype=float)
    assert a.shape == shape, text
    return a


def close(shown: str, want, digits: int) -> bool:
    got = parse(shown)
    return np.shape(got) == np.shape(want) and np.allclose(got, want, rtol=0.6 * 10.0 ** (1 - digits),
                                                           atol=1e-300)


def shape_text(a) -> str:
    s = np.shape(a)
    return "(" + ", ".join(map(str, s)) + ("," if len(s) == 1 else "") + ")"


def summary(page) -> str:
    return page.page.eval_on_selector("#summary", "e => e.hidden ? '' : e.textContent")


def green_labels(page) -> list[str]:
    return page.wire_labels("value")


def structure(args) -> dict:
    """The graph (ids, labels, inputs) from trace --json: what each node feeds."""
    run = run_cli("trace", *args, "--json")
    assert run.exit_code == 0, run.stderr
    return run.json


def wires_out(data) -> dict[int, int]:
    """How many wires leave each node (one per use, and the output's own)."""
    out = {n["id"]: 0 for n in data["nodes"]}
    for n in data["nodes"]:
        for j in n["inputs"]:
            out[j] += 1
    out[data["output"]] += 1
    return out


def walk(page, data, values, grads, forward: list[str], backward: list[str], end_line: str):
    """Press → through every step, checking each against the independent numbers."""
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    by_label = {v: k for k, v in labels.items()}
    outs = wires_out(data)
    steps = [("forward", lab) for lab in forward] + [("backward", lab) for lab in backward]
    revealed: list[int] = []
    count = page.counter()[1]
    for k, (phase, label) in enumerate(steps, 1):
        if k > 1:
            page.press("ArrowRight")
        i = by_label[label]
        assert page.counter() == (k, count)
        assert page.current_node() == [str(i)]
        assert page.heading().startswith("Forward pass" if phase == "forward" else "Backward pass")
        cells = page.row(i)
        assert cells[1] == label
        head, _, shown = summary(page).partition(" = ")
        if phase == "forward":
            revealed.append(i)
            assert close(shown, values[label], 4), (label, shown)         # the summary, 4 digits
            assert close(cells[5], values[label], 12), (label, cells[5])  # the table, 12 digits
            assert cells[4] == shape_text(values[label])                  # the shape column
            assert cells[6] == ""                                         # no gradient yet
            if np.ndim(values[label]):
                assert page.line().endswith("→ " + shape_text(values[label])) or \
                    page.line() == f"#{i:<4} {label}"                    # an input: its name
            # the green labels: every revealed node's shape (or number) on each of its wires
            arrays = sorted(shape_text(values[labels[j]]) for j in revealed
                            for _ in range(outs[j]) if np.ndim(values[labels[j]]))
            numbers = sorted(values[labels[j]] for j in revealed for _ in range(outs[j])
                             if not np.ndim(values[labels[j]]))
            shown_labels = green_labels(page)
            assert sorted(t for t in shown_labels if t.startswith("(")) == arrays
            assert np.allclose(sorted(float(t) for t in shown_labels if not t.startswith("(")),
                               numbers, rtol=1e-3)
        else:
            assert head.endswith(f"/∂{label}") or head.endswith(f"/∂#{i}")
            assert close(shown, grads[label], 4), (label, shown)
            assert close(cells[6], grads[label], 12), (label, cells[6])
            assert close(cells[5], values[label], 12)                     # the value stays
            if label != data["nodes"][data["output"]]["label"]:           # each use's rule
                rules = [ln for ln in page.line().split("\n") if ln.startswith("∂")]
                assert rules and all(ln.endswith("→ " + shape_text(grads[label])) for ln in rules)
            assert page.wire_labels("grad") == ["1"]                      # the output's wire
    page.press("End")
    assert page.heading() == "Done" and page.line() == end_line
    assert summary(page) == ""


def test_least_squares_steps_through_with_the_hand_numbers(open_page):
    values, grads = least_squares_by_hand()
    page = open_page(*LSQ)
    data = structure(LSQ)
    forward = ["X", "w", "X @ w", "b", "X @ w + b", "y", "X @ w + b - y", "2",
               "(X @ w + b - y)^2", "L"]
    backward = ["L", "(X @ w + b - y)^2", "X @ w + b - y", "y", "X @ w + b", "b", "X @ w", "w", "X"]
    assert page.counter() == (1, len(forward) + len(backward) + 1)   # and done
    assert page.line() == "#0    X"
    walk(page, data, values, grads, forward, backward,
         "reverse mode: 9 local-derivative products (one backward pass)")   # one a wire: 9
    # the table after the last step: the shape column and every gradient, X's whole
    assert page.row(0)[4] == "(3, 2)"
    assert close(page.row(0)[6], np.outer(grads["X @ w"], W), 12)
    assert page.row(7)[6] == ""                   # the constant 2: no gradient unless asked


def test_the_rule_lines_are_the_steps_rules(open_page):
    page = open_page(*LSQ)
    page.press("End")
    page.press("ArrowLeft")                       # X's step, the last of the backward pass
    assert page.line() == "∂L/∂X = outer(∂L/∂#2, w): (3,) ⊗ (2,) → (3, 2)"
    text = run_cli("trace", *LSQ, "--steps").stdout
    assert "  " + page.line() + "\n" in text      # the same words as --steps
    page.press("ArrowLeft")
    assert page.line() == "∂L/∂w = transpose(X) @ ∂L/∂#2: (2, 3) @ (3,) → (2,)"


def test_hover_and_click_show_the_whole_array(open_page):
    values, grads = least_squares_by_hand()
    page = open_page(*LSQ)
    page.page.hover('#view svg [data-node="0"]')  # X, before anything is computed
    tip = page.page.inner_text("#tip")
    assert "shape (3, 2)" in tip
    page.press("End")
    page.page.mouse.move(2, 2)
    page.page.hover('#view svg [data-node="0"]')
    tip = page.page.inner_text("#tip")
    assert tip.splitlines()[0] == "#0  X  (input)"
    value = tip[tip.index("value ") + 6:tip.index("∂L/∂node")]
    assert close(value, X, 12)                    # all six numbers, in rows that stay aligned
    assert close(tip[tip.index("∂L/∂node ") + 9:], grads["X"], 12)
    lines = tip.splitlines()                      # value (3, 2) [[1, 2], / [3, 4], …: rows aligned
    first = next(k for k, ln in enumerate(lines) if ln.startswith("value "))
    assert lines[first].index("[[") + 1 == lines[first + 1].index("[") == lines[first + 2].index("[")
    page.page.mouse.move(2, 2)
    page.page.click('#view svg [data-node="6"]')  # the residual: its row, whole
    panel = page.page.inner_text("#selected")
    assert "X @ w + b - y" in panel and "(3,)" in panel
    field = page.page.eval_on_selector_all(
        "#selected .field", "fs => fs.map(f => [f.querySelector('b').textContent, "
        "f.textContent.slice(f.querySelector('b').textContent.length)])")
    fields = dict(field)
    assert close(fields["value"], values["X @ w + b - y"], 12)
    assert close(fields["∂L/∂node"], grads["X @ w + b - y"], 12)
    assert page.page.eval_on_selector("#nodes tr.selected", "tr => tr.dataset.node") == "6"


def test_constants_gradient_joins_when_asked(open_page):
    """L = sum(3 * X): ∂L/∂X = 3 everywhere, ∂L/∂3 = sum(X) = 10 by hand."""
    page = open_page("L = sum(3 * X)", "-X", "[[1, 2], [3, 4]]")
    page.press("End")
    total = page.counter()[1]
    assert total == 4 + 3 + 1                     # 4 nodes forward; L, the product, X back; done
    assert page.row(0)[6] == ""                   # the constant 3 (node 0), hidden
    page.page.check("#constants")
    assert page.counter()[1] == total + 1
    assert close(page.row(0)[6], 10.0, 12)
    assert close(page.row(1)[6], np.full((2, 2), 3.0), 12)


def test_cs231n_two_layer_net_against_pytorch(open_page, tmp_path):
    """examples/two_layer.gc on a batch of three: every value and gradient, at every step,
    against PyTorch's autograd (retain_grad on every intermediate)."""
    torch = oracle_torch()
    rng = np.random.default_rng(3)
    inputs = {"X": rng.normal(size=(3, 2)), "W1": 0.5 * rng.normal(size=(2, 4)),
              "b1": 0.1 * rng.normal(size=4), "W2": 0.5 * rng.normal(size=(4, 3)),
              "b2": 0.1 * rng.normal(size=3), "y": np.array([0.0, 2.0, 1.0]), "reg": np.float64(0.05)}
    np.savez(tmp_path / "tiny.npz", **inputs)
    program = "examples/two_layer.gc"
    args = ["@" + program, "--inputs", str(tmp_path / "tiny.npz")]

    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=k != "y") for k, v in inputs.items()}
    nodes = {"X": t["X"], "W1": t["W1"], "b1": t["b1"], "W2": t["W2"], "b2": t["b2"], "y": t["y"],
             "reg": t["reg"]}
    nodes["X @ W1"] = t["X"] @ t["W1"]
    nodes["z1"] = nodes["X @ W1"] + t["b1"]
    nodes["h"] = torch.relu(nodes["z1"])
    nodes["h @ W2"] = nodes["h"] @ t["W2"]
    nodes["scores"] = nodes["h @ W2"] + t["b2"]
    nodes["data_loss"] = torch.nn.functional.cross_entropy(nodes["scores"], t["y"].long())
    nodes["W1 * W1"] = t["W1"] * t["W1"]
    nodes["sum(W1 * W1)"] = nodes["W1 * W1"].sum()
    nodes["W2 * W2"] = t["W2"] * t["W2"]
    nodes["sum(W2 * W2)"] = nodes["W2 * W2"].sum()
    nodes["sum(W1 * W1) + sum(W2 * W2)"] = nodes["sum(W1 * W1)"] + nodes["sum(W2 * W2)"]
    nodes["reg * (sum(W1 * W1) + sum(W2 * W2))"] = t["reg"] * nodes["sum(W1 * W1) + sum(W2 * W2)"]
    nodes["L"] = nodes["data_loss"] + nodes["reg * (sum(W1 * W1) + sum(W2 * W2))"]
    for k, v in nodes.items():
        if v.requires_grad and not v.is_leaf:
            v.retain_grad()
    nodes["L"].backward()
    values = {k: v.detach().numpy() for k, v in nodes.items()}
    grads = {k: v.grad.numpy() for k, v in nodes.items() if v.grad is not None}
    grads["L"] = 1.0

    data = structure(args)
    labels = [n["label"] for n in data["nodes"]]
    assert sorted(labels) == sorted(nodes)        # one PyTorch tensor for every node
    page = open_page(*args)
    forward = labels                              # inputs first, in the program's order
    backward = [lab for lab in reversed(labels) if lab != "y"]
    walk(page, data, values, grads, forward, backward,
         f"reverse mode: {sum(len(n['inputs']) for n in data['nodes'])} local-derivative "
         "products (one backward pass)")          # one a wire, as in the least squares
    page.press("ArrowLeft")                       # before done: y, the class indices
    assert page.line() == "no gradient (class indices): #10 y"
    assert page.row(10)[6] == "no gradient (class indices)"
    assert np.allclose(parse(page.row(labels.index("W1"))[6]), grads["W1"], rtol=1e-11)


def test_a_200_node_array_network_steps_to_the_end(open_page, tmp_path):
    """h_k = relu(h_{k-1} @ W + b), 66 layers and mean(h_66): 202 nodes. W's and b's
    gradients against the backward pass written out with NumPy (a sum over the layers)."""
    layers = 66
    rng = np.random.default_rng(4)
    X0 = rng.uniform(0.5, 1.5, size=(4, 5))
    W0 = 0.9 * np.eye(5) + 0.05 * rng.normal(size=(5, 5))
    B0 = np.full(5, 0.01)
    np.savez(tmp_path / "net.npz", X=X0, W=W0, b=B0)
    src = tmp_path / "net.txt"
    src.write_text("; ".join(f"h{k} = relu({'X' if k == 1 else f'h{k - 1}'} @ W + b)"
                             for k in range(1, layers + 1)) + f"; mean(h{layers})")
    hs, zs = [X0], []
    for _ in range(layers):
        zs.append(hs[-1] @ W0 + B0)
        hs.append(np.maximum(zs[-1], 0))
    dh = np.full(hs[-1].shape, 1 / hs[-1].size)
    dW, db = np.zeros_like(W0), np.zeros_like(B0)
    for k in range(layers - 1, -1, -1):
        dz = dh * (zs[k] > 0)
        dW += hs[k].T @ dz
        db += dz.sum(axis=0)
        dh = dz @ W0.T
    page = open_page("@" + str(src), "--inputs", str(tmp_path / "net.npz"))
    assert len(page.page.query_selector_all("#nodes tbody tr")) == 3 + 3 * layers + 1
    total = page.counter()[1]
    assert total == 2 * (3 + 3 * layers + 1) + 1       # every node forward and back, done
    for k in range(2, total + 1):
        page.press("ArrowRight")
        if k % 80 == 0 and page.current_node():      # the current node is kept in view
            inside = page.page.evaluate(
                """id => { const b = document.querySelector(`#view svg [data-node="${id}"]`).getBBox();
                           const v = document.querySelector('#view svg').viewBox.baseVal;
                           return b.x >= v.x && b.y >= v.y && b.x + b.width <= v.x + v.width
                                  && b.y + b.height <= v.y + v.height; }""", page.current_node()[0])
            assert inside
    assert page.heading() == "Done"
    rows = {page.row(i)[1]: page.row(i) for i in range(3 + 3 * layers + 1)}
    assert close(rows["W"][6], dW, 12) and close(rows["b"][6], db, 12)
    assert close(rows["X"][6], dh, 12)
    assert close(rows[f"h{layers}"][5], hs[-1], 12)
