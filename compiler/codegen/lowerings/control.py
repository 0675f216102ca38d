"""cond, while, for as scf.if, scf.while, scf.for on tensors.

Region blocks are lowered in place by the emitter; values of the enclosing
blocks stay visible inside them, as in the IR. A `for` loop's index is an s32
scalar tensor computed from the trip number, so negative steps need no
special case.
"""
from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, scf, tensor

from nxc.compiler.ir import dtypes

from .. import scalar as S
from ..mlir_types import element_type, tensor_type
from . import lowering


def _scalar_truth(t, value):
    """A rank-0 tensor's element != 0, as an i1."""
    return S.truth(tensor.ExtractOp(value, []).result, t.dtype)


@lowering("cond")
def _cond(em, op, pred):
    types = [tensor_type(r.type) for r in op.results]
    then_block, else_block = op.regions
    if_op = scf.IfOp(_scalar_truth(op.operands[0].type, pred), types, has_else=True)
    for block, region in ((then_block, if_op.then_block), (else_block, if_op.else_block)):
        with ir.InsertionPoint(region):
            scf.YieldOp(em.region(block, []))
    return list(if_op.results)


@lowering("while")
def _while(em, op, *state):
    types = [tensor_type(r.type) for r in op.results]
    cond_block, body_block = op.regions
    loop = scf.WhileOp(types, list(state))
    before = loop.before.blocks.append(*types)
    with ir.InsertionPoint(before):
        (flag,) = em.region(cond_block, list(before.arguments))
        scf.ConditionOp(_scalar_truth(cond_block.yielded[0].type, flag), list(before.arguments))
    after = loop.after.blocks.append(*types)
    with ir.InsertionPoint(after):
        scf.YieldOp(em.region(body_block, list(after.arguments)))
    return list(loop.results)


@lowering("for")
def _for(em, op, *state):
    start, stop, step = (op.attrs[k] for k in ("start", "stop", "step"))
    trips = len(range(start, stop, step))
    (body_block,) = op.regions
    loop = scf.ForOp(S.index(0), S.index(trips), S.index(1), list(state))
    with ir.InsertionPoint(loop.body):
        i32 = element_type(dtypes.s32)
        trip = arith.index_cast(i32, loop.induction_variable)
        i = arith.addi(S.constant(i32, start), arith.muli(trip, S.constant(i32, step)))
        index = tensor.FromElementsOp(ir.RankedTensorType.get([], i32), [i]).result
        scf.YieldOp(em.region(body_block, [index, *loop.inner_iter_args]))
    return list(loop.results)
