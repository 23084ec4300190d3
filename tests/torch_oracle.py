"""PyTorch as an oracle: a test dependency from Python 3.11 on (pyproject.toml).

From 3.11 a missing torch is a failure, not a skip; below 3.11 (no CPU wheel is pinned
there) the tests that need it are skipped, and say why.
"""

import sys

import pytest


def oracle_torch():
    if sys.version_info >= (3, 11):
        import torch

        return torch
    return pytest.importorskip("torch", reason="PyTorch is a test dependency from Python 3.11 on")
