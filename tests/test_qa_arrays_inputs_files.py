"""QA: `--inputs` given twice, as an instructor does (a model's file and a data file).

It used to keep only the last file, silently: the first file's names then went missing
(a name error for a variable the user did give) or, worse, its values were replaced.
Now the files are merged; a name in two files, or in a file and on the command line,
is a usage error naming both places. Oracle: the two-layer loss and gradients written
out by hand in NumPy.
"""

from __future__ import annotations

import numpy as np

from conftest import assert_clean_error, run_cli


def two_layer_numpy(X, W1, b1, W2, b2, y):
    z = X @ W1 + b1
    h = np.maximum(z, 0)
    s = h @ W2 + b2
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    n = len(y)
    loss = -np.log(p[np.arange(n), y]).mean()
    ds = p.copy()
    ds[np.arange(n), y] -= 1
    ds /= n
    dW2, db2 = h.T @ ds, ds.sum(0)
    dz = (ds @ W2.T) * (z > 0)
    return loss, {"W1": X.T @ dz, "b1": dz.sum(0), "W2": dW2, "b2": db2, "X": dz @ W1.T}


PROGRAM = "s = relu(X @ W1 + b1) @ W2 + b2; cross_entropy(s, y)"


def test_a_model_file_and_a_data_file_are_both_read(tmp_path):
    rng = np.random.default_rng(7)
    model = {"W1": rng.standard_normal((4, 6)), "b1": rng.standard_normal(6),
             "W2": rng.standard_normal((6, 3)), "b2": rng.standard_normal(3)}
    data = {"X": rng.standard_normal((5, 4)), "y": np.array([0, 2, 1, 1, 0])}
    np.savez(tmp_path / "model.npz", **model)
    np.savez(tmp_path / "data.npz", **data)
    run = run_cli("grad", PROGRAM, "--inputs", str(tmp_path / "model.npz"),
                  "--inputs", str(tmp_path / "data.npz"), "--json")
    assert run.exit_code == 0, run.stderr
    loss, grads = two_layer_numpy(**model, **data)
    assert abs(run.json["value"] - loss) < 1e-12
    assert set(run.json["gradient"]) == set(grads)
    for name, g in grads.items():
        np.testing.assert_allclose(np.array(run.json["gradient"][name]), g, rtol=1e-10, atol=1e-14)


def test_a_npz_and_a_json_file_together(tmp_path):
    np.savez(tmp_path / "w.npz", w=np.array([1.0, -2.0, 0.5]))
    (tmp_path / "x.json").write_text('{"X": [[1, 2, 3], [4, 5, 6]]}')
    run = run_cli("eval", "sum(X @ w)", "--inputs", str(tmp_path / "w.npz"),
                  "--inputs", str(tmp_path / "x.json"), "--json")
    assert run.exit_code == 0, run.stderr
    assert run.json["value"] == float(np.sum(np.array([[1, 2, 3], [4, 5, 6]]) @ np.array([1, -2, 0.5])))


def test_one_name_in_two_files_is_a_usage_error_naming_both(tmp_path):
    np.savez(tmp_path / "a.npz", X=np.ones((2, 3)), w=np.ones(3))
    (tmp_path / "b.json").write_text('{"X": [[1, 2, 3], [4, 5, 6]]}')
    run = run_cli("grad", "sum(X @ w)", "--inputs", str(tmp_path / "a.npz"),
                  "--inputs", str(tmp_path / "b.json"), "--json")
    assert_clean_error(run, 2, "'X' is given a value twice", "a.npz", "b.json")
    assert run.json["error"]["kind"] == "usage"


def test_a_name_in_a_file_and_on_the_command_line_is_still_refused(tmp_path):
    np.savez(tmp_path / "m.npz", w=np.ones(3))
    np.savez(tmp_path / "d.npz", X=np.ones((2, 3)))
    run = run_cli("grad", "sum(X @ w)", "--inputs", str(tmp_path / "m.npz"),
                  "--inputs", str(tmp_path / "d.npz"), "-w", "[1, 2, 3]")
    assert_clean_error(run, 2, "'w' is given a value twice: on the command line", "m.npz")
