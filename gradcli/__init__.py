"""gradcli: exact values and gradients of expressions, from the command line or Python.

Scripts import `gradcli` and nothing deeper: every public name is here. Each
is loaded on first use, so that `gradcli --help` does not pay for the API.
"""

from __future__ import annotations

__version__ = "0.1.0"

# name -> the module that defines it (the package reads as the pipeline; see README
# "How the code is laid out")
_PUBLIC = {
    "Program": "gradcli.program.program",
    "Result": "gradcli.program.program",
    "compile": "gradcli.program.program",
    "evaluate": "gradcli.program.program",
    "grad": "gradcli.program.program",
    "trace": "gradcli.program.trace",
    "Trace": "gradcli.program.trace",
    "eval_points": "gradcli.homework.batch",
    "grad_points": "gradcli.homework.batch",
    "check_gradient": "gradcli.homework.gradcheck",
    "train": "gradcli.training.loop",
    "gradient_formulas": "gradcli.symbolic.formulas",
    "exact_grad": "gradcli.symbolic.exact",
    "exact_evaluate": "gradcli.symbolic.exact",
    "hessian": "gradcli.symbolic.hessian",
    "hessian_graph": "gradcli.symbolic.hessian",
    "GradcliError": "gradcli.errors",
}

__all__ = [*_PUBLIC, "__version__"]


def __getattr__(name: str):
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'gradcli' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    if module.startswith("gradcli.program."):   # results and traces draw themselves in Jupyter
        importlib.import_module("gradcli.views.notebook")
    globals()[name] = value      # looked up once
    return value


def __dir__():
    return sorted(__all__)
