"""Binding an array (SPEC §6): literals, @FILE (.npy/.csv/.json/.npz), --inputs, zeros/ones/randn/rand.

The oracle is NumPy itself: the array written in the test, and numpy.random.default_rng(seed)
drawing the documented way (README "Arrays: binding values").
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import assert_clean_error, run_cli
from gradcli.program.bindings import bind, resolve
from gradcli.errors import GradNameError, GradValueError


def value_of(text, seed=0, name="W"):
    """What `-W TEXT --seed SEED` binds W to."""
    return bind([name], [], resolve({name: text}, seed))[name]


# -- literals ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("[[1, 2], [3, 4]]", [[1, 2], [3, 4]]),
    ("[1, -2.5, 3e2]", [1, -2.5, 300]),
    ("[.5, +1, 1.]", [0.5, 1, 1]),                       # not JSON: read by the scanner
    ("[pi/4, 2^0.5, -1e-3]", [np.pi / 4, 2 ** 0.5, -1e-3]),
    ("[[max(1, 2), log(e)], [sqrt(9), -(2)]]", [[2, 1], [3, -2]]),   # commas inside calls
    ("  [ [1] , [2] ]  ", [[1], [2]]),
    ("[[[1, 2]], [[3, 4]]]", [[[1, 2]], [[3, 4]]]),
])
def test_literal(text, expected):
    got = value_of(text)
    assert isinstance(got, np.ndarray) and got.dtype == np.float64
    np.testing.assert_array_equal(got, np.array(expected, dtype=float))


def test_a_big_literal_is_read_whole():
    a = np.random.default_rng(3).standard_normal((300, 40))
    text = json.dumps(a.tolist())
    np.testing.assert_array_equal(value_of(text), a)


def test_scalar_bindings_are_unchanged():
    # the scalar path: floats, not arrays, and the same values as before
    got = bind(["x", "y", "z"], [], resolve({"x": "pi/4", "y": "2", "z": "log(2)"}))
    assert got == {"x": np.pi / 4, "y": 2.0, "z": np.log(2)}
    assert all(type(v) is float for v in got.values())


@pytest.mark.parametrize("text, fragment", [
    ("[[1, 2], [3]]", "ragged literal: element [1] has 1 element where element [0] has 2"),
    ("[[1, 2], 3]", "ragged literal: element [1] is a number where element [0] is a list of 2"),
    ("[[1, 2], [pi]]", "ragged literal: element [1] has 1 element where element [0] has 2 (shape (1,), not (2,))"),
    ("[1, , 2]", "has an empty element"),
    ("[1, 2,]", "has an empty element"),
    ("[1, 2", "missing a closing ']'"),
    ("[1, 2]]", "text after its closing ']'"),
    ("[[1, 2] [3, 4]]", "missing a ','"),
    ("[]", "is empty (shape (0,))"),
    ("[a, 1]", "bad element: the element 'a' is not a number"),
    ("[1, abc(2)]", "bad element"),
    ('["1"]', "bad element"),
    ("[1e400]", "not a finite number (inf)"),
    ("[log(0)]", "cannot be computed"),
    ("[" * 40 + "1" + "]" * 40, "nested too deeply"),
])
def test_bad_literal_is_a_value_error(text, fragment):
    with pytest.raises(GradValueError) as info:
        value_of(text)
    assert fragment in info.value.message, info.value.message
    run = run_cli("eval", "sum(W)", "-W", text, "--json")
    assert_clean_error(run, 2, fragment)
    assert run.json["error"]["kind"] == "value"


def test_deep_nesting_is_refused_not_a_crash():
    text = "[" * 100_000 + "1" + "]" * 100_000
    assert_clean_error(run_cli("eval", "W", "-W", text), 2, "nested too deeply")


# -- zeros, ones, randn, rand ---------------------------------------------------------------

def test_constructors_and_the_documented_generator():
    np.testing.assert_array_equal(value_of("zeros(3)"), np.zeros(3))
    np.testing.assert_array_equal(value_of("ones(2, 3)"), np.ones((2, 3)))
    np.testing.assert_array_equal(value_of("randn(16, 2)", seed=5),
                                  np.random.default_rng(5).standard_normal((16, 2)))
    np.testing.assert_array_equal(value_of("rand(4)", seed=7), np.random.default_rng(7).random(4))
    # an expression around the draws, computed elementwise
    np.testing.assert_allclose(value_of("0.5*randn(2, 16) + 1"),
                               0.5 * np.random.default_rng(0).standard_normal((2, 16)) + 1)
    np.testing.assert_array_equal(value_of("[ones(2), zeros(2)]"), [[1, 1], [0, 0]])


@pytest.mark.parametrize("typed, shape", [("ones(2,)", (2,)), ("zeros(2, 3,)", (2, 3)),
                                          ("rand(4, )", (4,))])
def test_one_trailing_comma_is_allowed_as_python_allows_it(typed, shape):
    # np.ones(2,) is np.ones(2); a comma with no size before it is still refused (below).
    assert value_of(typed).shape == shape


@pytest.mark.parametrize("typed", ["ones(,)", "ones(2,,)", "ones(,2)"])
def test_a_missing_size_is_refused(typed):
    assert_clean_error(run_cli("eval", "sum(W)", "-W", typed), 2, "takes sizes")


def test_draws_follow_the_command_line_order_from_one_generator():
    got = bind(["A", "B"], [], resolve({"A": "randn(3)", "B": "randn(2, 2)"}, seed=11))
    rng = np.random.default_rng(11)
    np.testing.assert_array_equal(got["A"], rng.standard_normal(3))
    np.testing.assert_array_equal(got["B"], rng.standard_normal((2, 2)))


def test_default_seed_is_zero_and_reproducible():
    np.testing.assert_array_equal(value_of("randn(5)"), np.random.default_rng(0).standard_normal(5))
    assert not np.array_equal(value_of("randn(5)", seed=1), value_of("randn(5)", seed=0))


@pytest.mark.parametrize("text, fragment", [
    ("randn(2.5, 3)", "'2.5' is not one"),
    ("randn(0)", "'0' is not one"),
    ("zeros(-1)", "'-1' is not one"),
    ("rand(2, , 3)", "bad shape"),  # rand(2, ) is rand(2), as in Python
    ("randn(x)", "not a number or a constant expression"),
    ("randn(2, 3", "missing a ')'"),
    ("randn(100000, 100000)", "too large"),
    ("ones(2) + ones(3)", "shapes (2,) (3,) do not broadcast"),
    ("randn(2) + y", "not one constant expression"),
])
def test_bad_constructor_is_a_value_error(text, fragment):
    run = run_cli("eval", "sum(W)", "-W", text, "--json")
    assert_clean_error(run, 2, fragment)
    assert run.json["error"]["kind"] == "value"


def test_constructors_are_not_functions_of_the_language():
    run = run_cli("eval", "sum(randn(2))", "--json")
    assert run.exit_code == 2 and run.json["error"]["kind"] == "name"


# -- files ------------------------------------------------------------------------------------

def test_array_files(tmp_path):
    a = np.arange(6.0).reshape(3, 2) - 2.5
    np.save(tmp_path / "a.npy", a)
    np.save(tmp_path / "i.npy", np.array([[1, 2]], dtype=np.int32))
    (tmp_path / "a.csv").write_text("1, 2.5\n-3,4e1\n\n")
    (tmp_path / "row.csv").write_text("1,2,3\n")
    (tmp_path / "a.json").write_text("[[1, 2], [3, 4.5]]")
    (tmp_path / "s.json").write_text("7")
    np.testing.assert_array_equal(value_of(f"@{tmp_path}/a.npy"), a)
    np.testing.assert_array_equal(value_of(f"@{tmp_path}/i.npy"), [[1.0, 2.0]])
    np.testing.assert_array_equal(value_of(f"@{tmp_path}/a.csv"), [[1, 2.5], [-3, 40]])
    row = value_of(f"@{tmp_path}/row.csv")
    assert row.shape == (1, 3)  # a CSV is always a matrix
    np.testing.assert_array_equal(value_of(f"@{tmp_path}/a.json"), [[1, 2], [3, 4.5]])
    assert value_of(f"@{tmp_path}/s.json") == 7.0


def test_npz_takes_the_array_named_like_the_variable(tmp_path):
    np.savez(tmp_path / "hw.npz", W=np.eye(2), b=np.array([1.0, 2.0]))
    np.testing.assert_array_equal(value_of(f"@{tmp_path}/hw.npz", name="b"), [1.0, 2.0])
    np.savez(tmp_path / "one.npz", anything=np.ones(3))
    np.testing.assert_array_equal(value_of(f"@{tmp_path}/one.npz", name="q"), np.ones(3))


@pytest.mark.parametrize("name, content, fragment", [
    ("ragged.json", "[[1, 2], [3]]", "ragged"),
    ("words.json", '[[1, "a"]]', 'the element at [0, 1] is the string "a", not a number'),
    ("nan.json", "[1, NaN]", "NaN, which is not a finite number"),
    ("bad.json", "[1, 2", "is not JSON"),
    ("null.json", "null", "holds a null"),
    ("ragged.csv", "1,2\n3\n", "ragged: line 2 has 1 numbers where the first row has 2"),
    ("header.csv", "a,b\n1,2\n", "line 1, column 1: 'a' is not a number"),
    ("words.csv", "1,2\n3,x\n", "line 2, column 2: 'x' is not a number"),
    ("empty.csv", "\n\n", "holds no numbers"),
    ("inf.csv", "1,2\n3,1e999\n", "not a finite number (inf) at [1, 1]"),
    ("bin.csv", b"\xff\xfe1", "not UTF-8"),
    ("text.npy", "hello", "not a NumPy .npy file"),
    ("text.npz", "hello", "not a NumPy .npz file"),
    ("W.txt", "1", "file of unknown kind"),
])
def test_bad_array_file_is_a_value_error(tmp_path, name, content, fragment):
    path = tmp_path / name
    (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
    run = run_cli("eval", "sum(W)", "-W", f"@{path}", "--json")
    assert_clean_error(run, 2, fragment)
    assert run.json["error"]["kind"] == "value"


def test_npy_of_strings_or_objects_is_refused_and_never_unpickled(tmp_path):
    np.save(tmp_path / "s.npy", np.array(["a", "b"]))
    np.save(tmp_path / "c.npy", np.array([1 + 2j]))
    np.save(tmp_path / "o.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    for name, fragment in (("s", "holds strings"), ("c", "holds complex numbers"),
                           ("o", "holds Python objects, which gradcli does not load")):
        run = run_cli("eval", "sum(W)", "-W", f"@{tmp_path}/{name}.npy", "--json")
        assert_clean_error(run, 2, fragment)
        assert run.json["error"]["kind"] == "value"


def test_wrong_npz_key(tmp_path):
    np.savez(tmp_path / "hw.npz", X=np.ones(2), y=np.zeros(2))
    run = run_cli("eval", "sum(W)", "-W", f"@{tmp_path}/hw.npz", "--json")
    assert_clean_error(run, 2, "has no array named 'W' (it holds 'X' and 'y')")
    assert run.json["error"]["kind"] == "value"


def test_missing_file_is_a_usage_error(tmp_path):
    run = run_cli("eval", "sum(W)", "-W", f"@{tmp_path}/nope.npy", "--json")
    assert_clean_error(run, 2, "cannot read the array file", "No such file")
    assert run.json["error"]["kind"] == "usage"
    run = run_cli("eval", "sum(W)", "--inputs", f"{tmp_path}/nope.npz", "--json")
    assert_clean_error(run, 2, "cannot read the --inputs file")
    assert run.json["error"]["kind"] == "usage"


def test_a_device_is_refused():
    assert_clean_error(run_cli("eval", "sum(W)", "-W", "@/dev/zero.npy"), 2)
    run = run_cli("eval", "sum(W)", "--inputs", "/dev/zero", "--json")
    assert run.exit_code == 2 and run.json["error"]["kind"] == "usage"


# -- --inputs ---------------------------------------------------------------------------------

def test_inputs_file_npz_and_json(tmp_path):
    from gradcli.data.array_files import read_inputs

    np.savez(tmp_path / "hw.npz", X=np.arange(4.0).reshape(2, 2), b=np.float64(0.5))
    got = read_inputs(str(tmp_path / "hw.npz"))
    np.testing.assert_array_equal(got["X"], [[0, 1], [2, 3]])
    assert got["b"] == 0.5 and type(got["b"]) is float
    (tmp_path / "hw.json").write_text(json.dumps({"w": [1, 2], "b": 3, "W": "randn(2)"}))
    got = read_inputs(str(tmp_path / "hw.json"))
    np.testing.assert_array_equal(got["w"], [1, 2])
    assert got["b"] == 3.0 and got["W"] == "randn(2)"


@pytest.mark.parametrize("content, fragment, kind", [
    ('[1, 2]', "holds a JSON list, not an object", "value"),
    ('{"w": [[1], [2, 3]]}', "ragged", "value"),
    ('{"w": {"a": 1}}', "holds a object", "value"),
    ('{"2w": 1}', "'2w' in", "value"),
    ('{"w": [1, 2], "q": 1}', "does not use variable 'q' (given in --inputs", "name"),
])
def test_bad_inputs_file(tmp_path, content, fragment, kind):
    (tmp_path / "in.json").write_text(content)
    run = run_cli("eval", "w*1", "--inputs", str(tmp_path / "in.json"), "--json")
    assert_clean_error(run, 2, fragment)
    assert run.json["error"]["kind"] == kind


def test_inputs_needs_npz_or_json(tmp_path):
    (tmp_path / "in.csv").write_text("1,2\n")
    run = run_cli("eval", "sum(w)", "--inputs", str(tmp_path / "in.csv"), "--json")
    assert_clean_error(run, 2, "--inputs takes a .npz or a .json file")
    assert run.json["error"]["kind"] == "usage"


def test_a_name_in_inputs_and_on_the_command_line_is_given_twice(tmp_path):
    (tmp_path / "in.json").write_text('{"w": [1, 2]}')
    run = run_cli("eval", "sum(w)", "--inputs", str(tmp_path / "in.json"), "-w", "[3, 4]", "--json")
    assert_clean_error(run, 2, "'w' is given a value twice")
    assert run.json["error"]["kind"] == "usage"


def test_api_takes_arrays_and_nested_lists():
    got = bind(["A", "B", "c"], [], {"A": np.eye(2), "B": ((1, 2), (3, 4)), "c": np.float64(2)})
    np.testing.assert_array_equal(got["A"], np.eye(2))
    np.testing.assert_array_equal(got["B"], [[1, 2], [3, 4]])
    assert got["c"] == 2.0 and type(got["c"]) is float
    with pytest.raises(GradValueError, match="ragged"):
        bind(["A"], [], {"A": [[1, 2], [3]]})
    with pytest.raises(GradValueError, match="holds strings"):
        bind(["A"], [], {"A": np.array(["x"])})


def test_unknown_name_error_still_comes_first():
    with pytest.raises(GradNameError):
        bind(["w"], [], {"w": "[1]", "v": "[2]"})
