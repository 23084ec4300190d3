"""From program text to a graph: the Lark grammar, the parser and the builder.

The graph is built *during* the LALR parse (the parser calls the builder's
methods as it reduces each rule), so there is no syntax tree to walk and
nothing recurses, however deep the nesting.

The grammar (gradcli/language/gradcli.lark) is the source of truth; two artifacts are
generated from it by `python -m gradcli.language.parse` and shipped beside it:

- gradcli/language/lalr_tables.py: the LALR tables and the lexer's pattern, read by
  the parse loop below. A program that parses never imports Lark (Lark's
  import and loading are most of a one-shot command's start-up);
- gradcli/language/gradcli.tables.json: Lark's own tables. A program that does not
  parse is parsed again by Lark, so that the syntax error (caret, "expected
  …", hints) is the one Lark's error machinery gives.

If the shipped tables were not generated from this grammar, Lark parses
everything, building its tables from the grammar if need be (~20 ms).
"""

from __future__ import annotations

import gc
import math
import os
import threading

from gradcli.ops import table as O
from gradcli.errors import GradMathError, GradNameError, GradSyntaxError, closest
from gradcli.language.graph import Graph

GRAMMAR_FILE = "gradcli.lark"
# Lark's LALR tables for the grammar, as JSON (no pickle, nothing written at run time).
TABLES_FILE = "gradcli.tables.json"
# The tables of gradcli's own parse loop, as a Python module (loaded from bytecode).
FAST_TABLES_FILE = "lalr_tables.py"


def _grammar_file(name: str) -> str:
    """The text of a file shipped in gradcli.language."""
    from gradcli import language

    try:  # a plain file beside the package: cheaper than importlib.resources (~10 ms of imports)
        with open(os.path.join(os.path.dirname(language.__file__), name), encoding="utf-8") as f:
            return f.read()
    except (OSError, TypeError):  # e.g. a zipped install
        from importlib import resources

        return resources.files("gradcli.language").joinpath(name).read_text("utf-8")


def grammar_text() -> str:
    return _grammar_file(GRAMMAR_FILE)


def grammar_digest(text: str) -> str:
    import hashlib

    import lark

    return hashlib.sha256(f"{lark.__version__}\n{text}".encode()).hexdigest()


