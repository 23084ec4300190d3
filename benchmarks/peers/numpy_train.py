"""`gradcli train "(w*x + b - y)^2" --data FILE --param w=0 --param b=0 --lr 0.05
--steps 100` written by hand in NumPy, the way one does in a notebook: np.loadtxt,
gradients derived by hand, every step's loss kept. Run by benchmarks/bench_train.py
to time a whole process."""

import sys

import numpy as np

table = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1)
x, y = table[:, 0], table[:, 1]
w = b = 0.0
losses = []
for _ in range(100):
    r = w * x + b - y
    losses.append(float(np.mean(r * r)))
    gw, gb = 2 * np.mean(r * x), 2 * np.mean(r)
    w, b = w - 0.05 * gw, b - 0.05 * gb
print(w, b, losses[-1])
