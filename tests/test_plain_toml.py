"""gradcli.homework.plain_toml reads plain answer files exactly as tomllib does, and
declines (None) everything else, so that tomllib reads it or reports the error."""

from __future__ import annotations

import random

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from gradcli.homework.plain_toml import loads

SAME = [
    "", "\n\n", "# only a comment\n", 'student = "Ada"\n[p1]\nvalue = -12\n',
    "[p1]\r\nvalue = 3\r\ngrad.x = -4 # a comment\r\n", "[ p1 ]\n  grad . x = 1\n".replace(" . ", "."),
    "[p1]\ngrad.x = 1\ngrad.y = 2.5\nvalues.q = 1e-3\n", '[p1]\n"grad.x" = "2421/98"\n',
    "[p1]\nvalue = 1_000\nvalue2 = 1_0.5e1_0\n", "[p1]\nv = +5\nw = -0\nx = -0.0\ny = 0.5\nz = 1E5\n",
    "[p1]\nv = true\nw = false\n", "[p1]\nv = 'pi/4'\n", "[1]\n2 = 3\n", '[p1]\n"" = 1\n',
    "\t[p1]\t# tab\n\tvalue\t=\t2\t\n", "[p1]\nv = 'has # inside'\n", '[p1]\nv = "a # b"\n',
    "[p1]\nv = 1e05\n", "[p1]\nv = 123456789012345678901234567890\n",
]
DECLINED = [
    "[p1]\nvalue = 00.5\n", "[p1]\nvalue = .5\n", "[p1]\nvalue = 5.\n", "[p1]\nvalue = 1__0\n",
    "[p1]\nvalue = inf\n", "[p1]\nvalue = nan\n", "[p1]\nvalue = 0x1F\n", "[p1]\nvalue = [1, 2]\n",
    "[p1]\nvalue = { a = 1 }\n", '[p1]\nv = "esc\\"aped"\n', "[p1]\nv = 1979-05-27\n",
    "[[problem]]\nid = 1\n", "[p1]\n[p1]\n", "[p1]\nv = 1\nv = 2\n", "[p1]\ngrad = 1\ngrad.x = 2\n",
    "p1.value = 3\n[p1]\n", "[p1.grad]\nx = 1\n", "[p1]\nv = 1\rw = 2\n", "[p1]\nv = 1\x00\n",
    "[p1\nvalue = 1\n", "[p1]\nvalue 1\n", "[p1]\nv = 'a\x07b'\n", '[p1]\nv = """x"""\n',
    "[p1]\nvalue = 1 2\n", "[p1]\nv = _1\n", "[p1]\nv = 1_\n", "[p1]\nv = 1e\n", "[p1]\nv = True\n",
    "[p1]\nv = " + "9" * 5000 + "\n",
]


@pytest.mark.parametrize("text", SAME)
def test_the_same_as_tomllib(text):
    assert loads(text) == tomllib.loads(text)
    got = loads(text)
    assert got is not None and _types(got) == _types(tomllib.loads(text))


def _types(obj):
    return {k: _types(v) if isinstance(v, dict) else (type(v), repr(v)) for k, v in obj.items()}


@pytest.mark.parametrize("text", DECLINED)
def test_declines_the_rest(text):
    assert loads(text) is None


def test_random_lines_never_disagree():
    """Random lines from pieces of TOML: plain_toml either declines or agrees with tomllib."""
    rng = random.Random(13)
    pieces = ["[p1]", "[p2]", "[ p1 ]", "[[p]]", "value", "grad.x", "grad", '"grad.x"', "x.y.z", "=",
              " = ", "1", "-2.5", "1e3", "0", "00", "1_000", '"s"', "'t'", "true", "#c", " ", "\t",
              "\r", ".", "[", "]", "inf", "+0.0"]
    agreed = declined = 0
    for _ in range(3000):
        lines = []
        for _ in range(rng.randrange(1, 6)):
            roll = rng.random()
            if roll < 0.2:
                lines.append(rng.choice(["[p1]", "[p2]", "[ p1 ]", '["p 3"]', "[p1.x]", "[[p]]"]))
            elif roll < 0.7:
                lines.append(rng.choice(["value", "grad.x", "grad", '"grad.x"', "x.y.z", "1"])
                             + rng.choice([" = ", "=", "\t=\t", " "])
                             + rng.choice(["1", "-2.5", "1e3", "0", "00", "1_000", '"s"', "'t'",
                                           "true", "inf", "+0.0", "[1]", "1.", "2_"])
                             + rng.choice(["", " # c", "\r", " x"]))
            else:
                lines.append("".join(rng.choice(pieces) for _ in range(rng.randrange(1, 4))))
        text = "\n".join(lines)
        got = loads(text)
        try:
            want = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, ValueError):
            want = None
        if got is None:
            declined += 1
        else:
            assert want is not None and _types(got) == _types(want), text
            agreed += 1
    assert agreed > 200 and declined > 200
