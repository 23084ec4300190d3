"""`trace --svg-frames DIR`: the walkthrough as one SVG per step, for slides.

Every frame is the --svg picture with only the labels revealed so far, the
step's node outlined in amber and the step's --steps line written under the
legend. The last frame is the finished picture: byte for byte what --svg
writes (no outline, no line). The other frames are all one size, so that
slides do not jump; the last is the --svg size (a line shorter). At most
MAX_NODES nodes (the page's limit). Older
frame_NNN.svg files in DIR that this run did not write are removed.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace

from gradcli.errors import GradUsageError
from gradcli.views.array_trace import is_array_trace
from gradcli.views.layout import MARGIN, text_width
from gradcli.views.svg import INK, Picture, Text, draw, render
from gradcli.views.walkthrough import frame_lines, state_after, walkthrough

MAX_NODES = 500          # as the page: more steps than anyone puts on slides

HIGHLIGHT = "#f9a825"    # amber: the node of the current step (the page uses it too)
LINE_SIZE = 13
LINE_BAND = 26           # the height the step's line adds
LINE_HEIGHT = 17         # and each further line (an array program's step has several)
FRAME = re.compile(r"frame_\d{3,}\.svg")


class _DrawnPath:
    """A wire whose SVG path is written once for all the frames (most of a frame's text)."""

    def __init__(self, path):
        self._d, self.colour, self.dashed, self.arrow = path.d(), path.colour, path.dashed, path.arrow

    def d(self) -> str:
        return self._d


def frame_pictures(trace, digits: int | None = None) -> list[Picture]:
    if len(trace.nodes) > MAX_NODES:
        raise GradUsageError(
            f"the graph has {len(trace.nodes)} nodes: too many steps for slides (at most "
            f"{MAX_NODES} nodes)", hint="--svg FILE draws up to 1500 nodes, --steps narrates any")
    pic = draw(trace, digits)
    paths = [_DrawnPath(p) for p in pic.paths]
    steps = walkthrough(trace, digits)
    mono = is_array_trace(trace)
    if mono:   # --steps' lines, as they are: an array's rows stay aligned (a fixed-width font)
        lines = [frame_lines(s) for s in steps]
    else:
        lines = [[" ".join(s.line.split("\n"))] for s in steps]
    rows = max(len(ls) for ls in lines[:-1]) if len(lines) > 1 else 1
    band = LINE_BAND + (rows - 1) * LINE_HEIGHT
    width = max([pic.width] + [2 * MARGIN + text_width(t, LINE_SIZE) for ls in lines[:-1] for t in ls])
    out = []
    state: dict[str, str] = {}
    for k, step in enumerate(steps):
        state = state_after([step], 0, state)   # one step further
        texts = [t if not t.tag or state[t.tag] == t.text else replace(t, text=state[t.tag])
                 for t in pic.texts if not t.tag or t.tag in state]
        shapes = [replace(s, stroke=HIGHLIGHT, stroke_width=4.0) if s.node == step.node else s
                  for s in pic.shapes]
        if k == len(steps) - 1:
            out.append(Picture(pic.width, pic.height, shapes, paths, texts, pic.title))
            continue
        for r, text in enumerate(lines[k]):
            texts.append(Text(MARGIN, pic.height - MARGIN + LINE_BAND - 4 + r * LINE_HEIGHT, text,
                              LINE_SIZE, INK, "start", mono=mono))
        out.append(Picture(width, pic.height + band, shapes, paths, texts, pic.title))
    return out


def frame_name(k: int, count: int) -> str:
    """frame_001.svg …: three digits at least, more when there are more frames."""
    return f"frame_{k:0{max(3, len(str(count)))}d}.svg"


def write_frames(trace, folder: str, digits: int | None = None) -> int:
    """Write every frame into folder (made if missing); the number written."""
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise GradUsageError(f"--svg-frames needs a folder, and '{folder}' is a file",
                             hint="give a new or existing folder; the frames go in it as frame_001.svg …")
    pictures = frame_pictures(trace, digits)
    try:
        os.makedirs(folder, exist_ok=True)
        for k, pic in enumerate(pictures, 1):
            with open(os.path.join(folder, frame_name(k, len(pictures))), "w",
                      encoding="utf-8") as f:
                f.write(render(pic))
        # frames of an earlier, longer walk would read as the end of this one
        written = {frame_name(k, len(pictures)) for k in range(1, len(pictures) + 1)}
        for name in os.listdir(folder):
            if FRAME.fullmatch(name) and name not in written:
                os.remove(os.path.join(folder, name))
    except OSError as exc:
        raise GradUsageError(f"cannot write the frames to '{folder}': {exc.strerror or exc}") from None
    return len(pictures)
