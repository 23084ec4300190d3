"""SymPy on a big expression: parse it, differentiate with respect to every variable.

    python sympy_scale.py FILE    ->  one JSON line {"parse": s, "diff": s, "symbols": n}

bench_core.py runs this in a subprocess with a timeout, so a hang or a
RecursionError here cannot stop the benchmark. Failures print {"error": ...}.
"""

import json
import sys
import time

import sympy


def main(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        t0 = time.perf_counter()
        expr = sympy.parse_expr(text)
        t1 = time.perf_counter()
        symbols = sorted(expr.free_symbols, key=str)
        for s in symbols:
            sympy.diff(expr, s)
        t2 = time.perf_counter()
    except Exception as exc:  # RecursionError, "too many nested parentheses", ...
        print(json.dumps({"error": type(exc).__name__}))
        return
    print(json.dumps({"parse": t1 - t0, "diff": t2 - t1, "symbols": len(symbols)}))


if __name__ == "__main__":
    main(sys.argv[1])
