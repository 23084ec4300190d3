"""Training: the loop, the optimizers, the compiled NumPy plan."""