class _ParenNewlines:
    """Lark post-lexer: a line break inside parentheses or brackets is white space, not a separator."""

    always_accept = ("_NEWLINE",)

    def process(self, stream):
        depth = 0
        for tok in stream:
            kind = tok.type
            if kind == "LPAR" or kind == "LSQB":
                depth += 1
            elif kind == "RPAR" or kind == "RSQB":
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

    internal = False   # whether the helpers of the array rules are functions (rule text only)

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

    def matmul(self, c):
        self.g.arrays = True
        return self._binary(O.MATMUL, c[0], c[1])

    def array(self, c):
        """`[e1, e2, …]`: the elements stacked along a new first axis (README "Arrays: vectors and matrices").

        A literal of constants (numbers, nested literals of numbers) becomes one
        constant node holding the array, so that a 1,000-number matrix is one node.
        """
        lsqb, rsqb = c[0], c[-1]
        elems = c[1:-1]
        start, end = lsqb.start_pos, rsqb.end_pos
        g = self.g
        g.arrays = True
        folded = _fold_constants(g, [e[0] for e in elems])
        if folded is not None:
            value, first = folded
            del g.ops[first:], g.args[first:], g.starts[first:], g.ends[first:]
            for j in [j for j in g.consts if j >= first]:
                del g.consts[j]
            for j in [j for j in g.names if j >= first]:
                del g.names[j]
            import numpy as np   # only for a program with an array literal

            shapes = [np.shape(v) for v in value]
            if len(set(shapes)) > 1:
                from gradcli.language.shape_errors import ragged_error

                raise ragged_error(g.text, start, end, [(e[1], e[2]) for e in elems], shapes)
            from gradcli.language.shape_errors import MAX_AXES, deep_error

            if len(shapes[0]) >= MAX_AXES:
                raise deep_error(g.text, start, end)
            i = g.add(O.CONST, (), start, end)
            g.consts[i] = np.array(value, dtype=float)
            return i, start, end
        i = g.add(O.stack_op(len(elems)), tuple(e[0] for e in elems), start, end)
        return i, start, end

    def index(self, c):
        """`a[i, j]`: constant whole numbers, each its own constant node (no gradient)."""
        target, lsqb, rsqb = c[0], c[1], c[-1]
        g = self.g
        g.arrays = True
        idx = []
        sign, first = 1.0, None
        for tok in c[2:-1]:
            if tok.type == "MINUS":
                sign, first = -1.0, tok
                continue
            value = sign * float(tok)
            at = (first or tok).start_pos
            if not math.isfinite(value) or value != int(value):
                from gradcli.language.syntax_errors import caret_picture

                raise GradSyntaxError(
                    f"line {tok.line}, column {tok.column}: an index is a whole number, not {tok}\n"
                    f"{caret_picture(g.text, at)}\nexpected a constant integer there, as in a[0] or a[-1]")
            j = g.add(O.CONST, (), at, tok.end_pos)
            g.consts[j] = value
            idx.append(j)
            sign, first = 1.0, None
        op = O.INDEX.get(len(idx))
        if op is None:
            from gradcli.language.syntax_errors import caret_picture

            raise GradSyntaxError(
                f"line {lsqb.line}, column {lsqb.column}: at most 3 indices are supported, "
                f"{len(idx)} were given\n{caret_picture(g.text, lsqb.start_pos)}")
        i = g.add(op, (target[0], *idx), target[1], rsqb.end_pos)
        return i, target[1], rsqb.end_pos

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
        if by_arity is None and self.internal:
            by_arity = O.INTERNAL_FUNCTIONS.get(name)
        if by_arity is None:
            raise GradNameError(f"unknown function '{name}' at column {tok.column}",
                                hint=NUMPY_NAMES.get(name) or _suggest(name, O.FUNCTIONS))
        op = by_arity.get(len(args))
        if op is None:
            from gradcli.language.syntax_errors import caret_picture

            wanted = " or ".join(str(k) for k in sorted(by_arity))
            raise GradSyntaxError(
                f"line {tok.line}, column {tok.column}: {name}() takes {wanted} "
                f"argument{'s' if wanted != '1' else ''}, but {len(args)} "
                f"{'were' if len(args) != 1 else 'was'} given\n{caret_picture(self.g.text, tok.start_pos)}\n"
                f"expected {wanted} argument{'s' if wanted != '1' else ''} there",
                hint=AXIS_HINTS.get(name) if len(args) >= 2 else None)
        if op.arrays:
            self.g.arrays = True
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


def _fold_constants(g: Graph, elems: list[int]):
    """(the elements' values, the first node of the literal) when every element is a
    number (`-2` too) or a folded literal, and nothing else was built since; else None."""
    ops, args, consts, names = g.ops, g.args, g.consts, g.names
    first = len(ops)
    values = []
    for j in reversed(elems):
        op = ops[j]
        if op is O.NEG and ops[args[j][0]] is O.CONST and args[j][0] == j - 1 and j - 1 not in names:
            value, low = -consts[j - 1], j - 1
        elif op is O.CONST and (j not in names or names[j] in O.CONSTANTS):
            value, low = consts[j], j
        else:
            return None
        if j + 1 != first:
            return None
        first = low
        values.append(value)
    return values[::-1], first


# NumPy's names for what the language writes otherwise (README "Arrays: vectors and matrices").
NUMPY_NAMES = {
    "dot": "a matrix product is written a @ b",
    "matmul": "a matrix product is written a @ b",
    "maximum": "did you mean 'max'? max(a, b) is elementwise, as NumPy's maximum",
    "minimum": "did you mean 'min'? min(a, b) is elementwise, as NumPy's minimum",
}


# softmax(X, 0), transpose(X, 1, 0): NumPy's and PyTorch's axis arguments (README "Arrays: vectors and matrices").
AXIS_HINTS = {
    f: f"{f} works over the last axis; over axis 0 of a matrix: transpose({f}(transpose(X)))"
    for f in ("softmax", "log_softmax")
}
AXIS_HINTS["logsumexp"] = "logsumexp works over the last axis; over axis 0 of a matrix: logsumexp(transpose(X))"
AXIS_HINTS["transpose"] = "transpose(a) reverses the axes; it takes no axis order"


