"""`grad --check` on a big array: 500 elements chosen at random (README "Checking big arrays").

The oracle is the derivative worked by hand with NumPy, ∂/∂X sum(sin(X) * X) =
cos(X)·X + sin(X), at the sampled indices; the sample is drawn from --seed.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import assert_clean_error, run_cli

from gradcli.errors import GradUsageError
from gradcli.homework.gradcheck import SAMPLE as MAX_ELEMENTS, check_gradient

PROGRAM = "sum(sin(X) * X)"


def big_x(shape=(40, 30)) -> np.ndarray:   # 1,200 elements: more than MAX_ELEMENTS
    return np.random.default_rng(7).standard_normal(shape)


def by_hand(x: np.ndarray) -> np.ndarray:
    return np.cos(x) * x + np.sin(x)


def label(ix) -> str:
    return f"X[{', '.join(map(str, ix))}]"


def npy(tmp_path, x) -> str:
    path = tmp_path / "x.npy"
    np.save(path, x)
    return "@" + str(path)


def test_a_big_array_is_checked_at_a_sample_that_agrees_with_the_hand_derivative():
    x = big_x()
    rep = check_gradient(PROGRAM, {"X": x}, max_elements=MAX_ELEMENTS)
    sample = rep.sampled["X"]
    assert sample.size == x.size and len(sample.indices) == MAX_ELEMENTS == len(rep.rows)
    assert len(set(sample.indices)) == MAX_ELEMENTS                     # no element twice
    assert sample.indices == sorted(sample.indices)                      # row-major order
    assert all(0 <= i < 40 and 0 <= j < 30 for i, j in sample.indices)
    truth = by_hand(x)
    assert rep.ok
    for ix, row in zip(sample.indices, rep.rows):
        assert row.name == label(ix)
        assert row.analytic == pytest.approx(truth[ix], rel=1e-12, abs=1e-12)
        assert row.numeric == pytest.approx(truth[ix], rel=1e-6, abs=1e-6)


def test_a_wrong_gradient_fails_the_sampled_check():
    x = big_x()
    wrong = np.cos(x) * x          # the sin(X) term forgotten
    rep = check_gradient(PROGRAM, {"X": x}, max_elements=MAX_ELEMENTS, analytic={"X": wrong})
    assert not rep.ok
    truth = by_hand(x)
    for ix, row in zip(rep.sampled["X"].indices, rep.rows):   # wrong exactly where the term matters
        assert (row.status == "wrong") == (abs(truth[ix] - wrong[ix]) > 1e-5 + 1e-3 * abs(truth[ix]))


def test_one_wrong_element_is_caught_when_sampled_and_missed_otherwise():
    x = big_x()
    indices = check_gradient(PROGRAM, {"X": x}, max_elements=MAX_ELEMENTS, seed=3).sampled["X"].indices
    outside = next(ix for ix in np.ndindex(*x.shape) if ix not in set(indices))
    for ix, caught in ((indices[17], True), (outside, False)):
        wrong = by_hand(x)
        wrong[ix] += 1.0
        rep = check_gradient(PROGRAM, {"X": x}, max_elements=MAX_ELEMENTS, analytic={"X": wrong}, seed=3)
        assert rep.ok is not caught
        assert [r.name for r in rep.rows if r.status == "wrong"] == ([label(ix)] if caught else [])


def test_the_sample_is_reproducible_with_the_seed(tmp_path):
    x = npy(tmp_path, big_x())
    runs = {seed: run_cli("grad", PROGRAM, "-X", x, "--check-sample", "500", "--json", "--seed", seed)
            for seed in ("0", "1")}
    again = run_cli("grad", PROGRAM, "-X", x, "--check-sample", "500", "--json", "--seed", "1")
    assert all(r.exit_code == 0 for r in (*runs.values(), again))
    picked = {s: r.json["check"]["sample"]["sampled"]["X"]["indices"] for s, r in runs.items()}
    assert again.json["check"]["sample"]["sampled"]["X"]["indices"] == picked["1"]
    assert picked["0"] != picked["1"]
    assert runs["1"].json["check"]["sample"]["seed"] == 1
    # the default seed is 0
    default = run_cli("grad", PROGRAM, "-X", x, "--check-sample", "500", "--json")
    assert default.json["check"]["sample"]["sampled"]["X"]["indices"] == picked["0"]


def test_json_lists_the_checked_indices(tmp_path):
    x = big_x()
    run = run_cli("grad", PROGRAM, "-X", npy(tmp_path, x), "--check-sample", "500", "--json")
    assert run.exit_code == 0
    check = run.json["check"]
    sample = check["sample"]
    assert sample["max_elements"] == MAX_ELEMENTS
    entry = sample["sampled"]["X"]
    assert entry["size"] == 1200 and entry["checked"] == MAX_ELEMENTS == len(entry["indices"])
    assert list(check["gradient"]) == [label(ix) for ix in entry["indices"]]
    truth = by_hand(x)
    for ix in entry["indices"]:
        assert check["gradient"][label(ix)]["numeric"] == pytest.approx(truth[tuple(ix)], rel=1e-6, abs=1e-6)


def test_the_human_output_says_it_sampled(tmp_path):
    run = run_cli("grad", PROGRAM, "-X", npy(tmp_path, big_x()), "--check-sample", "500", "--seed", "5")
    assert run.exit_code == 0, run.stderr
    text = " ".join(run.stdout.split())
    assert "checked 500 of 1,200 elements of X, chosen at random (seed 5;" in text
    assert "--check without --check-sample checks every one" in text


@pytest.mark.parametrize("shape", [(20, 25), (7,), ()])   # 500 elements or fewer: every one
def test_small_arrays_still_check_every_element(tmp_path, shape):
    x = big_x(shape)
    run = run_cli("grad", PROGRAM, "-X", npy(tmp_path, x), "--check", "--json")
    assert run.exit_code == 0
    check = run.json["check"]
    assert check["sample"]["sampled"] == {}
    expected = [label(ix) if ix else "X" for ix in np.ndindex(*shape)]
    assert list(check["gradient"]) == expected
    assert "chosen at random" not in run_cli("grad", PROGRAM, "-X", npy(tmp_path, x), "--check").stdout


def test_check_checks_every_element_of_a_bigger_array(tmp_path):
    # SPEC §6: --check compares every element; only --check-sample N samples
    x = big_x((30, 20))     # 600 elements
    run = run_cli("grad", PROGRAM, "-X", npy(tmp_path, x), "--check", "--json")
    assert run.exit_code == 0
    check = run.json["check"]
    assert check["sample"] == {"max_elements": None, "seed": 0, "sampled": {}}
    assert list(check["gradient"]) == [label(ix) for ix in np.ndindex(30, 20)]
    truth = by_hand(x)
    assert all(check["gradient"][label(ix)]["numeric"] == pytest.approx(truth[ix], rel=1e-6, abs=1e-6)
               for ix in np.ndindex(30, 20))


def test_each_big_array_is_sampled_on_its_own(tmp_path):
    x, w = big_x(), big_x((600,))
    run = run_cli("grad", "sum(sin(X) * X) + sum(w * w)", "-X", npy(tmp_path, x),
                  "-w", "@" + str(_save(tmp_path / "w.npy", w)), "--check-sample", "500", "--json")
    assert run.exit_code == 0
    sampled = run.json["check"]["sample"]["sampled"]
    assert sampled["X"]["size"] == 1200 and sampled["w"]["size"] == 600
    assert len(run.json["check"]["gradient"]) == 2 * MAX_ELEMENTS
    for (k,) in sampled["w"]["indices"]:
        got = run.json["check"]["gradient"][f"w[{k}]"]["numeric"]
        assert got == pytest.approx(2 * w[k], rel=1e-6, abs=1e-6)


def _save(path, arr):
    np.save(path, arr)
    return path


def test_f_s_rounding_is_allowed_for(tmp_path):
    """sum(X * X) on 10^6 elements is about 10^6: its last place (1e-10) over eps 1e-6
    makes the central difference uncertain at 1e-4, more than atol 1e-5."""
    x = np.random.default_rng(0).standard_normal((1000, 1000))
    rep = check_gradient("sum(X * X)", {"X": x}, max_elements=MAX_ELEMENTS)
    assert rep.ok and rep.rounding > 1e-4
    pairs = [(abs(row.numeric - 2 * x[ix]), abs(2 * x[ix]))
             for ix, row in zip(rep.sampled["X"].indices, rep.rows)]
    # the plain tolerance alone would fail some element…
    assert any(err > 1e-5 + 1e-3 * truth for err, truth in pairs)
    # …and every difference is within the rounding allowed
    assert all(err <= 1e-5 + 1e-3 * truth + rep.rounding for err, truth in pairs)


def test_max_elements_must_be_positive():
    with pytest.raises(GradUsageError, match="at least 1"):
        check_gradient(PROGRAM, {"X": big_x()}, max_elements=0)


def test_a_long_check_of_every_element_says_so_before_it_starts():
    from gradcli.homework.gradcheck import LONG

    told = []

    class Stop(Exception):
        pass

    def notice(total):
        told.append(total)
        raise Stop                      # the notice comes before any element is checked

    x = np.zeros((LONG // 100 + 1, 100))
    with pytest.raises(Stop):
        check_gradient(PROGRAM, {"X": x}, notice=notice)
    assert told == [x.size]
    small = check_gradient(PROGRAM, {"X": big_x()}, notice=notice)   # 1,200: no notice
    assert small.ok and told == [x.size] and len(small.rows) == 1200
