"""Lowering of `bufferization.dealloc` to straight-line code.

MLIR's own lowering (bufferization-lower-deallocations) handles a dealloc of
several buffers with a helper function that keeps flags in `memref<?xi1>`,
and the memref-to-LLVM conversion of this version aborts on stores of i1.
Buffers to free at one point are few (the states of a loop, the branches of a
conditional), so the same decisions are made here inline, with the semantics
of that helper:

  - buffer i is freed when its condition holds, it is not (by aligned pointer)
    a retained buffer, and it is not the same buffer as an earlier one in the
    list (each buffer is freed once);
  - retained buffer k is owned afterwards when some buffer i with a true
    condition is the same buffer.
"""
from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, memref, scf

from . import scalar as S
from .mlir_types import bool_type
from .rewrite import rewrite_ops


def lower_deallocs(module: ir.Module):
    rewrite_ops(module, "bufferization.dealloc", _lower)


def _pointer(buffer):
    return memref.ExtractAlignedPointerAsIndexOp(buffer).result


def _lower(op):
    sizes = list(ir.DenseI32ArrayAttr(op.attributes["operandSegmentSizes"]))
    operands = list(op.operands)
    n, _, r = sizes
    buffers, conditions, retained = operands[:n], operands[n:2 * n], operands[2 * n:2 * n + r]
    ptrs = [_pointer(b) for b in buffers]
    kept = [_pointer(b) for b in retained]
    for i, (buf, cond) in enumerate(zip(buffers, conditions)):
        free = cond
        for other in kept + ptrs[:i]:
            free = arith.andi(free, arith.cmpi(S.I.ne, ptrs[i], other))
        branch = scf.IfOp(free)
        with ir.InsertionPoint(branch.then_block):
            memref.DeallocOp(buf)
            scf.YieldOp([])
    for k, ptr in enumerate(kept):
        owned = S.constant(bool_type(), 0)
        for p, cond in zip(ptrs, conditions):
            owned = arith.ori(owned, arith.andi(cond, arith.cmpi(S.I.eq, p, ptr)))
        op.results[k].replace_all_uses_with(owned)