def _suggest(name: str, known) -> str | None:
    close = closest(name, known)  # ReLU: relu, SIN: sin, sinn: sin
    return f"did you mean '{close}'?" if close else None


class Token:
    """A token of the fast path, with what the builder reads of Lark's tokens."""

    __slots__ = ("type", "value", "start_pos", "end_pos", "line", "column")

    def __init__(self, type_, value, start_pos, end_pos, line, column):
        self.type = type_
        self.value = value
        self.start_pos = start_pos
        self.end_pos = end_pos
        self.line = line
        self.column = column

    def __str__(self):
        return self.value

    def __float__(self):
        return float(self.value)

    def __repr__(self):
        return f"Token({self.type!r}, {self.value!r})"


class _FastTables:
    """The shipped tables of gradcli/language/lalr_tables.py, ready for the parse loop."""

    def __init__(self, t, builder):
        import re

        self.regex = re.compile(t.PATTERN, t.FLAGS)
        self.ignore, self.newlines, self.keep = t.IGNORE, t.NEWLINES, t.KEEP
        self.start, self.end, self.states = t.START, t.END, t.STATES
        # Each rule as the loop runs it: (size, name, unit, expand1, kept children, callback).
        # A unit rule such as `?sum: product` leaves its one child's value on the stack
        # as it is (Lark's ExpandSingleChild of one child): only the state changes.
        self.rules = [(size, origin, size == 1 and include is None and expand1,
                       expand1, include, getattr(builder, callback, None))
                      for origin, size, callback, expand1, include in t.RULES]


def _load_fast_tables(text: str):
    """The shipped tables of the parse loop, if they were generated from this grammar text."""
    try:
        from gradcli.language import lalr_tables as gradcli_lalr
    except ImportError:
        return None
    return gradcli_lalr if getattr(gradcli_lalr, "GRAMMAR", None) == text else None


class Parser:
    """The LALR parser with a builder attached; one parse at a time."""

    _instance: "Parser | None" = None
    _lock = threading.Lock()

    def __init__(self):
        self.builder = Builder()
        self._text = grammar_text()
        tables = _load_fast_tables(self._text)
        self.fast = None if tables is None else _FastTables(tables, self.builder)
        # The fast path (the shipped tables, no Lark); tests check it is taken.
        self.from_tables = self.fast is not None
        self._lark = None

    @property
    def lark(self):
        """Lark's parser with the same builder: error messages, and the fallback."""
        if self._lark is None:
            from lark import Lark

            options = dict(transformer=self.builder, postlex=_ParenNewlines())
            tables = _load_tables(grammar_digest(self._text))
            if tables is not None:
                self._lark = Lark.__new__(Lark)._load(tables, **options)
            else:
                self._lark = Lark(self._text, parser="lalr", lexer="basic", **options)
        return self._lark

    @classmethod
    def get(cls) -> "Parser":
        if cls._instance is None:
            cls._instance = Parser()
        return cls._instance

    def parse(self, text: str, internal: bool = False) -> Graph:
        with self._lock:
            self.builder.internal = internal
            # The collector only slows a parse that allocates millions of objects, none cyclic.
            was_enabled = gc.isenabled()
            gc.disable()
            try:
                if self.fast is not None:
                    self.builder.reset(text)
                    graph = _parse_fast(self.fast, text)
                    if graph is not None:
                        return graph
                # No fast tables, or a syntax error: Lark parses it again and says what is wrong.
                return self._parse_lark(text)
            finally:
                self.builder.g = None  # do not keep the last graph alive
                if was_enabled:
                    gc.enable()

    def _parse_lark(self, text: str) -> Graph:
        from lark.exceptions import UnexpectedInput

        lark = self.lark
        self.builder.reset(text)
        try:
            return lark.parse(text)
        except UnexpectedInput as exc:
            from gradcli.language.syntax_errors import describe

            raise describe(exc, text, lark) from None


