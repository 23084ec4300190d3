"""The trace as a sequence of steps: the HTML page and the SVG frames both walk it.

A step computes one node (or closes a part) and says so in the words of
`trace --steps`; it reveals labels, each named by a tag that the picture's
texts carry (svg.Text.tag) and the page's table cells too:

    value:W  grad:W     wire W's value and gradient (W indexes picture.wires())
    total:N             node N's Σ of its wires' gradients
    legend:grad         the legend line for the red labels
    row-value:N  row-grad:N  row-local:N  row-tangent:NAME:N   cells of the node table

The state after step k is what steps 1..k revealed, later texts winning;
a step's `clear` hides every tag with that prefix first (a new tangent pass
wipes the last one's tangents). The reverse mode: the forward pass node by
node (values), then the backward pass from the output down (gradients), then
the products line. The forward mode: the forward pass, then one tangent pass
per input, the tangents written where the gradients go.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gradcli.program.trace import Trace, show
from gradcli.views.array_trace import backward_blocks, backward_heading as array_backward_heading
from gradcli.views.array_trace import FORWARD_HEADING as ARRAY_FORWARD_HEADING
from gradcli.views.array_trace import forward_blocks, is_array_trace
from gradcli.views.array_text import labelled
from gradcli.views.array_text import show as show_value
from gradcli.views.human import products_line
from gradcli.views.picture import DIGITS, captions, legend_grad, wires
from gradcli.views.steps import (
    FORWARD_HEADING,
    backward_heading,
    backward_line,
    forward_text,
    narrate,
    unused_line,
)
from gradcli.views.trace_table import rows

NARRATION_DIGITS = 12   # as trace --steps and the table; the wires keep the pictures' 4


@dataclass
class Step:
    phase: str                     # forward | backward | unused | tangent | unreached | done
    node: int | None               # the node computed (highlighted); None for a closing line
    heading: str                   # the --steps heading of the part it belongs to
    line: str                      # its --steps line(s), without the indent
    reveal: dict[str, str] = field(default_factory=dict)   # tag -> text, from this step on
    clear: str = ""                # hide the tags that start with this first
    summary: str = ""              # an array program: the value or gradient just computed

    def to_json(self) -> dict:
        return {"phase": self.phase, "node": self.node, "heading": self.heading,
                "line": self.line, "reveal": self.reveal, "clear": self.clear,
                "summary": self.summary}


def state_after(steps: list[Step], k: int, state: dict[str, str] | None = None) -> dict[str, str]:
    """What is shown once steps[0..k] are done, from state (default: nothing shown); a new
    dict. The page's JavaScript does the same."""
    state = dict(state or {})
    for step in steps[:k + 1]:
        if step.clear:
            state = {t: v for t, v in state.items() if not t.startswith(step.clear)}
        state.update(step.reveal)
    return state


def walkthrough(trace: Trace, digits: int | None = None) -> list[Step]:
    """The steps of the trace's mode; constants' gradients only if trace.show_constants."""
    if is_array_trace(trace):
        return _array_walkthrough(trace, digits)
    wire_list = wires(trace, digits)
    out_wires: list[list[int]] = [[] for _ in trace.nodes]
    for w, wire in enumerate(wire_list):
        out_wires[wire.src].append(w)
    cells = rows(trace, digits or NARRATION_DIGITS)
    say = digits or NARRATION_DIGITS
    story = narrate(trace)

    steps = []
    for k, s in enumerate(story.forward):
        reveal = {f"value:{w}": wire_list[w].value for w in out_wires[s.node]}
        reveal[f"row-value:{s.node}"] = cells[s.node][4]
        if cells[s.node][6]:
            reveal[f"row-local:{s.node}"] = cells[s.node][6]   # local derivatives: known now
        if k == 0:   # the legend from the start: what the red labels will be
            reveal["legend:grad"] = (legend_grad(trace) if trace.mode != "forward" else
                                     "tangent d·/d(input) (forward mode: one pass per input)")
        steps.append(Step("forward", s.node, FORWARD_HEADING, forward_text(s, say), reveal))
    if trace.mode == "forward":
        steps += _tangent_steps(trace, digits, out_wires)
    else:
        steps += _backward_steps(trace, digits, story, wire_list, out_wires, cells)
    steps.append(Step("done", None, "", products_line(trace.result)))
    return steps


def _backward_steps(trace, digits, story, wire_list, out_wires, cells) -> list[Step]:
    caps = captions(trace, digits)
    heading = backward_heading(story.output)
    say = digits or NARRATION_DIGITS

    def reveal_grads(i: int, reveal: dict) -> dict:
        for w in out_wires[i]:
            if wire_list[w].grad:
                reveal[f"grad:{w}"] = wire_list[w].grad
        if caps[i].total:
            reveal[f"total:{i}"] = caps[i].total
        if cells[i][5]:
            reveal[f"row-grad:{i}"] = cells[i][5]
        return reveal

    steps = []
    for s in story.backward:
        steps.append(Step("backward", s.node, heading, backward_line(s, story.output, say),
                          reveal_grads(s.node, {})))
    if story.unused:
        reveal: dict[str, str] = {}
        for i in story.unused:
            reveal_grads(i, reveal)
        steps.append(Step("unused", None, heading, unused_line(story), reveal))
    return steps


