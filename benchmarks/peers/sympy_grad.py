"""The one-shot job of `gradcli grad "(x+y)*z" -x 1 -y 3 -z -3`, done with SymPy.

Parse the text, differentiate with respect to every variable, evaluate at the
point. Run by benchmarks/bench_core.py to time a whole process.
"""

import sympy

text = "(x+y)*z"
point = {"x": 1, "y": 3, "z": -3}

expr = sympy.parse_expr(text)
symbols = sorted(expr.free_symbols, key=str)
at = {s: point[s.name] for s in symbols}
value = expr.evalf(subs=at)
gradient = {s.name: sympy.diff(expr, s).evalf(subs=at) for s in symbols}
print(value, gradient)
