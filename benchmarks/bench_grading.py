"""`gradcli check`: a class of 1,000 students × 20 quantities, graded in one process.

    python benchmarks/bench_grading.py            # about half a minute
    python benchmarks/bench_grading.py --quick    # fewer repeats

The key has five exercises (`gradcli exercise --difficulty 3`), 20 asked quantities
in all. Each student's answer file gives about 60 % right answers, 25 % numbers a
common mistake produces (so every one of them is diagnosed) and 15 % unrelated
wrong numbers (each is compared with every mistake's number and none matches).

Rows (medians of wall and CPU time; the machine is shared, so the CPU time is the
cost of the work and the wall time includes waiting for a core):

- in-process, phase by phase: reading the key (its expected answers), grading the
  1,000 files (reading TOML, marks, diagnoses; the mistakes' numbers of a quantity
  are computed once, on its first wrong answer), and each output: the report's JSON,
  Gradescope's results.json for every student, the CSV;
- whole processes, as a user runs them (stdout to a file): `check … --json`,
  `--format csv` (target, issue 13: under 2 s), and the Rich report of 100 of them
  (Rich lays out one table per student: about 10 ms a student).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import gradcli_command

STUDENTS = 1000
TARGET = 2.0


def write_class(folder: Path, seed: int = 1) -> tuple[str, list[str]]:
    from gradcli.homework.exercises import make_set, to_toml
    from gradcli.homework.problems import load_key

    exercises = make_set(seed, 3, 5)
    for ex in exercises:   # four quantities each: 20 in all
        ex.ask = ex.ask[:2] + [q for q in ex.ask if q.startswith("grad.")][-2:]
        ex.answers = {q: ex.answers[q] for q in ex.ask}
        ex.mistakes = {q: ex.mistakes[q] for q in ex.ask}
    key_path = folder / "key.toml"
    key_path.write_text(to_toml(exercises, seed, 3))
    key = load_key(str(key_path))
    assert key.total == 20, key.total
    rng = random.Random(seed)
    paths = []
    for s in range(STUDENTS):
        lines = [f'student = "student {s}"']
        for pid, problem in key.problems.items():
            lines.append(f"[{pid}]")
            for q in problem.ask:
                roll = rng.random()
                cands = problem.candidates(q)
                if roll < 0.25 and cands:
                    v = rng.choice(cands).value
                elif roll < 0.40:
                    v = 1000 + 1000 * rng.random()
                else:
                    v = problem.expected[q]
                lines.append(f"{q} = {v!r}")
        path = folder / f"s{s:04d}.toml"
        path.write_text("\n".join(lines) + "\n")
        paths.append(str(path))
    return str(key_path), paths


def _cpu() -> float:
    """CPU seconds of this process and its finished children (user + system)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def median_time(fn, repeats: int) -> tuple[float, float]:
    """Median wall and CPU seconds. On a shared machine the wall time waits for a core;
    the CPU time is what the work costs."""
    walls, cpus = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), _cpu()
        fn()
        walls.append(time.perf_counter() - t)
        cpus.append(_cpu() - c)
    return statistics.median(walls), statistics.median(cpus)


def in_process(key_path: str, paths: list[str], repeats: int) -> list[tuple[str, float]]:
    from gradcli.homework.exports import csv_text, gradescope
    from gradcli.homework.problems import grade_class, load_key, to_json
    from gradcli.views.json_view import dumps

    rows = [("read the key (expected answers)", median_time(lambda: load_key(key_path), repeats))]

    def grade():
        key = load_key(key_path)
        return key, grade_class(key, paths)

    rows.append(("read the key + grade 1,000 files (with diagnoses)", median_time(grade, repeats)))
    key, grades = grade()
    wrong = sum(not m.ok for g in grades for m in g.marks)
    diagnosed = sum(m.diagnosis is not None for g in grades for m in g.marks)
    rows.append(("  JSON of the class", median_time(lambda: dumps(to_json(key, grades)), repeats)))
    rows.append(("  Gradescope results.json × 1,000",
                 median_time(lambda: [dumps(gradescope(key, g)) for g in grades], repeats)))
    rows.append(("  CSV", median_time(lambda: csv_text(key, grades), repeats)))
    print(f"{STUDENTS} students × {key.total} quantities: {wrong} wrong answers, "
          f"{diagnosed} of them diagnosed\n")
    return rows


def whole(key_path: str, paths: list[str], repeats: int) -> list[tuple[str, float]]:
    rows = []
    env = dict(os.environ, COLUMNS="120")
    for label, extra, students in (("gradcli check … --json", ["--json"], paths),
                                   ("gradcli check … --format csv", ["--format", "csv"], paths),
                                   ("gradcli check … (the Rich report), 100 students", [], paths[:100])):
        cmd = [*gradcli_command(), "check", key_path, *students, *extra]

        def run():
            with open(os.devnull, "w") as out:
                code = subprocess.run(cmd, stdout=out, stderr=subprocess.DEVNULL, env=env).returncode
            assert code == 1, code   # some answers are wrong

        rows.append((label, median_time(run, repeats)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeats = 3 if args.quick else 7
    with tempfile.TemporaryDirectory() as tmp:
        key_path, paths = write_class(Path(tmp))
        rows = in_process(key_path, paths, repeats)
        rows += [("", None)] + whole(key_path, paths, max(3, repeats // 2))
    print(f"{'what':55} {'wall s':>7} {'CPU s':>7}  target")
    for label, t in rows:
        if t is None:
            print()
            continue
        wall, cpu = t
        mark = ""
        if label.startswith("read the key +") or label.endswith(("--json", "csv")):
            mark = f"CPU < {TARGET:g} s: {'yes' if cpu < TARGET else 'NO'}"
        print(f"{label:55} {wall:7.3f} {cpu:7.3f}  {mark}")
    print(f"\n(the load average was {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: "
          "a wall time above the CPU time waited for a core)")


if __name__ == "__main__":
    sys.exit(main())
