"""Memory of a long `gradcli train`: peak RSS of whole processes, one table.

    python3 benchmarks/bench_train_memory.py            # 10^6 steps (about a minute a row)
    python3 benchmarks/bench_train_memory.py --steps 100000

Each row runs `gradcli train "(w - 3)^2" --param w=0 --lr 0.1 --steps N` as its
own process (stdout to /dev/null, --history into a temporary folder) and reads
that process's peak resident memory from os.wait4. The first row, 10 steps, is
the floor: Python, click and the parser. Before issue 9, every step was kept
in memory (about 300 B a step here): 326 MB for 10^6 steps, 593 MB with --json.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

from common import gradcli_command


def peak(args: list[str]) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of one gradcli process."""
    start = time.perf_counter()
    with open(os.devnull, "w") as null:
        child = subprocess.Popen([*gradcli_command(), *args], stdout=null)
        _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"gradcli {' '.join(args)} exited {child.returncode}")
    return usage.ru_maxrss / 1024, time.perf_counter() - start  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1_000_000)
    n = parser.parse_args().steps
    base = ["train", "(w - 3)^2", "--param", "w=0", "--lr", "0.1", "--steps"]
    with tempfile.TemporaryDirectory() as tmp:
        history = str(Path(tmp) / "h.csv")
        rows = [("10 steps (the floor)", [*base, "10"]),
                (f"{n} steps", [*base, str(n)]),
                (f"{n} steps --json", [*base, str(n), "--json"]),
                (f"{n} steps --history h.csv", [*base, str(n), "--history", history])]
        print(f"| {'run':<32} | peak RSS MB | seconds |")
        print(f"| {'-' * 32} | ----------: | ------: |")
        for name, args in rows:
            mb, seconds = peak(args)
            print(f"| {name:<32} | {mb:11.1f} | {seconds:7.1f} |", flush=True)


if __name__ == "__main__":
    main()
