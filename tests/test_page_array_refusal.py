"""trace --html --mode forward on an array program: a usage error that says so, not a crash.

(Until issue 12's array page, --html and --svg-frames refused every array program; now they
draw them in reverse mode, tests/test_page_arrays_browser.py and test_frames_arrays.py, and
only the forward mode's page is refused: its tangents are Jacobians, one per input.)
"""

import json

from conftest import assert_clean_error

ARRAY = ["L = mean((X @ w + b - y)^2)", "-X", "[[1, 2], [3, 4], [5, 6]]", "-w", "[0.5, -1]",
         "-b", "0.1", "-y", "[1, 0, 2]"]


def test_html_of_an_array_program_in_forward_mode_is_refused(cli, tmp_path):
    page = tmp_path / "page.html"
    r = cli("trace", *ARRAY, "--mode", "forward", "--html", str(page))
    assert_clean_error(r, 2, "scalar programs only", "reverse mode", "--mode forward --steps")
    assert not page.exists()


def test_html_of_an_array_program_in_forward_mode_is_refused_in_json_too(cli, tmp_path):
    r = cli("trace", *ARRAY, "--mode", "forward", "--html", str(tmp_path / "p.html"), "--json")
    assert r.exit_code == 2
    assert json.loads(r.stdout)["error"]["kind"] == "usage"


def test_the_svg_of_an_array_program_is_still_drawn(cli, tmp_path):
    svg = tmp_path / "g.svg"
    r = cli("trace", *ARRAY, "--svg", str(svg))
    assert r.exit_code == 0, r.stderr
    assert "(3, 2)" in svg.read_text("utf-8")      # the shape on X's wire
