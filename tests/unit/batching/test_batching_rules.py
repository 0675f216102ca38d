"""Every op's batching rule against a Python loop over the entries, driven by the registry.

For each op, each of its sample cases (for a float and an integer type where it
accepts them) and several placements of the batch axis (first, last and middle
axis; all operands batched, or only one), the vmapped one-op function must give
exactly what running the op on each entry and stacking the results gives. An op
registered without a batching rule fails `test_every_op_has_a_batching_rule`.
Region ops (cond, while, for) are tested in test_batching_control.py.
"""
import zlib

import numpy as np
import pytest

from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir import registry
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.types import Dim, TensorType
from nxc.compiler.ir.verifier import verify_function
from nxc.compiler.passes.batching import RULES, vmap_function
from nxc.compiler.passes.batching.rules import NO_OPERANDS, REGION_RULES

from batching_util import assert_same, batched_input, loop_oracle, one_op

OPS = registry.all_ops()
SIZE = 3


def test_every_op_has_a_batching_rule():
    missing = sorted(n for n in OPS if n not in RULES and n not in NO_OPERANDS)
    assert not missing, f"ops without a batching rule in rules.RULES: {missing}"


def test_a_new_op_without_a_rule_is_caught(monkeypatch):
    fake = registry.OpDef("fake_op", infer=lambda x: x, ref=lambda x: x, doc="fake")
    monkeypatch.setitem(registry.OPS, "fake_op", fake)
    with pytest.raises(AssertionError, match="fake_op"):
        test_every_op_has_a_batching_rule()


def _dtypes(op):
    picked = [d for d in (T.f32, T.s32) if d in op.accepts]
    return picked or [op.accepts[0]]


def placements(types):
    """in_axes tuples: every operand batched at its first, last or middle axis (or
    alternating), and each operand alone batched."""
    ranks = [t.rank for t in types]
    if not types:
        return [()]
    out = [tuple(0 for _ in ranks), tuple(ranks), tuple((r + 1) // 2 for r in ranks),
           tuple(r if i % 2 else 0 for i, r in enumerate(ranks))]
    if len(types) > 1:
        for i, r in enumerate(ranks):
            alone = [None] * len(types)
            alone[i] = (r + 1) // 2 if i % 2 else r
            out.append(tuple(alone))
            alone[i] = 0
            out.append(tuple(alone))
    return list(dict.fromkeys(out))


def cases():
    for name in sorted(OPS):
        op = OPS[name]
        if name in REGION_RULES or op.samples is None:
            continue
        for dt in _dtypes(op):
            for k, (types, attrs) in enumerate(op.samples(dt)):
                yield pytest.param(name, types, attrs, id=f"{name}-{dt}-{k}")


def check(fn, in_axes, rng, axis_size=SIZE):
    what = f"{fn.body.ops[-2].name} with in_axes={in_axes}"
    v = vmap_function(fn, in_axes, axis_size=axis_size)
    verify_function(v)
    for t, r in zip(fn.result_types, v.result_types):
        size = SIZE if axis_size == SIZE else Dim(axis_size)
        assert r == TensorType(t.dtype, (size,) + t.shape, (None,) + t.names), what
    args = [batched_input(t, ax, SIZE, rng) for t, ax in zip(fn.param_types, in_axes)]
    with np.errstate(all="ignore"):
        got = run_function(v, *args)
        want = loop_oracle(fn, args, in_axes, SIZE)
    for g, w, t in zip(got, want, fn.result_types):
        assert_same(g, w, t.dtype, what)


@pytest.mark.parametrize("name, types, attrs", list(cases()))
def test_rule_matches_the_loop(name, types, attrs):
    rng = np.random.default_rng(zlib.crc32(f"{name}{types}{attrs}".encode()))
    fn = one_op(name, types, attrs)
    for in_axes in placements(types):
        check(fn, in_axes, rng)
    if types:  # The same with a symbolic batch size, bound when the function runs.
        check(fn, placements(types)[0], rng, axis_size="n")
