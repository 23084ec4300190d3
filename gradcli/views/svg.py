"""The trace as an SVG picture that gradcli draws itself (no Graphviz needed).

Inputs on the left, the output on the right, columns by depth; each node
shows its operation (and its name); each wire carries its forward value
above it, in green, and the gradient flowing back along it below, in red,
as in the CS231n circuit diagrams. draw() makes the geometry (shapes, paths,
texts: tests check that no wire crosses a label); svg() writes it out.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from gradcli.views.layout import (
    FONT,
    LOCAL_DY,
    MARGIN,
    build,
    columns,
    order_columns,
    place_heights,
    text_width,
)
from gradcli.views.picture import (
    GRAD_COLOUR,
    LEGEND_LOCAL,
    LEGEND_VALUE,
    LOCAL_COLOUR,
    VALUE_COLOUR,
    fitted_title,
    legend_grad,
    title,
)

INK = "#37474f"
WIRE = "#607d8b"
FADED = "#b0bec5"
HEADING_MIN_WIDTH = 640  # px: a picture's heading may be this wide over a narrower graph
KINK = "#ef6c00"
FILLS = {"input": ("#e3f2fd", "#90caf9"), "const": ("#f5f5f5", "#bdbdbd"), "op": ("#ffffff", INK)}


@dataclass
class Text:
    x: float
    y: float              # the baseline
    text: str
    size: float = FONT
    colour: str = INK
    anchor: str = "middle"
    bold: bool = False
    tag: str = ""         # what the label shows ("value:3": wire 3's value), for the step views
    mono: bool = False    # a fixed-width font, spaces kept (an array's rows, aligned)

    def box(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom), generously."""
        w = text_width(self.text, self.size, self.bold)
        left = {"start": self.x, "middle": self.x - w / 2, "end": self.x - w}[self.anchor]
        return left, self.y - 0.78 * self.size, left + w, self.y + 0.25 * self.size


@dataclass
class Shape:
    kind: str             # "ellipse" | "rect"
    cx: float
    cy: float
    w: float
    h: float
    fill: str
    stroke: str
    stroke_width: float = 1.6
    node: int = -1

    def box(self):
        return self.cx - self.w / 2, self.cy - self.h / 2, self.cx + self.w / 2, self.cy + self.h / 2

    def left_at(self, dy: float) -> float:
        """Where a horizontal line dy from the centre meets the left side."""
        if self.kind == "rect":
            return self.cx - self.w / 2
        rx, ry = self.w / 2, self.h / 2
        return self.cx - rx * math.sqrt(max(0.0, 1 - (dy / ry) ** 2))


@dataclass
class Path:
    start: tuple[float, float]
    moves: list = field(default_factory=list)   # ("L", x, y) or ("C", x1, y1, x2, y2, x, y)
    colour: str = WIRE
    dashed: bool = False
    arrow: bool = False

    def line(self, x, y):
        if (x, y) != tuple(self.end):
            self.moves.append(("L", x, y))

    def curve_to(self, x, y):
        x0, y0 = self.end
        if abs(y - y0) < 0.5:
            self.line(x, y)
        else:
            mid = (x0 + x) / 2
            self.moves.append(("C", mid, y0, mid, y, x, y))

    @property
    def end(self):
        return self.moves[-1][-2:] if self.moves else self.start

    def d(self) -> str:
        parts = [f"M{self.start[0]:.1f},{self.start[1]:.1f}"]
        for m in self.moves:
            parts.append(m[0] + " ".join(f"{v:.1f}" for v in m[1:]))
        return " ".join(parts)

    def points(self, steps: int = 24) -> list[tuple[float, float]]:
        """The path as a polyline (for tests that check what it crosses)."""
        pts = [self.start]
        for m in self.moves:
            x0, y0 = pts[-1]
            if m[0] == "L":
                pts.append((m[1], m[2]))
                continue
            _, x1, y1, x2, y2, x3, y3 = m
            for s in range(1, steps + 1):
                t = s / steps
                u = 1 - t
                pts.append((u**3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t**3 * x3,
                            u**3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t**3 * y3))
        return pts


@dataclass
class Picture:
    width: float
    height: float
    shapes: list[Shape]
    paths: list[Path]
    texts: list[Text]
    title: str


