"""QA: `trace --edge-derivatives` on an array program.

It used to write the picture with the legend "∂node/∂input, the local derivative, on each
wire" and no such label anywhere (an array node's local derivative is a Jacobian, not a
number). Now it is a usage error, as the other scalar-only views are, and nothing is
written; a scalar program still gets its labels (oracle: ∂(x*y)/∂x = y by hand).
"""

from __future__ import annotations

import re

from conftest import assert_clean_error, run_cli


def test_an_array_program_is_refused_and_no_picture_is_written(tmp_path):
    out = tmp_path / "g.svg"
    run = run_cli("trace", "sum(W @ x)", "-W", "[[1, 2], [3, 4]]", "-x", "[1, 2]",
                  "--svg", str(out), "--edge-derivatives", "--json")
    assert_clean_error(run, 2, "--edge-derivatives works on scalar programs only")
    assert run.json["error"]["kind"] == "usage"
    assert not out.exists()


def test_a_literal_of_names_is_an_array_program_too():
    run = run_cli("trace", "sum([x, y] * 2)", "-x", "1", "-y", "2", "--format", "dot",
                  "--edge-derivatives")
    assert_clean_error(run, 2, "scalar programs only")


def test_a_scalar_program_still_gets_its_local_derivatives(tmp_path):
    out = tmp_path / "g.svg"
    run = run_cli("trace", "x * y", "-x", "1.5", "-y", "-4", "--svg", str(out), "--edge-derivatives")
    assert run.exit_code == 0, run.stderr
    labels = re.findall(r">local ([^<]+)<", out.read_text())
    # ∂(x*y)/∂x = y = -4 and ∂(x*y)/∂y = x = 1.5
    assert sorted(labels) == sorted(["-4", "1.5"])