def _parse_fast(t: _FastTables, text: str) -> Graph | None:
    """Lark's LALR parse with its basic lexer and _ParenNewlines, in one loop.

    The same tables, the same tokens and the same order of reductions (so the
    builder's own errors come out at the same point), without Lark's layers.
    Returns None at a syntax error, for Lark to describe.
    """
    match = t.regex.scanner(text).match
    ignore, newlines, keep, states, rules = t.ignore, t.newlines, t.keep, t.states, t.rules
    end_state = t.end
    state_stack = [t.start]
    value_stack = []
    row = states[t.start]
    pos, line, line_start, depth = 0, 1, 0, 0
    while True:
        m = match()
        if m is None:
            if pos != len(text):
                return None  # no terminal matches here
            kind, tok = "$END", None
        else:
            kind, value, end = m.lastgroup, m.group(), m.end()
            tok_line, column = line, pos - line_start + 1
            if kind in newlines and "\n" in value:  # Lark's LineCounter
                line += value.count("\n")
                line_start = pos + value.rindex("\n") + 1
            if kind in ignore:
                pos = end
                continue
            # _ParenNewlines: a line break inside parentheses or brackets is white space.
            if kind == "LPAR" or kind == "LSQB":
                depth += 1
            elif kind == "RPAR" or kind == "RSQB":
                depth -= 1
            elif kind == "_NEWLINE" and depth > 0:
                pos = end
                continue
            tok = Token(kind, value, pos, end, tok_line, column) if kind in keep else None
            pos = end
        while True:
            act = row.get(kind)
            if act is None:
                return None  # the parser cannot take this token
            if act >= 0:  # shift
                state_stack.append(act)
                value_stack.append(tok)
                row = states[act]
                break
            size, origin, unit, expand1, include, callback = rules[~act]
            if unit:
                del state_stack[-1]
            else:
                if size:
                    children = value_stack[-size:]
                    del state_stack[-size:]
                    del value_stack[-size:]
                else:
                    children = []
                if include is not None:  # Lark's ChildFilterLALR_NoPlaceholders
                    kept = []
                    for i, expand in include:
                        if not expand:
                            kept.append(children[i])
                        elif kept:
                            kept += children[i]
                        else:
                            kept = children[i]
                    children = kept
                if expand1 and len(children) == 1:
                    value_stack.append(children[0])
                elif callback is not None:
                    value_stack.append(callback(children))
                else:  # an inlined rule (_name): its children join the parent's
                    value_stack.append(children)
            goto = states[state_stack[-1]][origin]
            state_stack.append(goto)
            row = states[goto]
            if goto == end_state and kind == "$END":
                return value_stack[-1]


def parse(text: str, internal: bool = False) -> Graph:
    """Parse a program into its graph. Raises GradSyntaxError, GradNameError, GradMathError
    (and GradShapeError for a ragged literal). internal: the text is a rule of the
    operation table, which may call the helpers of the array rules."""
    if not text.strip() or all(not line.strip() or line.lstrip().startswith("#")
                               for line in text.splitlines()):
        raise GradSyntaxError("the program is empty: write an expression, e.g. gradcli grad \"x^2\" -x 3")
    return Parser.get().parse(text, internal)


def _int_keys(pairs):
    # JSON turns Lark's integer keys (parser states, token ids) into strings.
    return {int(k) if k.isdigit() else k: v for k, v in pairs}


def _load_tables(digest: str) -> dict | None:
    """Lark's shipped LALR tables, if they were generated from this grammar and Lark."""
    import json

    try:
        tables = json.loads(_grammar_file(TABLES_FILE), object_pairs_hook=_int_keys)
    except (OSError, ValueError):
        return None
    return tables if tables.get("digest") == digest else None


def _lark_for_tables():
    from lark import Lark

    # No transformer or post-lexer here: they are attached when the tables are loaded.
    return Lark(grammar_text(), parser="lalr", lexer="basic")


def generate_tables() -> str:
    """The JSON text of Lark's shipped tables, for the current grammar and Lark."""
    import json

    from lark.grammar import Rule
    from lark.lexer import TerminalDef

    data, memo = _lark_for_tables().memo_serialize([TerminalDef, Rule])
    return json.dumps({"digest": grammar_digest(grammar_text()), "data": data, "memo": memo},
                      sort_keys=True) + "\n"


