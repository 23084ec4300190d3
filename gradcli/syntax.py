"""From program text to a graph: the Lark grammar, the parser and the builder.

The graph is built *during* the LALR parse (Lark calls the builder's methods
as it reduces each rule), so there is no syntax tree to walk and nothing
recurses, however deep the nesting. The parse tables come from
`grammars/gradcli.tables.json`, generated from the grammar (JSON: no pickle,
no cache file to trust, cheap to load even without bytecode caching); if they
do not match the grammar or the installed Lark, they are built from the
grammar instead (~20 ms).
"""

from __future__ import annotations

import gc
import hashlib
import math
import threading
from importlib import resources

from . import ops as O
from .errors import GradMathError, GradNameError, GradSyntaxError
from .graph import Graph

GRAMMAR_FILE = "gradcli.lark"
# Lark's LALR tables for the grammar, as JSON (no pickle, nothing written at run time).
TABLES_FILE = "gradcli.tables.json"


def grammar_text() -> str:
    return resources.files("gradcli.grammars").joinpath(GRAMMAR_FILE).read_text("utf-8")


def grammar_digest(text: str) -> str:
    import lark

    return hashlib.sha256(f"{lark.__version__}\n{text}".encode()).hexdigest()


class _ParenNewlines:
    """Lark post-lexer: a line break inside parentheses is white space, not a separator."""

    always_accept = ("_NEWLINE",)

    def process(self, stream):
        depth = 0
        for tok in stream:
            kind = tok.type
            if kind == "LPAR":
                depth += 1
            elif kind == "RPAR":
                depth -= 1
            elif kind == "_NEWLINE" and depth > 0:
                continue
            yield tok


class Builder:
    """Lark callbacks that append graph nodes as rules are reduced.

    Every callback returns (node id, start, end): the span of a parenthesised
    group includes its parentheses for the parent's text, while the node's own
    text stays without them.
    """

    def reset(self, text: str) -> Graph:
        self.g = Graph(text)
        return self.g

    # -- leaves -----------------------------------------------------------
    def number(self, c):
        tok = c[0]
        value = float(tok)
        if not math.isfinite(value):
            raise GradMathError(f"the number {tok} is too large for a double (the largest is about 1.8e308)")
        g = self.g
        i = g.add(O.CONST, (), tok.start_pos, tok.end_pos)
        g.consts[i] = value
        return i, tok.start_pos, tok.end_pos

    def name(self, c):
        tok = c[0]
        name = str(tok)
        g = self.g
        start, end = tok.start_pos, tok.end_pos
        node = g.assigned.get(name)
        if node is not None:
            return node, start, end
        if name in O.CONSTANTS:
            i = g.add(O.CONST, (), start, end)
            g.consts[i] = O.CONSTANTS[name]
            g.names[i] = name
            return i, start, end
        node = g.inputs.get(name)
        if node is None:
            node = g.add(O.INPUT, (), start, end)
            g.inputs[name] = node
            g.names[node] = name
        return node, start, end

    # -- operators --------------------------------------------------------
    def _binary(self, op, left, right):
        i = self.g.add(op, (left[0], right[0]), left[1], right[2])
        return i, left[1], right[2]

    def add(self, c):
        return self._binary(O.ADD, c[0], c[2])

    def sub(self, c):
        return self._binary(O.SUB, c[0], c[2])

    def mul(self, c):
        return self._binary(O.MUL, c[0], c[1])

    def div(self, c):
        return self._binary(O.DIV, c[0], c[1])

    def pow(self, c):
        return self._binary(O.POW, c[0], c[2])

    def neg(self, c):
        tok, operand = c
        i = self.g.add(O.NEG, (operand[0],), tok.start_pos, operand[2])
        return i, tok.start_pos, operand[2]

    def pos(self, c):
        tok, operand = c
        return operand[0], tok.start_pos, operand[2]

    def group(self, c):
        lpar, inner, rpar = c
        return inner[0], lpar.start_pos, rpar.end_pos

    def call(self, c):
        tok, rpar = c[0], c[-1]
        args = c[2:-1]
        name = str(tok)
        by_arity = O.FUNCTIONS.get(name)
        if by_arity is None:
            raise GradNameError(f"unknown function '{name}' at column {tok.column}",
                                hint=_suggest(name, O.FUNCTIONS))
        op = by_arity.get(len(args))
        if op is None:
            from .syntax_errors import caret_picture

            wanted = " or ".join(str(k) for k in sorted(by_arity))
            raise GradSyntaxError(
                f"line {tok.line}, column {tok.column}: {name}() takes {wanted} "
                f"argument{'s' if wanted != '1' else ''}, but {len(args)} "
                f"{'were' if len(args) != 1 else 'was'} given\n{caret_picture(self.g.text, tok.start_pos)}\n"
                f"expected {wanted} argument{'s' if wanted != '1' else ''} there")
        i = self.g.add(op, tuple(a[0] for a in args), tok.start_pos, rpar.end_pos)
        return i, tok.start_pos, rpar.end_pos

    # -- statements -------------------------------------------------------
    def assign(self, c):
        tok, value = c
        name = str(tok)
        g = self.g
        where = f"at line {tok.line}, column {tok.column}"
        if name in O.CONSTANTS:
            raise GradNameError(f"'{name}' is a constant and cannot be assigned ({where})",
                                hint="pick another name, e.g. '{0}_' or '{0}2'".format(name))
        if name in g.assigned:
            raise GradNameError(f"'{name}' is assigned twice (again {where}); a name may be assigned once")
        if name in g.inputs:
            raise GradNameError(f"'{name}' is used before it is assigned ({where})",
                                hint="assign a name before the statements that use it")
        node = value[0]
        if node in g.names:  # an input, a constant or an already named node: give it an alias node
            node = g.add(O.ALIAS, (node,), value[1], value[2])
        g.names[node] = name
        g.assigned[name] = node
        return node, tok.start_pos, value[2]

    def start(self, c):
        self.g.output = c[-1][0]
        return self.g


