"""gradcli: exact values and gradients of expressions, from the command line or Python.

The API is loaded on first use, so that `gradcli --help` does not pay for it.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Program", "Result", "compile", "evaluate", "grad", "GradcliError", "__version__"]


def __getattr__(name: str):
    if name in ("Program", "Result", "compile", "evaluate", "grad"):
        from . import api

        return getattr(api, name)
    if name == "GradcliError":
        from .errors import GradcliError

        return GradcliError
    raise AttributeError(f"module 'gradcli' has no attribute {name!r}")
