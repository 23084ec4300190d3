"""The operation table is consistent: every row can run on every kind of number it claims."""

from __future__ import annotations

import pytest

from gradcli.ops import (
    floats as kernels,
    arrays as kernels_np,
    table as ops,
    rationals as rational_kernels,
)
from gradcli.language.parse import parse

ROWS = [op for op in ops.ALL_OPS if op.kernel]


@pytest.mark.parametrize("op", ROWS, ids=lambda op: f"{op.name}/{op.arity}")
def test_every_kernel_exists_for_floats_arrays_and_fractions(op):
    for backend in (kernels, kernels_np, rational_kernels):
        assert callable(getattr(backend, op.kernel, None)), (backend.__name__, op.kernel)


@pytest.mark.parametrize("op", ROWS, ids=lambda op: f"{op.name}/{op.arity}")
def test_one_rule_per_input_over_a_b_out_only(op):
    assert len(op.grads) == op.arity
    allowed = {"a", "out"} if op.arity == 1 else {"a", "b", "out"}
    for rule in op.grads:
        assert set(parse(rule).inputs) <= allowed, rule


@pytest.mark.parametrize("op", ROWS, ids=lambda op: f"{op.name}/{op.arity}")
def test_a_convention_has_its_words(op):
    assert len(op.zero_where_text) == len(op.zero_where)
    for predicate, words in zip(op.zero_where, op.zero_where_text):
        assert (predicate is None) == (not words)
    assert bool(op.kink) == bool(op.kink_note)
