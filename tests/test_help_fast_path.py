"""`gradcli --help` without click (issue 9, start-up): the stored pages are click's own.

The oracle is click: each stored page is compared with what click prints for the
same argv in a fresh process. The fast path itself is run as a user runs it, through
a console script named `gradcli` (the file pip writes), and must print the same bytes
without importing click; where click would wrap differently (a narrow terminal) or
the request is not help alone, click answers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from gradcli.cli import help_gen, help_pages, start

# What pip writes for `gradcli = "gradcli.cli:main"` (the console script).
SCRIPT = """\
import re
import sys
from gradcli.cli import main
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(main())
"""
HEAVY = {"click", "rich", "lark", "numpy"}


@pytest.fixture(scope="module")
def gradcli(tmp_path_factory):
    path = tmp_path_factory.mktemp("bin") / "gradcli"
    path.write_text(SCRIPT)
    return path


def run(script: Path, *args: str, columns: int | None = None, **kw) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns is not None:
        env["COLUMNS"] = str(columns)
    kw.setdefault("capture_output", True)
    return subprocess.run([sys.executable, "-X", "importtime", str(script), *args], env=env,
                          timeout=120, **kw)


def loaded(done: subprocess.CompletedProcess) -> list[str]:
    """The heavy packages the process imported (from -X importtime on stderr)."""
    names = {line.rsplit("|", 1)[-1].strip().split(".")[0]
             for line in done.stderr.decode().splitlines() if line.startswith("import time:")}
    return sorted(names & HEAVY)


def not_importtime(stderr: bytes) -> list[str]:
    return [line for line in stderr.decode().splitlines() if not line.startswith("import time:")]


def test_the_stored_pages_are_up_to_date():
    """Else: python -m gradcli.cli.help_gen (the command falls back to click meanwhile)."""
    assert help_pages.SOURCES == help_gen.sources(), "run python -m gradcli.cli.help_gen"
    assert set(help_pages.ARGS) == set(help_gen.requests()), "run python -m gradcli.cli.help_gen"


@pytest.mark.parametrize("argv", help_gen.requests(), ids=" ".join)
def test_each_stored_page_is_what_click_prints(argv):
    done = help_gen.by_click(list(argv))
    assert done.returncode == 0 and done.stderr == b""
    assert done.stdout.decode("utf-8") == help_pages.PAGES[help_pages.ARGS[argv]] + "\n"


@pytest.mark.parametrize("argv", [["--help"], ["-h"], [], ["grad", "--help"], ["train", "-h"],
                                  ["check", "-h"], ["exercise", "--help"], ["hessian", "-h"]])
def test_help_prints_clicks_page_without_loading_click(gradcli, argv):
    done = run(gradcli, *argv)
    assert done.returncode == 0
    assert loaded(done) == []
    assert done.stdout == help_gen.by_click(argv).stdout


def test_every_command_is_in_the_group_page():
    page = help_pages.PAGES[""]
    assert all(f"  {name} " in page for name in help_gen.commands())


@pytest.mark.parametrize("columns", [100, 200])
def test_a_wide_terminal_gets_the_stored_page(gradcli, columns):
    done = run(gradcli, "trace", "--help", columns=columns)
    assert loaded(done) == [] and done.stdout == help_gen.by_click(["trace", "--help"]).stdout


@pytest.mark.parametrize("columns", [50, 60, 79])
def test_a_narrow_terminal_gets_clicks_own_wrapping(gradcli, columns):
    done = run(gradcli, "train", "--help", columns=columns)
    assert done.returncode == 0 and "click" in loaded(done)
    assert done.stdout == help_gen.by_click(["train", "--help"], columns=columns).stdout
    assert done.stdout != help_gen.by_click(["train", "--help"]).stdout  # really wrapped otherwise


@pytest.mark.parametrize("argv", [["grad", "--json", "--help"], ["--help", "grad"], ["grad", "x", "-h"],
                                  ["--version"], ["gard", "--help"]])
def test_anything_but_help_alone_is_clicks(gradcli, argv):
    done = run(gradcli, *argv)
    assert "click" in loaded(done)
    by_click = help_gen.by_click(argv)
    assert (done.returncode, done.stdout) == (by_click.returncode, by_click.stdout)


def test_python_dash_m_gradcli_help_is_the_same_page_without_click():
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "gradcli", "eval", "--help"],
                          capture_output=True, timeout=120,
                          env={k: v for k, v in os.environ.items() if k != "COLUMNS"})
    assert done.returncode == 0 and loaded(done) == []
    assert done.stdout == help_gen.by_click(["eval", "--help"]).stdout


def test_an_edited_source_falls_back_to_click(tmp_path):
    sources = dict(help_pages.SOURCES)
    assert start.sources_unchanged(sources)
    name = next(iter(sources))
    sources[name] ^= 1  # as if that file had changed since the pages were made
    assert not start.sources_unchanged(sources)
    assert not start.sources_unchanged({"cli/no_such_file.py": zlib.crc32(b"")})


def test_a_closed_pipe_exits_0_quietly(gradcli):
    read, write = os.pipe()
    os.close(read)
    try:
        done = run(gradcli, "--help", stdout=write, stderr=subprocess.PIPE, capture_output=False)
    finally:
        os.close(write)
    assert done.returncode == 0
    assert loaded(done) == [] and not_importtime(done.stderr) == []


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_is_reported_as_click_reports_it(gradcli):
    with open("/dev/full", "wb") as full:
        done = run(gradcli, "--help", stdout=full, stderr=subprocess.PIPE, capture_output=False)
    assert done.returncode == 2
    assert not_importtime(done.stderr) == [
        "gradcli: error: cannot write the output to standard output: No space left on device"]


def test_the_command_runs_blas_on_one_thread_unless_told(gradcli, tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import os\nfrom gradcli.cli import start\nstart.begin()\n"
                     "print(os.environ.get('OPENBLAS_NUM_THREADS'))\n")
    env = {k: v for k, v in os.environ.items() if k not in start._BLAS_THREADS}

    def threads(script, **more):
        # --seed: not a call the quick path answers (quick.py), which would exit in begin()
        done = subprocess.run([sys.executable, str(script), "eval", "1", "--seed", "0"],
                              capture_output=True, text=True,
                              env={**env, **more}, timeout=60)
        return done.stdout.split()

    assert threads(probe) == ["None"]  # probe.py is not the gradcli command: a library import
    probe.rename(tmp_path / "gradcli")
    assert threads(tmp_path / "gradcli") == ["1"]
    assert threads(tmp_path / "gradcli", OMP_NUM_THREADS="4") == ["None"]  # the user's choice stands
