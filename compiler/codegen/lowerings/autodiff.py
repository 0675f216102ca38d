"""Ops that exist for automatic differentiation, following
`compiler/ir/ops/autodiff.py`: stop_grad and custom_grad compute nothing (their
first operand; custom_grad's region only matters to the gradient pass);
take_row and put_row access row `index` of a buffer, behind an `scf.if` on the
index being in range, so an out-of-range index reads zeros and writes nothing
without touching memory outside the buffer.
"""
from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, scf, tensor

from nxc.compiler.ir import dtypes

from .. import scalar as S
from ..mlir_types import element_type, tensor_type
from . import lowering
from .shape import extract, insert


@lowering("stop_grad", "custom_grad")
def _identity(em, op, value, *inputs):
    return value


def _row_index(em, op, buffer_t, index):
    """(index value, in-range flag) of the scalar tensor `index`."""
    it = op.operands[1].type.dtype
    i64 = element_type(dtypes.s64)
    # u64 indices past 2**63 become negative here, out of range either way.
    i = S.convert(tensor.ExtractOp(index, []).result, it, dtypes.s64)
    rows = arith.index_cast(i64, em.size(buffer_t.shape[0]))
    in_range = arith.andi(arith.cmpi(S.I.sge, i, S.constant(i64, 0)),
                          arith.cmpi(S.I.slt, i, rows))
    return arith.index_cast(ir.IndexType.get(), i), in_range


def _row_window(buffer_t, at):
    offsets = [at] + [0] * (buffer_t.rank - 1)
    shape = (1,) + tuple(buffer_t.shape[1:])
    return offsets, shape, [1] * buffer_t.rank


@lowering("take_row")
def _take_row(em, op, buffer, index):
    bt = op.operands[0].type
    out = op.result.type
    at, in_range = _row_index(em, op, bt, index)
    branch = scf.IfOp(in_range, [tensor_type(out)], has_else=True)
    with ir.InsertionPoint(branch.then_block):
        offsets, shape, strides = _row_window(bt, at)
        # A rank-reducing slice: the row without its axis 0.
        scf.YieldOp([extract(em, buffer, out, offsets, shape, strides)])
    with ir.InsertionPoint(branch.else_block):
        scf.YieldOp([em.fill(out, S.stored_const(out.dtype, 0))])
    return branch.results[0]


@lowering("put_row")
def _put_row(em, op, buffer, index, row):
    bt = op.operands[0].type
    at, in_range = _row_index(em, op, bt, index)
    branch = scf.IfOp(in_range, [tensor_type(bt)], has_else=True)
    with ir.InsertionPoint(branch.then_block):
        offsets, shape, strides = _row_window(bt, at)
        scf.YieldOp([insert(em, row, buffer, offsets, shape, strides)])
    with ir.InsertionPoint(branch.else_block):
        scf.YieldOp([buffer])
    return branch.results[0]
