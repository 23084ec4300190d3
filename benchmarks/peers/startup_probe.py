"""Where gradcli's start-up goes, seen from inside one fresh process.

    python startup_probe.py phases        ->  JSON {step: seconds} for the grad path, step by step
    python startup_probe.py modules ARGS  ->  JSON (the last line): which heavy packages `gradcli ARGS` loaded

bench_core.py runs each mode in fresh processes and prints the medians.
"""

import contextlib
import io
import json
import sys
import time

HEAVY = ("click", "lark", "rich", "numpy", "sympy", "torch", "regex")


def phases() -> dict:
    steps = {}
    last = time.perf_counter()

    def step(name):
        nonlocal last
        now = time.perf_counter()
        steps[name] = now - last
        last = now

    import click  # noqa: F401
    step("import click")
    import gradcli.cli
    step("import gradcli.cli (after click)")
    import gradcli.program.program
    step("import gradcli.program.program (ops, kernels, rules, passes, syntax)")
    from gradcli.language.parse import Parser
    Parser.get()  # a program that parses never imports Lark (a syntax error does)
    step("Parser.get(): the shipped LALR tables (grammars/gradcli_lalr.py)")
    result = gradcli.program.program.Program("(x+y)*z").grad({"x": "1", "y": "3", "z": "-3"})
    step("parse + bind + forward + backward of (x+y)*z")
    from gradcli.views.json_view import dumps
    dumps(result.to_json())
    step("JSON out (import json, dumps)")
    from gradcli.views.human import print_grad
    step("import Rich (gradcli.views.human)")
    with contextlib.redirect_stdout(io.StringIO()):
        print_grad(result)
    step("Rich table out")
    steps["tables"] = ("shipped, no Lark" if getattr(Parser.get(), "from_tables", False)
                       else "Lark, from the grammar")
    return steps


def modules(args: list[str]) -> dict:
    # As the console script runs: argv[0] named gradcli, so that the help pages apply
    # (gradcli/cli/start.py; a page is written to the file descriptor, before this JSON).
    sys.argv = ["gradcli", *args]
    try:
        from gradcli.cli import main

        with contextlib.redirect_stdout(io.StringIO()):
            main(args=args, prog_name="gradcli")
    except SystemExit:
        pass
    return {"loaded": [m for m in HEAVY if m in sys.modules], "modules": len(sys.modules)}


if __name__ == "__main__":
    mode, rest = sys.argv[1], sys.argv[2:]
    print(json.dumps(phases() if mode == "phases" else modules(rest)))
