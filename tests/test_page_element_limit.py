"""`trace --html` refuses a page that would embed more than PAGE_MAX_ELEMENTS array elements."""

from __future__ import annotations

from conftest import assert_clean_error, run_cli

from gradcli.views.page import PAGE_MAX_ELEMENTS


def elements(n: int) -> int:
    """sum(X @ X) on an n × n X: X and X @ X hold n² values and n² gradients; the sum 1 and 1."""
    return 4 * n * n + 2


def test_the_page_refuses_too_many_elements(tmp_path):
    assert elements(159) > PAGE_MAX_ELEMENTS == 100_000
    page = tmp_path / "big.html"
    run = run_cli("trace", "sum(X @ X)", "-X", "randn(159, 159)", "--html", str(page))
    assert_clean_error(run, 2, f"{elements(159):,} array elements", "at most 100,000",
                       "--svg", "--steps", "--json")
    assert not page.exists()
    run = run_cli("trace", "sum(X @ X)", "-X", "randn(159, 159)", "--html", str(page), "--json")
    assert run.exit_code == 2 and run.json["error"]["kind"] == "usage"
    assert "100,000" in run.json["error"]["message"]


def test_the_page_takes_its_element_limit(tmp_path):
    assert elements(158) <= PAGE_MAX_ELEMENTS
    page = tmp_path / "ok.html"
    run = run_cli("trace", "sum(X @ X)", "-X", "randn(158, 158)", "--html", str(page))
    assert run.exit_code == 0, run.stderr
    assert page.stat().st_size < 4_000_000     # about 25 bytes an element


def test_the_frames_embed_no_arrays_and_take_any_size(tmp_path):
    out = tmp_path / "frames"
    run = run_cli("trace", "sum(X @ X)", "-X", "randn(159, 159)", "--svg-frames", str(out))
    assert run.exit_code == 0, run.stderr
    frames = sorted(out.iterdir())
    assert len(frames) == 7 and all(f.stat().st_size < 20_000 for f in frames)
