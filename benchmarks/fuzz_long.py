"""A long fuzzing run: programs of the grammar, cut up and bound at random, for N seconds.

    python benchmarks/fuzz_long.py --seconds 600          # ten minutes
    python benchmarks/fuzz_long.py --seconds 60 --seed 3

Programs come from hypothesis' from_lark over grammars/gradcli.lark (as in
tests/test_fuzz_grammar_cli.py) and from mutating them (a character cut,
doubled, or replaced by a bracket, a NUL, an escape or a digit run); each
runs through eval, grad, trace and hessian with --json and random bindings,
in-process with click's CliRunner. Prints a table of counts by outcome
(exit code and error kind); any run that is not a value or a documented
error (another exit code, a traceback, "internal error", stdout that is not
one JSON object) is a FAILURE, printed with its command line, and the
script exits 1. Time-bounded: it stops at the first program after --seconds.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

COMMANDS = ("eval", "grad", "trace", "hessian")
BINDINGS = ["0", "1", "-1", "0.5", "2", "1e-17", "1e154", "1e308", "-1e-310", "pi/4", "2^0.5",
            "1/3", "log(0)", "abc", "1e999", "", "0." + "3" * 5000, "nan", "-0"]
MUTATIONS = ["(", ")", "\x00", "\x1b[31m", "\u202e", "9" * 400, "^", ",", ";", "\n", "#", "e"]


def programs(rng: random.Random):
    """Endless programs: drawn from the grammar, then some mutations of each."""
    from hypothesis import HealthCheck, given, settings
    from test_fuzz_grammar_cli import programs as grammar_programs

    drawn: list[str] = []

    @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(grammar_programs())
    def collect(text):
        drawn.append(text)

    while True:
        drawn.clear()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            collect()
        for text in drawn:
            yield "grammar", text
            for _ in range(3):
                i = rng.randrange(len(text) + 1)
                yield "mutated", text[:i] + rng.choice(MUTATIONS) + text[i + rng.randrange(2):]


def run_one(command: str, text: str, rng: random.Random):
    """(outcome, failure or None) for one command line."""
    import re

    from conftest import run_cli

    names = sorted(set(re.findall(r"[^\W\d]\w*", text)))
    binds = [f"{n}={rng.choice(BINDINGS)}" for n in names]
    args = [command, "-", *binds, "--json"]
    try:
        run = run_cli(*args, input=text)
    except Exception as exc:  # noqa: BLE001 - anything escaping the CLI is a finding
        return "escaped", f"{args[:1]} {text!r}: {type(exc).__name__}: {exc}"
    bad = "Traceback" in run.stderr or "internal error" in run.stderr
    try:
        obj = json.loads(run.stdout)
    except ValueError:
        obj, bad = None, True
    if run.exit_code not in (0, 2, 3) or bad:
        return f"exit {run.exit_code}", f"{command} {text[:200]!r} {binds[:4]}: {run.stderr[-300:]}"
    if run.exit_code == 0:
        return "0 value", None
    return f"{run.exit_code} {obj['error']['kind']}", None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="how long to run (default 60)")
    ap.add_argument("--seed", type=int, default=0)
    opts = ap.parse_args()
    rng = random.Random(opts.seed)
    counts: collections.Counter = collections.Counter()
    failures: list[str] = []
    start = time.monotonic()
    n_programs = 0
    for source, text in programs(rng):
        if time.monotonic() - start > opts.seconds:
            break
        n_programs += 1
        for command in COMMANDS:
            outcome, failure = run_one(command, text, rng)
            counts[(source, command, outcome)] += 1
            if failure:
                failures.append(failure)
    elapsed = time.monotonic() - start
    print(f"fuzz_long: {n_programs} programs, {sum(counts.values())} runs in {elapsed:.0f} s "
          f"(seed {opts.seed})")
    print(f"  {'source':8} {'command':8} {'outcome':14} {'runs':>7}")
    for (source, command, outcome), n in sorted(counts.items()):
        print(f"  {source:8} {command:8} {outcome:14} {n:>7}")
    print(f"  FAILURES: {len(failures)}")
    for f in failures[:20]:
        print("   ", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
