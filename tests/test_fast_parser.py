"""The parse loop without Lark (issue 9, start-up): generated from the grammar, the one
taken at run time, and giving exactly what Lark's parser gives with the same builder."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from gradcli.language import parse as syntax
from gradcli.errors import GradcliError

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "gradcli" / "language" / syntax.FAST_TABLES_FILE


def test_shipped_fast_tables_are_generated_from_this_grammar():
    """Regenerated from gradcli/language/gradcli.lark now, the module is byte for byte the shipped one."""
    assert SHIPPED.read_text("utf-8") == syntax.generate_fast_tables()


def test_fast_tables_of_another_grammar_are_not_used(monkeypatch):
    """Tables left over from an edited grammar are ignored: Lark parses, with the grammar."""
    from gradcli.language import lalr_tables as gradcli_lalr

    monkeypatch.setattr(gradcli_lalr, "GRAMMAR", gradcli_lalr.GRAMMAR + "\n// edited\n")
    parser = syntax.Parser()
    assert not parser.from_tables
    assert _graph_fields(parser.parse("(x+y)*z")) == _graph_fields(syntax.Parser().parse("(x+y)*z"))


PROBE = """
import sys
{setup}
print(json.dumps({{"lark": "lark" in sys.modules, "out": out}}))
"""


def _probe(setup: str) -> dict:
    code = "import json\n" + PROBE.format(setup=setup)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.splitlines()[-1])


def test_a_program_that_parses_never_imports_lark():
    got = _probe("import gradcli, gradcli.language.parse as s\n"
                 "out = [s.Parser.get().from_tables, gradcli.grad('y = (x+\\n 2)*z; y^2', x=1, z=3).gradient]")
    assert got == {"lark": False, "out": [True, {"x": 54.0, "z": 54.0}]}  # ∂/∂x = 2·y·z, ∂/∂z = 2·y·(x+2)


def test_the_command_line_never_imports_lark_for_a_good_program():
    setup = ("import contextlib, io\nfrom gradcli.cli import main\nbuf = io.StringIO()\n"
             "with contextlib.redirect_stdout(buf):\n"
             "    try:\n        main(args=['grad', '(x+y)*z', '-x', '1', '-y', '3', '-z', '-3', '--json'])\n"
             "    except SystemExit:\n        pass\n"
             "out = json.loads(buf.getvalue())['gradient']")
    assert _probe(setup) == {"lark": False, "out": {"x": -3.0, "y": -3.0, "z": 4.0}}


def test_a_syntax_error_is_described_by_lark():
    got = _probe("import gradcli\nfrom gradcli.errors import GradSyntaxError\n"
                 "try:\n    gradcli.grad('2x', x=1)\nexcept GradSyntaxError as e:\n    out = e.full_message()\n")
    assert got["lark"] is True
    assert got["out"].splitlines()[:3] == ["line 1, column 2: unexpected 'x'", "  2x", "   ^"]


# -- the same graphs and the same errors as Lark's parser ------------------------------------

def _graph_fields(g) -> tuple:
    return (g.text, [op.name for op in g.ops], g.args, g.starts, g.ends, sorted(g.consts.items()),
            sorted(g.names.items()), list(g.inputs.items()), list(g.assigned.items()), g.output)


def _outcome(parse, text):
    """The graph, or what went wrong (kind, message, hint)."""
    try:
        return "graph", _graph_fields(parse(text))
    except GradcliError as exc:
        return "error", (type(exc).__name__, str(exc), exc.hint)


def _both(text):
    parser = syntax.Parser()
    assert parser.from_tables

    def fast(t):
        parser.builder.reset(t)
        graph = syntax._parse_fast(parser.fast, t)
        if graph is None:
            raise _NotParsed
        return graph

    try:
        fast_outcome = _outcome(fast, text)
    except _NotParsed:
        fast_outcome = None
    return fast_outcome, _outcome(parser._parse_lark, text)


class _NotParsed(Exception):
    pass


ATOMS = ["x", "y", "z2", "_t", "πθ", "x_1", "1", "0.5", "2.", ".25", "3e2", "1E-3", "7.5e+1", "pi", "e"]
SPACES = ["", " ", "  ", "\t", " # note\n", "\n", "\r"]


def _random_program(rng: random.Random) -> str:
    """Programs of the grammar, with the white space, comments and line breaks around them."""

    def expr(depth):
        roll = rng.random()
        if depth > 4 or roll < 0.3:
            return rng.choice(ATOMS)
        if roll < 0.55:
            op = rng.choice(["+", "-", "*", "/", "^", "**"])
            return f"{expr(depth + 1)}{rng.choice(SPACES[:4])}{op}{rng.choice(SPACES[:4])}{expr(depth + 1)}"
        if roll < 0.7:
            return rng.choice(["-", "+", "--", "-+"]) + expr(depth + 1)
        if roll < 0.85:  # a line break inside parentheses is white space
            inner = expr(depth + 1)
            return f"({rng.choice(SPACES)}{inner}{rng.choice(SPACES)})"
        name, arity = rng.choice([("sin", 1), ("exp", 1), ("max", 2), ("min", 2), ("tanh", 1), ("log", 1)])
        args = f",{rng.choice(SPACES)}".join(expr(depth + 1) for _ in range(arity))
        return f"{name}({args})"

    statements = []
    for k in range(rng.randint(1, 4)):
        text = expr(0)
        if rng.random() < 0.5:
            text = f"a{k} = {text}"
        statements.append(text)
    seps = [";", "\n", " ; ", "\n\n", "# c\n", ";\n"]
    return rng.choice(["", "\n", "; "]) + "".join(
        s + rng.choice(seps) for s in statements[:-1]) + statements[-1] + rng.choice(["", "\n", ";", " # end"])


@pytest.mark.parametrize("text", [
    "(x\r\n+ 1) * y", "x\n+ y", "-x^-2^+y", "a = x\n\n# c\n\nb = a; a*b;", "max(\n1,\n\tx\n)\n",
    "x ** 2 ** -y", "((((x))))", "e^pi - πr", "\t 1.5e+3*.5/2.\r",
])
def test_tricky_programs_give_the_graphs_of_lark(text):
    fast, lark = _both(text)
    assert lark[0] == "graph"
    assert fast == lark


def test_random_programs_give_the_graphs_of_lark():
    rng = random.Random(9)
    for _ in range(400):
        text = _random_program(rng)
        fast, lark = _both(text)
        assert fast == lark, text


@pytest.mark.parametrize("text", [
    "x = 1\ny = 2\nx = y",                 # assigned twice: line and column of the token
    "a = 1;\n  b = a\n  pi = 3",           # a constant assigned, on line 3
    "(x +\n sine(y))",                      # an unknown function, after a line break
    "q = 1\n max(q)",                       # wrong arity: line, column and a caret picture
    "x = y\ny = 1",                         # used before it is assigned
    "1e999 * x",                            # a number too large for a double
    "sin(\n\tx,\n y)",                       # arity, with line breaks inside parentheses
])
def test_the_builders_errors_are_the_same(text):
    fast, lark = _both(text)
    assert lark[0] == "error"
    assert fast == lark


@pytest.mark.parametrize("text", [
    "2x", "x*(y+", "x +", "(a)(b)", "sin x", "x = = 1", "x $ y", "f(x,)", "x)", "max(1, 2", "(x\r\n+ 1) * (y\n$)",
    "a = 1; b = sinh(a) 3",  # a syntax error and an unknown function: the same one is reported
])
def test_syntax_errors_leave_the_fast_path_for_lark(text):
    fast, lark = _both(text)
    assert lark[0] == "error"
    assert fast is None or fast == lark  # the fast loop gives up, or met the same builder error first
    assert _outcome(syntax.Parser().parse, text) == lark
