"""constant, iota, eye: tensors made from attributes alone."""
from __future__ import annotations

import numpy as np
from mlir import ir
from mlir.dialects import arith

from .. import scalar as S
from ..mlir_types import element_type, tensor_type
from . import lowering


def dense(array: np.ndarray, t) -> ir.DenseElementsAttr:
    """The elements of `array` (already of t's numpy type) as an MLIR dense attribute.

    The raw bytes are handed over with the element type spelled out, which works
    alike for every dtype (bf16 and complex have no buffer format MLIR infers).
    """
    data = np.frombuffer(np.ascontiguousarray(array).tobytes(), dtype=np.uint8)
    return ir.DenseElementsAttr.get(data, type=element_type(t.dtype), shape=list(t.shape))


@lowering("constant")
def _constant(em, op):
    t = op.result.type
    value = op.attrs["value"].astype(t.dtype.numpy, copy=False)
    return arith.constant(tensor_type(t), dense(value, t))


@lowering("iota")
def _iota(em, op):
    t = op.result.type
    axis = op.attrs["axis"]

    def body(_out):
        if axis is not None:
            return S.from_index(S.loop_index(axis), t.dtype)
        flat = S.index(0)  # the row-major position
        for i, d in enumerate(t.shape):
            flat = arith.addi(arith.muli(flat, S.index(d)), S.loop_index(i))
        return S.from_index(flat, t.dtype)
    return em.generic([], [(em.empty(t), list(range(t.rank)))], t.rank,
                      ["parallel"] * t.rank, body)


@lowering("eye")
def _eye(em, op):
    t = op.result.type
    r = t.rank

    def body(_out):
        on_diagonal = arith.cmpi(S.I.eq, S.loop_index(r - 2), S.loop_index(r - 1))
        return S.convert(on_diagonal, S.BOOL, t.dtype)
    return em.generic([], [(em.empty(t), list(range(r)))], r, ["parallel"] * r, body)
