"""Where each node, wire and label of the SVG picture goes: a small layered layout.

Sugiyama's method, kept short: columns by depth (inputs left, the output
alone on the right, a constant just left of its first use), a dummy point in
every column that a long wire crosses, barycentre sweeps with sifting and
transposition against crossings (the inputs stay in program order), then
heights by least squares under "no overlap" constraints
(pool-adjacent-violators), alternating left-to-right and right-to-left so
that wires run straight where they can.

No wire crosses a label, by construction: a column is [label strip][nodes];
wires bend only in the gaps between columns; in a label strip every wire runs
straight at its own height, and a wire's value and gradient (and, with
--edge-derivatives, its local derivative) are written
there, above and below it, inside the band its node or dummy owns.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, field

from gradcli.errors import GradUsageError
from gradcli.ops.table import CONST
from gradcli.views.picture import captions, wires

MAX_NODES = 1500       # more would not be readable on any page
MAX_ITEMS = 20000      # nodes and dummy points; bounds the layout's time
FONT = 13              # wire labels
PORT = 24              # a binary node's inputs enter this far above and below its centre
LABEL_EXT = 18         # a label reaches this far from its wire
# With --edge-derivatives a third line (the local derivative) goes under the gradient:
LOCAL_DY = 30          # its baseline below the wire
PORT_3 = 31            # ports spread so that two wires' three lines do not meet
LABEL_EXT_3 = 34
PAD = 8                # between bands
DUMMY_HALF = 9
GAP = 56               # room for the curves between columns
MARGIN = 24


def text_width(text: str, size: float, bold: bool = False) -> float:
    """A generous estimate (DejaVu Sans digits are 0.64 em): real text fits inside."""
    return len(text) * size * (0.68 if bold else 0.63)


@dataclass
class Item:
    layer: int
    node: int = -1                    # -1 for a dummy point
    half: float = DUMMY_HALF          # half the height of its band
    width: float = 0.0
    height: float = 0.0
    ports: tuple[float, ...] = (0.0,)  # where its inputs enter, from its centre
    ins: list = field(default_factory=list)    # (item, port offset here)
    outs: list = field(default_factory=list)   # (item, port offset there)
    key: float = 0.0
    y: float = 0.0


@dataclass
class Chain:
    """One wire: its items from the source node to the consumer (or the picture's edge)."""

    wire: object
    items: list[int]
    port: float


def layers(trace) -> list[int]:
    nodes, uses = trace.nodes, trace.uses
    layer = [0] * len(nodes)
    for n in nodes:
        if n.inputs:
            layer[n.id] = 1 + max(layer[j] for j in n.inputs)
    for n in nodes:
        if n.op is CONST and uses[n.id]:
            layer[n.id] = min(layer[c] for c, _ in uses[n.id]) - 1
    out = trace.output
    # The output goes alone on the right, unless it feeds other (dead) nodes, as the bare
    # input x does in "p = x*2; x": it stays left of them, and its own wire runs right.
    if not uses[out] and any(layer[i] >= layer[out] for i in range(len(nodes)) if i != out):
        layer[out] = max(layer) + 1
    return layer


def node_size(c, arity: int, port: float = PORT) -> tuple[float, float]:
    lines = [text_width(c.title, 15 if c.kind == "op" else 14, bold=True)]
    lines += [text_width(c.name, 12)] if c.name else []
    lines += [text_width(c.total, 11)] if c.total else []
    if c.kind == "op":
        h = max(40 + 14 * (len(lines) - 1), 2 * port + 16 if arity == 2 else 0)
        return max(max(lines) + 28, 46, h), h
    return max(max(lines) + 20, 36), 30 + 13 * (len(lines) - 1)


def build(trace, digits, edge_derivatives: bool = False):
    """The items (nodes and dummies) and the wires' chains through them."""
    nodes = trace.nodes
    if len(nodes) > MAX_NODES:
        raise GradUsageError(
            f"the graph has {len(nodes)} nodes: too many to draw legibly (at most {MAX_NODES})",
            hint="use --format dot with Graphviz, or --json")
    caps = captions(trace, digits)
    layer = layers(trace)
    g = trace.graph
    port, ext = (PORT_3, LABEL_EXT_3) if edge_derivatives else (PORT, LABEL_EXT)
    items = []
    for n in nodes:
        w, h = node_size(caps[n.id], len(n.inputs), port)
        ports = (-port, port) if len(n.inputs) == 2 else (0.0,)
        reach = port + ext if len(n.inputs) == 2 else ext
        items.append(Item(layer[n.id], n.id, max(h / 2, reach) + PAD, w, h, ports,
                          key=g.starts[n.id]))
    chains = []
    for wire in wires(trace, digits, edge_derivatives):
        src, dst = wire.src, wire.dst
        # the output's own wire leaves the picture right of every column
        end_layer = layer[dst] if dst >= 0 else max(layer) + 1
        # A dummy sorts by where its use sits in the program: a first argument at the
        # consumer's start, a second one at its end (w2 in w0*x0+w1*x1+w2 comes last).
        key = (g.starts[dst] if wire.position == 0 else g.ends[dst]) if dst >= 0 else 0
        path = [src]
        for L in range(layer[src] + 1, end_layer):
            items.append(Item(L, key=key))
            path.append(len(items) - 1)
            if len(items) > MAX_ITEMS:
                raise GradUsageError("the graph's wires are too long to draw legibly",
                                     hint="use --format dot with Graphviz, or --json")
        port = items[dst].ports[wire.position] if dst >= 0 else 0.0
        if dst >= 0:
            path.append(dst)
        for a, b in zip(path, path[1:]):
            off = port if b == dst else 0.0
            items[b].ins.append((a, off))
            items[a].outs.append((b, off))
        chains.append(Chain(wire, path, port))
    return caps, items, chains


# -- order within each column ------------------------------------------------
#
# Column 0 (the inputs, and constants used there) stays in the order the program
# uses them. The other columns start in program order too, then sweeps alternate
# down and up: each column is sorted by the barycentre of its wires' places in the
# column just done, then each item moves to the place in its column with the
# fewest crossings (sifting) and neighbours swap while that removes crossings
# (transposition). The best order seen is kept; then the same again from every column
# but the first turned upside down, and the better of the two wins. All loops, no recursion, and
# deterministic: stable sorts, and a tie keeps an item where it is.
# benchmarks/bench_crossings.py measures it.

SWEEPS = 24          # at most; STALE sweeps in a row without a better order end it
STALE = 3
WORK = 150_000       # and pairs compared (about 2 n² a column a sweep): big pictures stay quick
PORT_STEP = 1 / 100  # a port's offset (±PORT) as a fraction of one place in a column
FLIP_ITEMS = 300     # up to this many items, the sweeps run a second time from a flipped start


def _edges_between(order, items, L) -> list[tuple[int, float]]:
    """The wires from column L to L+1, as (place in L, place in L+1 with the port)."""
    pos = {it: k for k, it in enumerate(order[L + 1])}
    return [(a_pos, pos[b] + off * PORT_STEP) for a_pos, a in enumerate(order[L])
            for b, off in items[a].outs]


def _inversions(edges: list[tuple[int, float]]) -> int:
    """Pairs of wires whose ends are in opposite orders: they cross (one start: they do not)."""
    edges = sorted(edges)
    seen: list[float] = []   # the far ends of the wires from earlier places, sorted
    count, k = 0, 0
    while k < len(edges):
        j = k
        while j < len(edges) and edges[j][0] == edges[k][0]:
            count += len(seen) - bisect_right(seen, edges[j][1])
            j += 1
        for m in range(k, j):
            insort(seen, edges[m][1])
        k = j
    return count


def _crossings(order, items, L) -> int:
    """The crossings between columns L and L+1."""
    return _inversions(_edges_between(order, items, L))


def _ends(order, items, L) -> dict[int, tuple[list[float], list[float]]]:
    """For each item of column L: where its wires meet the columns left and right, sorted."""
    depth = len(order)
    above = {it: k for k, it in enumerate(order[L - 1])} if L else {}
    below = {it: k for k, it in enumerate(order[L + 1])} if L + 1 < depth else {}
    # a wire leaves its source at the centre and enters its consumer at a port
    return {u: (sorted(above[o] for o, _ in items[u].ins),
                sorted(below[b] + off * PORT_STEP for b, off in items[u].outs))
            for u in order[L]}


def _pair_crossings(eu, ev) -> int:
    """Crossings among the wires of u and v (their _ends), u just above v."""
    return (sum(bisect_left(ev[0], a) for a in eu[0])
            + sum(bisect_left(ev[1], a) for a in eu[1]))


def _sift(order, items, L) -> None:
    """Move each item of column L, in turn, to the place with the fewest crossings."""
    col = order[L]
    ends = _ends(order, items, L)
    cross = {(u, v): _pair_crossings(ends[u], ends[v]) for u in col for v in col if u != v}
    for u in list(col):
        here = col.index(u)
        rest = col[:here] + col[here + 1:]
        # cost[i]: u's crossings with the others when it goes at place i of rest
        cost = [sum(cross[(u, w)] for w in rest)]
        for w in rest:
            cost.append(cost[-1] + cross[(w, u)] - cross[(u, w)])
        place = min(range(len(cost)), key=cost.__getitem__)
        if cost[place] < cost[here]:
            col[:] = rest[:place] + [u] + rest[place:]


def _transpose(order, items, L) -> bool:
    """One pass of neighbour swaps in column L that lower the crossings; whether any did."""
    col = order[L]
    ends = _ends(order, items, L)
    changed = False
    for k in range(len(col) - 1):
        u, v = col[k], col[k + 1]
        if _pair_crossings(ends[v], ends[u]) < _pair_crossings(ends[u], ends[v]):
            col[k], col[k + 1] = v, u
            changed = True
    return changed


def _refine(order, items) -> None:
    """Sift every column, then swap neighbours until no swap helps."""
    for _ in range(len(items)):   # a pass that changes something removes a crossing
        if not any([_transpose(order, items, L) for L in range(1, len(order))]):
            break
    for L in range(1, len(order)):
        if len(order[L]) > 2:
            _sift(order, items, L)
    for _ in range(len(items)):
        if not any([_transpose(order, items, L) for L in range(1, len(order))]):
            return


def order_columns(items) -> list[list[int]]:
    depth = max(it.layer for it in items) + 1
    order = [[] for _ in range(depth)]
    for k, it in enumerate(items):
        order[it.layer].append(k)
    for col in order:
        col.sort(key=lambda k: items[k].key)
    if len(items) > 600:   # sweeps cost O(wires²) a column; big pictures keep source order
        return order

    def total(o):
        return sum(_crossings(o, items, L) for L in range(depth - 1))

    best, best_count = _sweeps(order, items, total)
    if best_count and len(items) <= FLIP_ITEMS:
        # Sweeps settle in the nearest local minimum; the same sweeps from every column but
        # the inputs' turned upside down often find a lower one (benchmarks/bench_crossings.py:
        # about 3% fewer crossings on random 30-60-node programs). The better one wins; a tie
        # keeps the first.
        flipped, count = _sweeps([order[0][:]] + [col[::-1] for col in order[1:]], items, total)
        if count < best_count:
            best = flipped
    return best


def _sweeps(order, items, total) -> tuple[list[list[int]], int]:
    """Barycentre sweeps with sifting and transposition from order (changed in place); the
    best order seen and its crossings."""
    depth = len(order)
    best, best_count = [c[:] for c in order], total(order)
    stale, work = 0, 0
    per_sweep = sum(2 * len(col) ** 2 for col in order)
    for sweep in range(SWEEPS):
        if best_count == 0 or stale >= STALE or (sweep and work + per_sweep > WORK):
            break
        work += per_sweep
        down = sweep % 2 == 0
        for L in (range(1, depth) if down else range(depth - 2, 0, -1)):
            near = order[L - 1] if down else order[L + 1]
            pos = {it: k for k, it in enumerate(near)}
            here = {it: k for k, it in enumerate(order[L])}
            scale = len(near) / len(order[L])   # read before the sort, which empties the list

            def barycentre(k):
                if down:
                    ends = [pos[o] for o, _ in items[k].ins]
                else:
                    ends = [pos[b] + off * PORT_STEP for b, off in items[k].outs]
                # an item with no wire that way keeps its place, scaled to the near column
                return sum(ends) / len(ends) if ends else here[k] * scale

            order[L].sort(key=barycentre)
        _refine(order, items)
        count = total(order)
        if count < best_count:
            best, best_count, stale = [c[:] for c in order], count, 0
        else:
            stale += 1
    return best, best_count


# -- heights -------------------------------------------------------------------

def _pava(wanted: list[float], gaps: list[float]) -> list[float]:
    """Closest heights (least squares) to wanted, in order, each gap apart at least."""
    offsets = [0.0]
    for gap in gaps:
        offsets.append(offsets[-1] + gap)
    blocks: list[list[float]] = []   # [mean, count]
    for w, o in zip(wanted, offsets):
        blocks.append([w - o, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, c2 = blocks.pop()
            m1, c1 = blocks.pop()
            blocks.append([(m1 * c1 + m2 * c2) / (c1 + c2), c1 + c2])
    out = []
    for mean, count in blocks:
        out += [mean] * count
    return [z + o for z, o in zip(out, offsets)]


def place_heights(items, order, rounds: int = 12) -> None:
    for col in order:
        y = 0.0
        for k, it in enumerate(col):
            if k:
                y += items[col[k - 1]].half + items[it].half
            items[it].y = y
    depth = len(order)
    for r in range(rounds):
        down = r % 2 == 0
        for L in (range(1, depth) if down else range(depth - 2, -1, -1)):
            col = order[L]
            wanted = []
            for k in col:
                it = items[k]
                if down:
                    links = [items[o].y - off for o, off in it.ins]
                else:
                    links = [items[o].y + off for o, off in it.outs]
                wanted.append(sum(links) / len(links) if links else it.y)
            gaps = [items[a].half + items[b].half for a, b in zip(col, col[1:])]
            for k, y in zip(col, _pava(wanted, gaps)):
                items[k].y = y


def columns(items, order, chains) -> list[tuple[float, float, float]]:
    """(label strip left, nodes left, nodes right) of every column."""
    strip = [0.0] * len(order)
    for ch in chains:
        last = ch.items[-1] if ch.wire.dst >= 0 else None
        if last is not None:
            width = max(text_width(ch.wire.value, FONT), text_width(ch.wire.grad, FONT),
                        text_width(ch.wire.local, FONT), text_width(ch.wire.tangent, FONT)) + 16
            L = items[last].layer
            strip[L] = max(strip[L], width, 40)
    out, x = [], float(MARGIN)
    for L, col in enumerate(order):
        if L:
            x += GAP
        left = x + strip[L]
        right = left + max((items[k].width for k in col), default=0.0)
        out.append((x, left, right))
        x = right
    return out