def _captions(shape: Shape, c, live: bool) -> list[Text]:
    lines = [(c.title, 15 if c.kind == "op" else 14, INK, True)]
    if c.name:
        lines.append((c.name, 12, "#546e7a", False))
    if c.total:
        lines.append((c.total, 11, GRAD_COLOUR, False))
    step = [15, 14, 13]
    top = shape.cy - (sum(step[k] for k in range(len(lines) - 1))) / 2
    out, y = [], top
    for k, (text, size, colour, bold) in enumerate(lines):
        tag = f"total:{shape.node}" if c.total and k == len(lines) - 1 else ""
        out.append(Text(shape.cx, y + 0.36 * size, text, size, colour if live else FADED, bold=bold,
                        tag=tag))
        y += step[k]
    return out


def draw(trace, digits: int | None = None, edge_derivatives: bool = False) -> Picture:
    caps, items, chains = build(trace, digits, edge_derivatives)
    order = order_columns(items)
    place_heights(items, order)
    cols = columns(items, order, chains)
    heading = title(trace)
    top = MARGIN + 34
    shift = top - min(it.y - it.half for it in items)
    for it in items:
        it.y += shift

    shapes: dict[int, Shape] = {}
    texts = [Text(MARGIN, MARGIN + 14, heading, 15, INK, "start", True)]
    for k, it in enumerate(items):
        if it.node < 0:
            continue
        c = caps[it.node]
        _, left, right = cols[it.layer]
        fill, stroke = FILLS[c.kind]
        s = Shape("ellipse" if c.kind == "op" else "rect", (left + right) / 2, it.y,
                  it.width, it.height, fill, stroke if c.live else FADED, node=it.node)
        if c.kink:
            s.stroke, s.stroke_width = KINK, 2.6
        if it.node == trace.output:
            s.stroke_width = 2.6
        shapes[it.node] = s
        texts += _captions(s, c, c.live)

    paths = []
    for w, ch in enumerate(chains):   # chains are in the order of picture.wires()
        src = shapes[ch.wire.src]
        live = ch.wire.live
        p = Path((src.cx + src.w / 2, src.cy), colour=WIRE if live else FADED, dashed=not live)
        for a, b in zip(ch.items, ch.items[1:]):   # through the dummies to the consumer
            strip_left, left, right = cols[items[b].layer]
            y = items[b].y + (ch.port if b == ch.items[-1] and ch.wire.dst >= 0 else 0.0)
            p.line(cols[items[a].layer][2], p.end[1])
            p.curve_to(strip_left, y)
            p.line(right if items[b].node < 0 else shapes[ch.wire.dst].left_at(ch.port), y)
            label_x = (strip_left + left) / 2
        if ch.wire.dst < 0:   # the output's own wire, out of the picture
            width = max(text_width(ch.wire.value, FONT), text_width(ch.wire.grad, FONT),
                        text_width(ch.wire.tangent, FONT), 40) + 24
            x0, y = p.end
            p.line(x0 + width, y)
            p.arrow = True
            label_x = x0 + width / 2
        texts.append(Text(label_x, y - 5, ch.wire.value, FONT, VALUE_COLOUR if live else FADED,
                          tag=f"value:{w}"))
        if ch.wire.grad:   # none on a constant's wire, unless --show-constants
            texts.append(Text(label_x, y + 15, ch.wire.grad, FONT, GRAD_COLOUR if live else FADED,
                              tag=f"grad:{w}"))
        if ch.wire.local:   # --edge-derivatives
            texts.append(Text(label_x, y + LOCAL_DY, ch.wire.local, FONT,
                              LOCAL_COLOUR if live else FADED, tag=f"local:{w}"))
        paths.append(p)

    bottom = max(it.y + it.half for it in items) + 14
    right_edge = max([cols[-1][2]] + [p.end[0] + 8 for p in paths])
    legend = [(VALUE_COLOUR, LEGEND_VALUE), (GRAD_COLOUR, legend_grad(trace))]
    legend += [(LOCAL_COLOUR, LEGEND_LOCAL)] if edge_derivatives else []
    notes = [(KINK, f"orange outline: at a kink, {trace.nodes[i].label}: {trace.nodes[i].kink}")
             for i in sorted(shapes) if trace.nodes[i].kink]
    y = bottom
    for colour, text in legend + notes:
        y += 18
        texts.append(Text(MARGIN, y, "■" if colour != KINK else "○", 13, colour, "start"))
        texts.append(Text(MARGIN + 18, y, text, 12, INK, "start",
                          tag="legend:grad" if colour == GRAD_COLOUR else ""))
    # The heading is drawn no wider than the graph (or HEADING_MIN_WIDTH): a long program
    # or list of bindings is shortened further on the picture; <title> keeps the whole.
    room = max(right_edge - MARGIN, HEADING_MIN_WIDTH)
    texts[0].text = fitted_title(trace, int(room // text_width("m", texts[0].size, True)))
    width = max([right_edge] + [t.box()[2] for t in texts]) + MARGIN
    return Picture(width, y + MARGIN, list(shapes.values()), paths, texts, heading)


def _svg_text(t: Text, tagged: bool = False) -> str:
    weight = ' font-weight="bold"' if t.bold else ""
    weight += f" data-tag={quoteattr(t.tag)}" if tagged and t.tag else ""
    weight += ' font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" xml:space="preserve"' \
        if t.mono else ""
    return (f'<text x="{t.x:.1f}" y="{t.y:.1f}" font-size="{t.size:g}" fill="{t.colour}" '
            f'text-anchor="{t.anchor}"{weight}>{escape(t.text)}</text>')


def render(pic: Picture, tagged: bool = False) -> str:
    """The SVG text; tagged: labels carry data-tag attributes (the HTML page reveals them)."""
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{pic.width:.0f}" height="{pic.height:.0f}" '
        f'viewBox="0 0 {pic.width:.0f} {pic.height:.0f}" '
        'font-family="DejaVu Sans, Helvetica, Arial, sans-serif">',
        f"<title>{escape('gradcli trace: ' + pic.title)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{WIRE}"/></marker></defs>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        '<g fill="none" stroke-width="1.6">',
    ]
    for p in pic.paths:
        extra = ' stroke-dasharray="5 4"' if p.dashed else ""
        extra += ' marker-end="url(#arrow)"' if p.arrow else ""
        out.append(f'<path d="{p.d()}" stroke="{p.colour}"{extra}/>')
    out.append("</g>")
    for s in pic.shapes:
        common = (f'fill="{s.fill}" stroke="{s.stroke}" stroke-width="{s.stroke_width:g}" '
                  f'data-node={quoteattr(str(s.node))}')
        if s.kind == "ellipse":
            out.append(f'<ellipse cx="{s.cx:.1f}" cy="{s.cy:.1f}" rx="{s.w / 2:.1f}" '
                       f'ry="{s.h / 2:.1f}" {common}/>')
        else:
            out.append(f'<rect x="{s.cx - s.w / 2:.1f}" y="{s.cy - s.h / 2:.1f}" width="{s.w:.1f}" '
                       f'height="{s.h:.1f}" rx="7" {common}/>')
    out += [_svg_text(t, tagged) for t in pic.texts]
    out.append("</svg>")
    return "\n".join(out) + "\n"


def svg(trace, digits: int | None = None, edge_derivatives: bool = False) -> str:
    return render(draw(trace, digits, edge_derivatives))


def wire_crossings(pic: Picture) -> int:
    """How many times two wires cross, counted on the drawn polylines (benchmarks, tests).

    Every wire runs left to right, so two wires cross where the difference of their
    heights changes sign over the x they share. A touch is not a crossing, and
    neither are wires that leave one node together and part.
    """
    lines = [p.points() for p in pic.paths]
    boxes = [(min(x for x, _ in q), max(x for x, _ in q), min(y for _, y in q), max(y for _, y in q))
             for q in lines]
    count = 0
    for a in range(len(lines)):
        for b in range(a):
            A, B = boxes[a], boxes[b]
            if A[0] < B[1] and B[0] < A[1] and A[2] <= B[3] and B[2] <= A[3]:
                count += _sign_changes(lines[a], lines[b])
    return count


def _height(line, x: float) -> float:
    """The polyline's height at x (its first point there where it is vertical)."""
    k = bisect_left(line, (x, -math.inf))
    if k == 0:
        return line[0][1]
    if k == len(line):
        return line[-1][1]
    (x0, y0), (x1, y1) = line[k - 1], line[k]
    return y1 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def _sign_changes(p, q) -> int:
    lo, hi = max(p[0][0], q[0][0]), min(p[-1][0], q[-1][0])
    xs = sorted({x for x, _ in p + q if lo <= x <= hi})
    changes, last = 0, 0
    for x in xs:
        d = _height(p, x) - _height(q, x)
        sign = 0 if abs(d) < 1e-6 else (1 if d > 0 else -1)
        if sign:
            changes += last == -sign
            last = sign
    return changes