def generate_fast_tables() -> str:
    """The text of gradcli/language/lalr_tables.py: the tables of _parse_fast, taken from Lark.

    Refuses a grammar that needs more of Lark than the loop does (lexer
    callbacks, placeholders, a tree node that would reach the builder).
    """
    import lark as lark_module
    from lark.parsers.lalr_analysis import Shift

    text = grammar_text()
    lark = _lark_for_tables()
    lexer = lark.parser.lexer
    scanner = lexer.scanner  # built on first use; also sets lexer.callback
    if lexer.callback or len(scanner._mres) != 1:
        raise ValueError("the grammar needs Lark's lexer callbacks or several lexer patterns")
    table = lark.parser.parser.parser.parse_table
    rules = sorted({arg for row in table.states.values() for action, arg in row.values()
                    if action is not Shift}, key=lambda r: (r.origin.name, str(r.expansion), r.alias or ""))
    index = {rule: i for i, rule in enumerate(rules)}
    keep = set()
    rows = []
    for rule in rules:
        options = rule.options
        if options.empty_indices or options.keep_all_tokens or options.template_source:
            raise ValueError(f"rule {rule} uses options the fast parser does not have")
        include = [(i, not sym.is_term and sym.name.startswith("_"))
                   for i, sym in enumerate(rule.expansion) if not (sym.is_term and sym.filter_out)]
        keep |= {sym.name for i, sym in enumerate(rule.expansion) if sym.is_term and not sym.filter_out}
        filtered = len(include) < len(rule.expansion) or any(expand for _, expand in include)
        expand1 = bool(options.expand1 and not rule.alias)
        name = str(rule.alias or rule.origin.name)
        if not hasattr(Builder, name) and not rule.origin.name.startswith("_") and not (
                expand1 and len(include) == 1 and not include[0][1]):
            raise ValueError(f"rule {rule} would give the builder a tree node")
        rows.append((str(rule.origin.name), len(rule.expansion), name, expand1,
                     tuple(include) if filtered else None))
    # Lark's numbering of the states can change from run to run: number them in the
    # order a walk from the start state meets them, so that the file is reproducible.
    start = table.start_states["start"]
    order = [start]
    number = {start: 0}
    for state in order:
        for name, (action, arg) in sorted(table.states[state].items()):
            if action is Shift and arg not in number:
                number[arg] = len(order)
                order.append(arg)
    if len(order) != len(table.states):
        raise ValueError("some of Lark's parser states cannot be reached")
    lines = [
        f"# Generated from gradcli.lark by `python -m gradcli.language.parse` (Lark {lark_module.__version__}):",
        "# do not edit. The LALR tables and the lexer of gradcli.language.parse._parse_fast.",
        f"GRAMMAR = {text!r}",
        f"PATTERN = {scanner._mres[0].pattern!r}",
        f"FLAGS = {scanner._mres[0].flags & ~32}",  # without re.UNICODE, which compile adds again
        f"IGNORE = frozenset({sorted(lexer.ignore_types)!r})",
        f"NEWLINES = frozenset({sorted(lexer.newline_types)!r})",
        f"KEEP = frozenset({sorted(keep)!r})  # terminals whose tokens reach the builder",
        "START = 0",
        f"END = {number[table.end_states['start']]!r}",
        "# (rule name, length, builder method, expand a single child, kept children or None)",
        "RULES = (",
        *(f"    {row!r}," for row in rows),
        ")",
        "# Per state: terminal or rule name -> next state (shift or goto), or ~rule (reduce).",
        "STATES = (",
    ]
    for state in order:
        actions = {}
        for name, (action, arg) in sorted(table.states[state].items()):
            actions[str(name)] = number[arg] if action is Shift else ~index[arg]
        lines.append(f"    {actions!r},")
    lines.append(")")
    return "\n".join(lines) + "\n"


def _write_tables() -> None:
    """python -m gradcli.language.parse: regenerate both shipped tables after editing the grammar."""
    from gradcli import language

    folder = os.path.dirname(language.__file__)
    outputs = [(FAST_TABLES_FILE, generate_fast_tables())]
    # Lark's JSON comes out in another order every run: rewrite it only when it is stale.
    if _load_tables(grammar_digest(grammar_text())) is None:
        outputs.append((TABLES_FILE, generate_tables()))
    for name, text in outputs:
        target = os.path.join(folder, name)
        with open(target, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        print(f"wrote {target}")


if __name__ == "__main__":
    _write_tables()