def _suggest(name: str, known) -> str | None:
    import difflib  # only on the error path

    by_lower = {k.lower(): k for k in known}
    if name.lower() in by_lower:  # ReLU, SIN
        return f"did you mean '{by_lower[name.lower()]}'?"
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


class Parser:
    """The LALR parser with a builder attached; one parse at a time."""

    _instance: "Parser | None" = None
    _lock = threading.Lock()

    def __init__(self):
        from lark import Lark

        self.builder = Builder()
        text = grammar_text()
        options = dict(transformer=self.builder, postlex=_ParenNewlines())
        tables = _load_tables(grammar_digest(text))
        self.from_tables = tables is not None  # the fast path; tests check it is taken
        if tables is not None:
            self.lark = Lark.__new__(Lark)._load(tables, **options)
        else:
            self.lark = Lark(text, parser="lalr", lexer="basic", **options)

    @classmethod
    def get(cls) -> "Parser":
        if cls._instance is None:
            cls._instance = Parser()
        return cls._instance

    def parse(self, text: str) -> Graph:
        from lark.exceptions import UnexpectedInput

        with self._lock:
            self.builder.reset(text)
            # The collector only slows a parse that allocates millions of objects, none cyclic.
            was_enabled = gc.isenabled()
            gc.disable()
            try:
                return self.lark.parse(text)
            except UnexpectedInput as exc:
                from .syntax_errors import describe

                raise describe(exc, text, self.lark) from None
            finally:
                self.builder.g = None  # do not keep the last graph alive
                if was_enabled:
                    gc.enable()


def parse(text: str) -> Graph:
    """Parse a program into its graph. Raises GradSyntaxError, GradNameError, GradMathError."""
    if not text.strip() or all(not line.strip() or line.lstrip().startswith("#")
                               for line in text.splitlines()):
        raise GradSyntaxError("the program is empty: write an expression, e.g. gradcli grad \"x^2\" -x 3")
    return Parser.get().parse(text)


def _int_keys(pairs):
    # JSON turns Lark's integer keys (parser states, token ids) into strings.
    return {int(k) if k.isdigit() else k: v for k, v in pairs}


def _load_tables(digest: str) -> dict | None:
    """The shipped LALR tables, if they were generated from this grammar and Lark."""
    import json

    try:
        raw = resources.files("gradcli.grammars").joinpath(TABLES_FILE).read_text("utf-8")
        tables = json.loads(raw, object_pairs_hook=_int_keys)
    except (OSError, ValueError):
        return None
    return tables if tables.get("digest") == digest else None


def generate_tables() -> str:
    """The JSON text of the shipped tables, for the current grammar and Lark."""
    import json

    from lark import Lark
    from lark.grammar import Rule
    from lark.lexer import TerminalDef

    text = grammar_text()
    # No transformer or post-lexer here: they are attached when the tables are loaded.
    lark = Lark(text, parser="lalr", lexer="basic")
    data, memo = lark.memo_serialize([TerminalDef, Rule])
    return json.dumps({"digest": grammar_digest(text), "data": data, "memo": memo},
                      sort_keys=True) + "\n"


if __name__ == "__main__":
    # python3 -m gradcli.syntax: regenerate grammars/gradcli.tables.json after editing the grammar.
    import pathlib

    target = pathlib.Path(str(resources.files("gradcli.grammars").joinpath(TABLES_FILE)))
    target.write_text(generate_tables(), "utf-8")
    print(f"wrote {target}")
