"""Issue 9's speed targets from one run: start-up and whole-process training.

    python benchmarks/bench_issue9.py           # about two minutes
    python benchmarks/bench_issue9.py --quick   # fewer repeats

Start-up as bench_core.py measures it (a fresh venv with a non-editable `pip install .`,
beside `python -c pass` of that venv, round-robin), then `gradcli train --data` against
the hand NumPy script, whole processes at 10^5 and 10^6 rows, and reading 10^6 rows, as
bench_train.py --whole measures them; one TARGETS table at the end.
"""

from __future__ import annotations

import argparse
import os
import tempfile

import bench_core


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    opts = ap.parse_args()
    repeats = 5 if opts.quick else 15
    with tempfile.TemporaryDirectory(prefix="gradcli-bench-venv-") as venv_dir:
        installed = bench_core.fresh_install(venv_dir)
        if installed is None:
            raise SystemExit("pip install . into a fresh venv failed")
        py, cli = installed
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPYCACHEPREFIX", "PYTHONPATH")}
        startup = bench_core.bench_startup(repeats, 1, env, py, cli)
        bench_core.print_startup(startup, repeats, "a fresh venv with a non-editable `pip install .`")
    # Imported only now: bench_train sets one BLAS thread in this process's environment,
    # which the start-up runs above must not inherit.
    import bench_train

    verdicts = bench_train.whole_process([10 ** 5, 10 ** 6], 3 if opts.quick else 7, show_targets=False)
    print("\nTARGETS (issue 9)")
    for t in bench_core.targets(startup, []):
        print(f"  {'met' if t['met'] else 'MISSED':9} {t['shown']:>24}  {t['target']}")
    for met, shown, what in verdicts:
        print(f"  {'met' if met else 'MISSED':9} {shown:>24}  {what}")


if __name__ == "__main__":
    main()
