"""`gradcli trace --html` and `--svg-frames` at 50, 200 and 500 nodes (the page's limit).

    python benchmarks/bench_page.py             # about half a minute
    python benchmarks/bench_page.py --repeat 1  # quicker, noisier

Each row runs the installed `gradcli` as a user would (a new process, the program from a
file) and prints the median wall time and what it wrote. Three shapes: a wide sum
`x*1.0001 + x*1.0001 + …` (every term reads x), a chain `sin(sin(…(x)…))` and an array
program, a deep network `h1 = relu(X @ W + b); h2 = relu(h1 @ W + b); …; mean(hK)` on a
batch X (8, 16) with one W (16, 16) and b (16,): shapes on every wire, arrays in every
step's summary and the table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time

from common import gradcli_command


def wide(n: int) -> str:
    return "x" + "+x*1.0001" * max(1, (n - 1) // 3)


def chain(n: int) -> str:
    return "sin(" * (n - 1) + "x" + ")" * (n - 1)


def network(n: int) -> str:
    layers = max(1, (n - 4) // 3)
    lines = [f"h{k} = relu({'X' if k == 1 else f'h{k - 1}'} @ W + b)" for k in range(1, layers + 1)]
    return "; ".join(lines + [f"mean(h{layers})"])


ARRAYS = ["-X", "randn(8, 16)", "-W", "0.25*randn(16, 16)", "-b", "0.1*randn(16)"]


def nodes_of(shape: str, n: int) -> int:
    if shape == "wide sum":
        return 1 + 3 * max(1, (n - 1) // 3)
    if shape == "array network":
        return 3 + 3 * max(1, (n - 4) // 3) + 1
    return n


def timed(args: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    repeat = ap.parse_args().repeat
    gradcli = gradcli_command()
    print(f"{'program':<16} {'nodes':>5} {'--svg':>8} {'--html':>8} {'page':>9} "
          f"{'--svg-frames':>13} {'frames':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for shape, make in (("wide sum", wide), ("sin chain", chain), ("array network", network)):
            # the network's W and b feed every layer from the inputs' column: past 200 nodes
            # their wires are too long to draw (a usage error)
            for n in (50, 200) if shape == "array network" else (50, 200, 500):
                src = os.path.join(tmp, f"{shape[0]}{n}.txt")
                with open(src, "w") as f:
                    f.write(make(n))
                base = [*gradcli, "trace", "@" + src,
                        *(ARRAYS if shape == "array network" else ["-x", "0.5"])]
                svg = timed(base + ["--svg", os.path.join(tmp, "g.svg"), "--json"], repeat)
                page = os.path.join(tmp, "p.html")
                html = timed(base + ["--html", page, "--json"], repeat)
                folder = os.path.join(tmp, "frames")
                frames = timed(base + ["--svg-frames", folder, "--json"], repeat)
                count = len(os.listdir(folder))
                nodes = nodes_of(shape, n)
                print(f"{shape:<16} {nodes:>5} {svg * 1000:>6.0f}ms {html * 1000:>6.0f}ms "
                      f"{os.path.getsize(page) / 1024:>7.0f}KB {frames * 1000:>11.0f}ms {count:>7}")


if __name__ == "__main__":
    main()
