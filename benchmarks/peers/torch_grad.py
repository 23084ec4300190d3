"""The one-shot job of `gradcli grad "(x+y)*z" -x 1 -y 3 -z -3`, done with PyTorch (CPU).

Leaf tensors with requires_grad, the expression written in Python, backward().
Run by benchmarks/bench_core.py to time a whole process.
"""

import torch

x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
y = torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
z = torch.tensor(-3.0, dtype=torch.float64, requires_grad=True)
out = (x + y) * z
out.backward()
print(out.item(), {"x": x.grad.item(), "y": y.grad.item(), "z": z.grad.item()})
