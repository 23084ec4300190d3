"""A gradient whose digits may have been lost carries its warning in every view (QA).

`1e300*tanh(x)` at x = 400: sech(400)^2 underflows inside tanh's rule, the gradient
prints as 0 and Result.warnings holds one warning (README "Digits lost"). Plain
`grad` says so on stderr and in JSON's "warnings"; so must --check (whose finite
differences are 0 too, so they agree), --symbolic and --latex at a point, the
Jupyter view, trace, --mode forward and --batch, all in the same words. A point
where nothing is lost, `(x+y)*z` at 1, 3, -3, shows no warning anywhere.
"""

from __future__ import annotations

import json
from html import escape

import pytest

import gradcli
from conftest import run_cli

LOST = ("1e300*tanh(x)", ["-x", "400"], {"x": 400})
CLEAN = ("(x+y)*z", ["-x", "1", "-y", "3", "-z", "-3"], {"x": 1, "y": 3, "z": -3})


def warnings_of(text: str, point: dict) -> list[str]:
    return gradcli.grad(text, point).warnings


def test_the_lost_case_has_one_warning_and_the_clean_case_none():
    assert len(warnings_of(LOST[0], LOST[2])) == 1 and "'x'" in warnings_of(LOST[0], LOST[2])[0]
    assert warnings_of(CLEAN[0], CLEAN[2]) == []


def assert_warned_on_stderr(run, warnings: list[str]) -> None:
    assert run.exit_code == 0, (run.stdout, run.stderr)
    assert "gradcli: warning:" in run.stderr and "'x'" in run.stderr
    assert run.stderr == "".join(f"gradcli: warning: {w}\n" for w in warnings)   # the same words


# The human views: the warning on stderr, the table on stdout as before.
@pytest.mark.parametrize("flags", [[], ["--check"], ["--symbolic"], ["--latex"], ["--mode", "forward"]],
                         ids=" ".join)
def test_grad_views_warn_on_stderr(flags):
    text, args, point = LOST
    run = run_cli("grad", text, *args, *flags)
    assert_warned_on_stderr(run, warnings_of(text, point))
    assert "gradcli: warning" not in run.stdout


def test_check_still_agrees_and_says_so_on_stdout():
    run = run_cli("grad", LOST[0], *LOST[1], "--check")
    assert "the gradient agrees" in run.stdout and "gradcli: warning:" in run.stderr


# The JSON views: "warnings" as the library's, and (as plain `grad --json`) on stderr too.
@pytest.mark.parametrize("flags", [["--json"], ["--symbolic", "--json"], ["--latex", "--json"],
                                   ["--mode", "forward", "--json"]], ids=" ".join)
def test_grad_json_views_carry_the_warnings(flags):
    text, args, point = LOST
    run = run_cli("grad", text, *args, *flags)
    assert json.loads(run.stdout)["warnings"] == warnings_of(text, point)
    assert_warned_on_stderr(run, warnings_of(text, point))


def test_check_json_carries_the_warnings():
    text, args, point = LOST
    run = run_cli("grad", text, *args, "--check", "--json")
    assert run.exit_code == 0
    out = json.loads(run.stdout)
    assert out["warnings"] == warnings_of(text, point) and out["check"]["ok"] is True
    assert_warned_on_stderr(run, warnings_of(text, point))   # as plain grad --json


@pytest.mark.parametrize("flags", [[], ["--mode", "forward"]], ids=" ".join)
def test_trace_warns_in_the_table_and_json(flags):
    text, args, point = LOST
    assert_warned_on_stderr(run_cli("trace", text, *args, *flags), warnings_of(text, point))
    run = run_cli("trace", text, *args, *flags, "--json")
    assert json.loads(run.stdout)["warnings"] == warnings_of(text, point)
    assert_warned_on_stderr(run, warnings_of(text, point))


def test_a_batch_line_carries_the_warnings(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"x": 400}\n')
    run = run_cli("grad", LOST[0], "--batch", str(path))
    assert run.exit_code == 0
    assert json.loads(run.stdout.splitlines()[0])["warnings"] == warnings_of(LOST[0], LOST[2])


def test_formulas_alone_have_no_point_and_no_warning():
    run = run_cli("grad", LOST[0], "--symbolic")
    assert run.exit_code == 0 and run.stderr == "" and "sech(x)^2" in run.stdout


def test_exact_answers_need_no_warning():
    # tanh(400) is no fraction: --exact refuses rather than print a float (so no 0 to warn of);
    # a cancellation it can do (x + x/x, where floats lose everything) is exact: 1, no warning.
    refused = run_cli("grad", LOST[0], *LOST[1], "--exact")
    assert refused.exit_code == 2 and "gradcli: warning" not in refused.stderr
    run = run_cli("grad", "x + x/x", "-x", "1/100000000000000000", "--exact", "--json")
    assert run.exit_code == 0 and run.stderr == ""
    out = json.loads(run.stdout)
    assert "warnings" not in out and out["exact"]["gradient"]["x"] == "1"


# The Jupyter view: the same words under the table, escaped.
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_the_notebook_shows_the_warnings_under_the_table(mode):
    text, _, point = LOST
    r = gradcli.grad(text, point, mode=mode)
    page = r._repr_html_()
    assert r.warnings and all(w in page for w in r.warnings)   # no quote or < & in them: verbatim
    assert page.index("</table>") < page.index(r.warnings[0])
    trace_page = gradcli.trace(text, point, mode=mode)._repr_html_()
    assert all(w in trace_page for w in r.warnings)
    assert all(w in repr(r) for w in r.warnings)               # __repr__ (a dataclass's) has them


def test_the_notebook_escapes_a_warning():
    r = gradcli.grad(*LOST[::2])
    r.warnings = ["<script>alert(1)</script> & more"]
    page = r._repr_html_()
    assert "<script>" not in page and escape(r.warnings[0], quote=False) in page


# Nothing lost: no warning anywhere.
CLEAN_VIEWS = [["grad"], ["grad", "--json"], ["grad", "--check"], ["grad", "--check", "--json"],
               ["grad", "--symbolic"], ["grad", "--latex"], ["grad", "--symbolic", "--json"],
               ["grad", "--latex", "--json"], ["grad", "--exact"], ["grad", "--exact", "--json"],
               ["grad", "--mode", "forward"], ["grad", "--mode", "forward", "--json"],
               ["trace"], ["trace", "--json"], ["trace", "--mode", "forward"], ["hessian"]]


@pytest.mark.parametrize("view", CLEAN_VIEWS, ids=" ".join)
def test_a_clean_gradient_warns_nowhere(view):
    text, args, _ = CLEAN
    command, *flags = view
    run = run_cli(command, text, *args, *flags)
    assert run.exit_code == 0, (run.stdout, run.stderr)
    assert run.stderr == "" and "warning" not in run.stdout
    if "--json" in flags:
        assert "warnings" not in json.loads(run.stdout)


def test_a_clean_batch_and_notebook_warn_nowhere(tmp_path):
    text, _, point = CLEAN
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(point) + "\n")
    run = run_cli("grad", text, "--batch", str(path))
    assert run.exit_code == 0 and run.stderr == ""
    assert "warnings" not in json.loads(run.stdout.splitlines()[0])
    assert "warning" not in gradcli.grad(text, point)._repr_html_()
    assert "warning" not in gradcli.trace(text, point)._repr_html_()
