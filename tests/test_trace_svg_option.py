"""`trace --svg -` writes the picture to stdout; `--svg ""` is a usage error (issue 9, item 13)."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET

from conftest import assert_clean_error

SEED = ["(x+y)*z", "-x", "1", "-y", "3", "-z", "-3"]


def test_svg_dash_is_stdout(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = cli("trace", *SEED, "--svg", "-")
    assert r.exit_code == 0, r.stderr
    ET.fromstring(r.stdout)                               # the SVG alone on stdout
    assert r.stdout == cli("trace", *SEED, "--format", "svg").stdout
    assert not os.path.exists(tmp_path / "-")
    assert cli("trace", *SEED, "--svg=-", "--format", "svg").stdout == r.stdout


def test_svg_dash_with_another_stdout_view_is_a_usage_error(cli):
    for extra in (["--json"], ["--steps"], ["--format", "dot"], ["--format", "mermaid"]):
        r = cli("trace", *SEED, "--svg", "-", *extra)
        assert_clean_error(r, 2, "stdout")
    r = cli("trace", *SEED, "--svg", "-", "--json")
    assert r.json["error"]["kind"] == "usage"


def test_svg_empty_is_a_usage_error(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for args in (["--svg", ""], ["--svg="]):
        r = cli("trace", *SEED, *args)
        assert_clean_error(r, 2, "--svg needs a file name")
        assert r.stdout == ""
    r = cli("trace", *SEED, "--svg", "", "--json")
    assert r.exit_code == 2 and r.json["error"]["kind"] == "usage"
    assert os.listdir(tmp_path) == []
