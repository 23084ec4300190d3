"""Programs drawn from the grammar, run through the command line (issue 9, item 11).

hypothesis' from_lark writes programs of grammars/gradcli.lark; each one runs
through eval, grad and trace with --json and random bindings, in-process with
click's CliRunner. Whatever happens, the answer is a value or a documented
error: exit 0, 2 or 3, one JSON object on stdout, never a traceback or an
internal error. benchmarks/fuzz_long.py runs the same check for as long as
one likes.
"""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from conftest import run_cli

# Everyday names (so that calls, assignments and constants happen), and a few others.
NAMES = st.sampled_from(["x", "y", "w1", "θ", "pi", "e", "sin", "max", "log", "leaky_relu",
                         "sigmoid", "pow", "sqrt", "exp", "relu", "abs", "sinn", "_"])
NUMBERS = st.sampled_from(["0", "1", "2", "0.5", ".25", "3.14", "1e-3", "2.5E+4", "1e308",
                           "9e999", "1e-320", "007", "10"])
BINDINGS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, width=64).map(repr),
    st.sampled_from(["0", "-1", "1e-17", "1e154", "1e308", "-1e-310", "pi/4", "2^0.5",
                     "1/3", "log(0)", "abc", "1e999", ""]),
)


def _grammar():
    from lark import Lark

    from gradcli.language.parse import grammar_text

    # Without comments: a generated '#' would swallow the rest of a line.
    return Lark(grammar_text().replace("%ignore COMMENT", ""), parser="lalr", lexer="basic")


def programs():
    return from_lark(_grammar(), start="start",
                     explicit={"NAME": NAMES, "NUMBER": NUMBERS, "WS": st.sampled_from([" ", "\t"])})


def names_in(text: str) -> list[str]:
    return sorted(set(re.findall(r"[^\W\d]\w*", text)))


def check_run(args: list[str], stdin: str | None = None) -> int:
    """One command line: a value or a documented error, and one JSON object on stdout."""
    run = run_cli(*args, input=stdin)
    assert run.exit_code in (0, 2, 3), (args, run.exit_code, run.stderr[-500:])
    for stream in (run.stdout, run.stderr):
        assert "Traceback" not in stream and "internal error" not in stream, (args, stream[-500:])
    obj = json.loads(run.stdout)
    assert ("error" in obj) == (run.exit_code != 0), (args, run.stdout[:300])
    if run.exit_code:
        assert obj["error"]["kind"] in ("syntax", "name", "value", "shape", "math", "usage")
    return run.exit_code


# from_lark draws slowly here (about 0.4 s a program, whatever the terminals), so each
# program it draws runs six times: eval, grad and trace, with two sets of bindings.
@settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(text=programs(), data=st.data())
def test_generated_programs_give_a_value_or_a_documented_error(text, data):
    words = names_in(text)
    for _ in range(2):
        binds = [f"{w}={data.draw(BINDINGS, label=w)}" for w in words]
        for command in ("eval", "grad", "trace"):
            check_run([command, "-", *binds, "--json"], stdin=text)