def _tangent_steps(trace, digits, out_wires) -> list[Step]:
    from gradcli.views.tangent_steps import tangent_passes

    nodes = trace.nodes
    say = digits or NARRATION_DIGITS
    steps = []
    for p in tangent_passes(trace, say):
        seen = set()

        def reveal_tangent(i: int, reveal: dict) -> dict:
            t = nodes[i].tangent[p.name]
            for w in out_wires[i]:
                reveal[f"grad:{w}"] = show(t, digits or 4)
            reveal[f"row-tangent:{p.name}:{i}"] = show(t, say)
            seen.add(i)
            return reveal

        for k, (i, line) in enumerate(p.steps):
            reveal = {"legend:grad": f"tangent d·/d{p.name} (forward mode, the pass for {p.name})"
                      } if k == 0 else {}
            steps.append(Step("tangent", i, p.heading, line, reveal_tangent(i, reveal),
                              clear="grad:" if k == 0 else ""))
        # the rest carry tangent 0: not reached from the seed, or computed before it
        reveal: dict[str, str] = {}
        for n in nodes:
            if n.id not in seen:
                reveal_tangent(n.id, reveal)
        lines = [p.unreached_line] if p.unreached_line else []
        steps.append(Step("unreached", None, p.heading, "\n".join(lines + [p.count_line]), reveal))
    return steps


# -- an array program (README "Arrays: vectors and matrices") --------------------------------
#
# The wires carry shapes (picture.wires), revealed as each node is computed; the step's line
# is --steps' rule for the node (array_trace's blocks, one a node), and its summary the value
# or gradient that --steps writes under it, as the terminal writes arrays (array_text) but at
# the pictures' digits; the table's cells have the whole value, at the narration's.

def _array_walkthrough(trace: Trace, digits: int | None) -> list[Step]:
    # the CLI refuses it first (README "Step through it in the browser: `trace --html` and `--svg-frames`")
    if trace.mode == "forward":
        raise ValueError("the step-through views of an array program are reverse mode only")
    wire_list = wires(trace, digits)
    out_wires: list[list[int]] = [[] for _ in trace.nodes]
    for w, wire in enumerate(wire_list):
        out_wires[wire.src].append(w)
    say = digits or NARRATION_DIGITS
    brief = digits or DIGITS
    cells = array_rows(trace, say)
    handles, o = trace.handles, trace.output_handle
    steps = []
    for k, (i, lines, _) in enumerate(forward_blocks(trace, say)):
        reveal = {f"value:{w}": wire_list[w].value for w in out_wires[i]}
        reveal[f"row-value:{i}"] = cells[i][4]
        if k == 0:
            reveal["legend:grad"] = legend_grad(trace)
        steps.append(Step("forward", i, ARRAY_FORWARD_HEADING, _dedent(lines), reveal,
                          summary=labelled(f"{handles[i]} = ", trace.nodes[i].value, brief)))
    heading = array_backward_heading(trace)
    shown = set()
    for i, lines, _ in backward_blocks(trace, say):
        shown.add(i)
        reveal = {f"grad:{w}": wire_list[w].grad for w in out_wires[i] if wire_list[w].grad}
        reveal[f"row-grad:{i}"] = cells[i][5]
        steps.append(Step("backward", i, heading, _dedent(lines), reveal,
                          summary=labelled(f"∂{o}/∂{handles[i]} = ", trace.nodes[i].grad, brief)))
    # the rest whose gradient the table shows: unused by the output, or class indices
    rest = [n for n in trace.nodes if n.id not in shown and trace.shows_grad(n.id)]
    unused = [n.id for n in rest if not n.live]
    indices = [n.id for n in rest if n.live and n.grad is None]
    parts = ([f"unused by the output (gradient 0): {_names(trace, unused)}"] if unused else [])
    parts += [f"no gradient (class indices): {_names(trace, indices)}"] if indices else []
    if parts:
        reveal = {f"row-grad:{i}": cells[i][5] for i in unused}
        reveal.update({f"row-grad:{i}": "no gradient (class indices)" for i in indices})
        steps.append(Step("unused", None, heading, "\n".join(parts), reveal))
    steps.append(Step("done", None, "", products_line(trace.result)))
    return steps


CELL_WIDTH = 120   # an array cell's lines on the page: wider than the terminal's 75


def array_rows(trace: Trace, digits: int) -> list[list[str]]:
    """The table's cells (trace_table.rows) with the arrays written CELL_WIDTH wide."""
    out = rows(trace, digits)
    for n, cells in zip(trace.nodes, out):
        cells[4] = show_value(n.value, digits, CELL_WIDTH)
        if cells[5] and n.grad is not None:
            cells[5] = show_value(n.grad, digits, CELL_WIDTH)
    return out


def _names(trace: Trace, ids: list[int]) -> str:
    return ", ".join(f"#{i} {trace.handles[i]}" for i in ids)


def _dedent(lines: list[str]) -> str:
    """--steps' lines without the two spaces that indent them under the part's heading."""
    return "\n".join(line[2:] if line.startswith("  ") else line for line in lines)


def frame_lines(step: Step) -> list[str]:
    """What a frame writes under the picture for an array program's step: its line, then its
    summary (the SVG frames have no panel for it)."""
    return step.line.split("\n") + (step.summary.split("\n") if step.summary else [])
