"""reduce and window_reduce, following `compiler/ir/ops/folds.py`: scalar scf
loops that call the reducer region once per element.

reduce walks the operand in row-major order (nested scf.for, one per axis),
which visits the elements of each result position in the order the reference
folds them; the result, starting as acc everywhere, is carried through the
loops. window_reduce pads the operand with acc and loops over the result's
positions, then the window's. The reducer's block is lowered in place on
rank-0 tensors, as loop bodies are.
"""
from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, scf, tensor

from .. import scalar as S
from ..mlir_types import element_type
from . import lowering
from .windows import _padded


def _loops(em, sizes, carried, body):
    """Nested scf.for over `sizes` (index values), carrying one tensor:
    body(indices, carried) -> the new carried tensor. Returns the final one."""
    if not sizes:
        return body([], carried)
    loop = scf.ForOp(S.index(0), sizes[0], S.index(1), [carried])
    with ir.InsertionPoint(loop.body):
        inner = _loops(em, sizes[1:], loop.inner_iter_args[0],
                       lambda idx, c: body([loop.induction_variable] + idx, c))
        scf.YieldOp([inner])
    return loop.results[0]


def _call(em, block, dt, element, acc):
    """The reducer on two scalars (storage values); returns the new accumulator."""
    scalar = ir.RankedTensorType.get([], element_type(dt))
    args = [tensor.FromElementsOp(scalar, [v]).result for v in (element, acc)]
    (out,) = em.region(block, args)
    return tensor.ExtractOp(out, []).result


@lowering("reduce")
def _reduce(em, op, x, acc):
    t = op.operands[0].type
    out_t = op.result.type
    dt = t.dtype
    axes, keep = op.attrs["axes"], op.attrs["keep_axes"]
    (block,) = op.regions
    start = em.fill(out_t, tensor.ExtractOp(acc, []).result)

    def step(idx, out):
        at = [S.index(0) if i in axes else v for i, v in enumerate(idx)
              if keep or i not in axes]
        new = _call(em, block, dt, tensor.ExtractOp(x, idx).result,
                    tensor.ExtractOp(out, at).result)
        return tensor.InsertOp(new, out, at).result
    return _loops(em, [em.size(d) for d in t.shape], start, step)


@lowering("window_reduce")
def _window_reduce(em, op, x, acc):
    t = op.operands[0].type
    out_t = op.result.type
    a = op.attrs
    dt = t.dtype
    (block,) = op.regions
    init = tensor.ExtractOp(acc, []).result
    padded, _ = _padded(em, x, t, a["padding"], init)
    start = em.fill(out_t, init)
    rank = t.rank
    sizes = [em.size(d) for d in out_t.shape] + [S.index(w) for w in a["window_dimensions"]]

    def step(idx, out):
        o, k = idx[:rank], idx[rank:]
        at = [arith.addi(arith.muli(oi, S.index(s)), arith.muli(ki, S.index(d)))
              for oi, ki, s, d in zip(o, k, a["strides"], a["window_dilations"])]
        new = _call(em, block, dt, tensor.ExtractOp(padded, at).result,
                    tensor.ExtractOp(out, o).result)
        return tensor.InsertOp(new, out, o).result
    return _loops(em, sizes, start, step)
