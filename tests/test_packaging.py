"""Packaging and output etiquette: the wheel, --version, --help, JSON, colour (SPEC §5)."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import gradcli
from conftest import run_cli
from gradcli.cli import COMMANDS, GradcliGroup

REPO = Path(__file__).resolve().parents[1]


# -- the wheel --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a copy of the source tree (so the build leaves no
    build/ or egg-info behind in the repository)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis"))
    out = work / "dist"
    run = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "-q", "-w", str(out), str(source)],
        capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    (found,) = out.glob("gradcli-*.whl")
    return found


TABLES = "gradcli/language/gradcli.tables.json"   # the LALR tables, generated from the grammar


def test_wheel_ships_the_grammar_and_the_parser_tables(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        assert "gradcli/language/gradcli.lark" in names
        assert TABLES in names
        assert z.read("gradcli/language/gradcli.lark") == (REPO / "gradcli" / "language" / "gradcli.lark").read_bytes()
        assert z.read(TABLES) == (REPO / "gradcli" / "language" / "gradcli.tables.json").read_bytes()
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        assert re.search(r"gradcli\s*=\s*gradcli\.cli:main", z.read(entry_points).decode())


def test_wheel_name_carries_the_one_version(wheel):
    assert wheel.name.startswith(f"gradcli-{gradcli.__version__}-")


def test_installed_wheel_parses_with_its_own_grammar_and_tables(wheel, tmp_path):
    """Installed on its own (no editable checkout on the path), the grammar and the
    shipped tables are found, and the tables are the ones the parser uses."""
    target = tmp_path / "site"
    run = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q",
                          "--disable-pip-version-check", "--target", str(target), str(wheel)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    probe = ("import gradcli, gradcli.language.parse as s\n"
             "print(gradcli.__file__)\n"
             "print(s.Parser().from_tables)\n"
             "print(gradcli.grad('(x+y)*z', x=1, y=3, z=-3).gradient)\n")
    env = dict(os.environ, PYTHONPATH=str(target))
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         env=env, cwd=tmp_path, timeout=60)
    assert out.returncode == 0, out.stderr
    where, from_tables, grads = out.stdout.splitlines()
    assert where.startswith(str(target))
    assert from_tables == "True"
    assert grads == "{'x': -3.0, 'y': -3.0, 'z': 4.0}"


def test_shipped_parser_tables_are_fresh():
    """The tables were generated from this grammar and this Lark, and the parser takes them."""
    from importlib import resources

    from gradcli.language import parse as syntax

    shipped = json.loads(resources.files("gradcli.language").joinpath(syntax.TABLES_FILE).read_text("utf-8"))
    assert shipped["digest"] == syntax.grammar_digest(syntax.grammar_text())
    assert syntax.Parser().from_tables


# -- one version --------------------------------------------------------------------------

def test_version_has_one_source():
    text = (REPO / "pyproject.toml").read_text()
    assert re.search(r'dynamic\s*=\s*\[[^]]*"version"', text)
    assert not re.search(r'^\s*version\s*=\s*"', text, re.M)      # not written a second time
    from importlib.metadata import version

    assert version("gradcli") == gradcli.__version__


def _installed_script(name: str) -> str:
    """The console script installed with this interpreter (beside sys.executable, so that
    an unactivated venv is tested, not whatever is on PATH); PATH only as a fallback."""
    here = Path(sys.executable).parent
    for candidate in (here / name, here / f"{name}.exe"):
        if candidate.is_file():
            return str(candidate)
    return shutil.which(name) or name


@pytest.mark.parametrize("command", [
    [sys.executable, "-m", "gradcli", "--version"],
    ["gradcli", "--version"],
])
def test_version_from_the_command_line(command):
    if command[0] == "gradcli":
        command = [_installed_script("gradcli"), "--version"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().split()[-1] == gradcli.__version__
    assert "gradcli" in run.stdout


# -- --help shows an example -----------------------------------------------------------------

def test_group_help_shows_examples():
    run = run_cli("--help")
    assert run.exit_code == 0
    assert "Example" in run.stdout and "gradcli grad " in run.stdout


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_help_shows_an_example(name):
    command = GradcliGroup._load(name)
    listed = run_cli("--help").stdout
    if command is None:
        # A command whose module does not exist yet is hidden, not broken.
        assert not re.search(rf"^\s+{name}\b", listed, re.M)
        return
    run = run_cli(name, "--help")
    assert run.exit_code == 0, run.stderr
    assert "Example" in run.stdout, run.stdout
    assert re.search(rf"gradcli {name}\b", run.stdout), run.stdout


# -- JSON: one compact, strict line ------------------------------------------------------------

def _strict(text: str):
    def refuse(constant):
        raise AssertionError(f"non-standard JSON constant {constant}")
    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(("args", "code"), [
    (["grad", "(x+y)*z", "-x", "1", "-y", "3", "-z", "-3"], 0),
    (["eval", "(x+y)*z", "-x", "1", "-y", "3", "-z", "-3"], 0),
    (["grad", "a = x\nb = a^2  # two lines\nb", "-x", "3"], 0),
    (["grad", "x * 10", "-x", "1e307"], 0),                 # a big but finite number
    (["grad", "x^y", "-x", "-2", "-y", "3"], 3),            # a NaN gradient must not leak out
    (["grad", "sqrt(x)", "-x", "0"], 3),                    # nor an infinite one
    (["grad", "2x"], 2),
])
def test_json_is_one_compact_strict_line(args, code):
    run = run_cli(*args, "--json")
    assert run.exit_code == code, run.stderr
    assert run.stdout.endswith("\n") and run.stdout.count("\n") == 1
    assert "\n " not in run.stdout and not run.stdout.startswith(" ")
    assert "NaN" not in run.stdout and "Infinity" not in run.stdout
    obj = _strict(run.stdout)
    assert isinstance(obj, dict)
    again = run_cli(*args, "--json")
    assert again.stdout == run.stdout                         # deterministic


def test_json_shapes():
    out = run_cli("grad", "(x+y)*z", "-x", "1", "-y", "3", "-z", "-3", "--json").json
    assert set(out) == {"expression", "inputs", "value", "gradient"}
    out = run_cli("eval", "(x+y)*z", "-x", "1", "-y", "3", "-z", "-3", "--json").json
    assert set(out) == {"expression", "inputs", "value"}


def test_json_path_loads_neither_rich_nor_numpy():
    """--json goes out through json.dumps: Rich (and NumPy) stay unloaded (the issue's target)."""
    probe = ("import sys\n"
             "from gradcli.cli import main\n"
             "sys.argv = ['gradcli', 'grad', '(x+y)*z', '-x', '1', '-y', '3', '-z', '-3', '--json']\n"
             "try:\n    main(prog_name='gradcli')\n"
             "except SystemExit as e:\n    code = e.code\n"
             "print(code, 'rich' in sys.modules, 'numpy' in sys.modules, file=sys.stderr)\n")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert run.stderr.split() == ["0", "False", "False"], run.stderr
    assert json.loads(run.stdout)["gradient"] == {"x": -3.0, "y": -3.0, "z": 4.0}


# -- colour: none in a pipe, none with NO_COLOR ------------------------------------------------

SGR = re.compile(r"\x1b\[([0-9;]*)m")


def colour_codes(text: str) -> list[str]:
    """The SGR sequences in text that set a colour (bold and reset are not colours)."""
    found = []
    for params in SGR.findall(text):
        for p in params.split(";"):
            if p.isdigit() and (30 <= int(p) <= 38 or 40 <= int(p) <= 48
                                or 90 <= int(p) <= 97 or 100 <= int(p) <= 107):
                found.append(params)
    return found


def _gradcli():
    return [sys.executable, "-m", "gradcli"]


@pytest.mark.parametrize("args", [
    ["grad", "(x+y)*z", "-x", "1", "-y", "3", "-z", "-3"],
    ["eval", "x^2", "-x", "3"],
    ["grad", "log(x)", "-x", "0"],          # an error message
    ["grad", "2x"],
])
def test_no_escape_codes_in_a_pipe(args):
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["TERM"] = "xterm-256color"
    run = subprocess.run(_gradcli() + args, capture_output=True, text=True, env=env, timeout=60)
    assert "\x1b" not in run.stdout and "\x1b" not in run.stderr, (run.stdout, run.stderr)
    assert (run.stdout + run.stderr).strip()


def run_in_terminal(args, env) -> tuple[int, str]:
    """Run with stdout and stderr on a pseudo-terminal; return the exit code and what it showed."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=slave, stderr=slave,
                            env=env, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            break
        try:
            data = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    code = proc.wait(timeout=30)
    os.close(master)
    return code, b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize(("args", "code"), [
    (["grad", "(x+y)*z", "-x", "1", "-y", "3", "-z", "-3"], 0),
    (["grad", "log(x)", "-x", "0"], 3),
])
def test_no_colour_at_a_terminal_with_no_color(args, code):
    env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    env.update(TERM="xterm-256color", NO_COLOR="1")
    got, shown = run_in_terminal(_gradcli() + args, env)
    assert got == code
    assert shown.strip()
    assert colour_codes(shown) == [], repr(shown)
