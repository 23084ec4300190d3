"""The trace table never cuts a number, at any terminal width (issue 9, item 1).

Each program is traced with --json (every number at full precision) and then
printed at 60, 80, 100 and 200 columns (COLUMNS). The table is read back row by
row: each row must hold exactly the node's value, its gradient and its local
derivatives, each to the 12 significant digits shown, and no other number (a
number cut short, "0.01" for 0.0177 or "-1," for "-1, 2", reads back as a wrong
or missing one). Every header must be there, and no line may be wider than the
terminal.
"""

from __future__ import annotations

import math
import re

import pytest

WIDTHS = [60, 80, 100, 200]
NEURON = ["1/(1+exp(-(w0*x0 + w1*x1 + w2)))", "-w0", "2", "-x0", "-1", "-w1", "-3",
          "-x1", "-2", "-w2", "-3"]
STAGED = ["sigy = 1 / (1 + exp(-y))   # sigmoid in numerator\n"
          "num = x + sigy\n"
          "sigx = 1 / (1 + exp(-x))\n"
          "xpy = x + y\n"
          "xpysqr = xpy^2\n"
          "den = sigx + xpysqr\n"
          "invden = 1 / den\n"
          "f = num * invden", "-x", "3", "-y", "-4"]
LONG_NAMES = ["prediction_of_the_model = weight_number_one*input_feature_a + bias_term_b; "
              "squared_error_loss = (prediction_of_the_model - target_value_t)^2",
              "--weight_number_one", "0.37", "--input_feature_a", "-1.21", "--bias_term_b", "0.5",
              "--target_value_t", "2.25"]
MARKS = ["u = exp(x); c = 2 + 1; t = x^c + abs(x)*0 + relu(sigmoid(x)*0.0177)", "-x", "-3"]
CASES = [(NEURON, False, "f"), (STAGED, False, "f"), (STAGED, True, "f"),
         (LONG_NAMES, False, "squared_error_loss"), (MARKS, False, "t"), (MARKS, True, "t")]
NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def _depends(nodes: list[dict]) -> list[bool]:
    """Whether each node depends on an input variable, worked out from the JSON alone."""
    out: list[bool] = []
    for n in nodes:
        out.append(n["op"] == "input" or any(out[j] for j in n["inputs"]))
    return out


def expected(nodes: list[dict], show_constants: bool) -> list[list]:
    """Per node, the numbers its row must show (None: 'undefined')."""
    dep = _depends(nodes)
    rows = []
    for n in nodes:
        shown = show_constants or dep[n["id"]]
        want = [n["value"]]
        if shown:
            want.append(n["grad"])
            want += [v for j, v in zip(n["inputs"], n["local"]) if show_constants or dep[j]]
        rows.append(want)
    return rows


def table_rows(section: list[str], count: int) -> list[str]:
    """The text of each node's row without its label (which may fold anywhere), in id order."""
    head = section[0]
    stacked = section[1].startswith("#0")
    id_width = head.index("#") + 1
    if not stacked:   # the table's label column
        label = slice(head.index("node"), head.index("  op") + 2)
    rows: list[list[str]] = []
    in_label = False
    for line in section[1:]:
        if stacked:
            if line.startswith(f"#{len(rows)} ") and len(rows) < count:
                rows.append([line.split()[0][1:]])
                in_label = True
            elif line.startswith(" ") and rows:
                in_label = in_label and not line.lstrip().startswith("op ")
                if not in_label:
                    rows[-1].append(line)
            else:
                break                                   # the footnotes
        elif len(rows) < count and line[:id_width].strip() == str(len(rows)):
            rows.append([line[:label.start] + line[label.stop:]])
        elif rows and not line[:id_width].strip():
            rows[-1].append(line[label.stop:])
        else:
            break
    assert len(rows) == count, section
    return [" ".join(r) for r in rows]


def numbers_in(row: str, node: dict) -> list[str]:
    """The row's numeric tokens, less its id and its input ids."""
    tokens = [t for t in re.split(r"[\s,]+", row) if t]
    for d in [str(node["id"])] + [str(j) for j in node["inputs"]]:
        tokens.remove(d)
    return [t for t in tokens if NUMBER.match(t) or t == "undefined"]


def same(token: str, v) -> bool:
    if v is None:
        return token == "undefined"
    if token == "undefined":
        return False
    t = float(token)
    return t == v or math.isclose(t, v, rel_tol=1e-11)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("args, show_constants, out", CASES)
def test_every_number_is_whole_at_every_width(cli, args, show_constants, out, width):
    extra = ["--show-constants"] if show_constants else []
    nodes = cli("trace", *args, "--json").json["nodes"]
    r = cli("trace", *args, *extra, env={"COLUMNS": str(width)})
    assert r.exit_code == 0, r.stderr
    section = r.stdout.split("\n\n")[2].splitlines()   # value, tree, table, gradients
    for line in section:
        assert len(line.rstrip()) <= width, (width, line)
    headers = ["#", "node", "op", "inputs", "value", f"∂{out}/∂node", "∂node/∂input"]
    if any(n["label"] == "u" for n in nodes):        # MARKS has unused nodes and a kink
        headers.append("notes")
    text = "\n".join(section)
    for h in headers:
        assert re.search(rf"(^|\s){re.escape(h)}(\s|$)", text), (h, width, text)
    rows = table_rows(section, len(nodes))
    for node, row, want in zip(nodes, rows, expected(nodes, show_constants)):
        got = numbers_in(row, node)
        assert len(got) == len(want), (width, node["id"], row, want)
        unmatched = list(want)
        for token in got:
            match = next((k for k, v in enumerate(unmatched) if same(token, v)), None)
            assert match is not None, (width, node["id"], token, row, want)
            unmatched.pop(match)


def test_the_issue_neuron_keeps_every_column_at_100(cli):
    # the issue's own command, piped: "-1, 2" whole, the full header, every row's gradient
    r = cli("trace", *NEURON, env={"COLUMNS": "100"})
    table = r.stdout.split("\n\n")[2]
    assert "∂node/∂input" in table and "-1, 2" in table and "-2, -3" in table
    assert "0.73105857863" in table and "-0.534446645389" in table


def test_a_narrow_terminal_stacks_the_fields(cli):
    r = cli("trace", *NEURON, env={"COLUMNS": "60"})
    table = r.stdout.split("\n\n")[2]
    assert "#14  1/(1+exp(-(w0*x0 + w1*x1 + w2)))" in table
    assert "value 0.73105857863  ∂f/∂node 1" in table


def test_fit_gives_no_layout_rather_than_a_cut_one():
    from gradcli.views.trace_table import fit

    head = ["#", "node", "op", "inputs", "value", "∂f/∂node", "∂node/∂input"]
    body = [["1", "a_label", "mul", "0, 0", "-0.123456789012", "0.987654321098", "1, 2"]]
    widths = fit(head, [c[:] for c in body], 200)
    assert widths is not None and widths[1] == len("a_label")
    assert fit(head, [c[:] for c in body], 40) is None      # the numbers alone need more


def test_piped_output_without_columns_is_100_wide(cli, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    r = cli("trace", *LONG_NAMES)
    table = r.stdout.split("\n\n")[2].splitlines()
    assert max(len(line.rstrip()) for line in table) <= 100
    assert max(len(line) for line in table) > 80            # the room is used: not 80
