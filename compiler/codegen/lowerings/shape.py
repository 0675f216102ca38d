"""Shape ops, following `compiler/ir/ops/shape.py`: views (reshape, squeeze,
new_axis as `tensor.reshape`; slice as `tensor.extract_slice`), copies
(transpose, broadcast) and assemblies of slices (put_slice, concatenate, stack,
pad as `tensor.insert_slice` into a new tensor). Operands of another dtype are
converted to the result's first, as the references do.
"""
from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, linalg, tensor

from nxc.compiler.ir.types import Dim, TensorType

from .. import scalar as S
from ..mlir_types import index_type, tensor_type
from . import lowering

_DYN = ir.ShapedType.get_dynamic_size()


def converted(em, value, t, dtype):
    """`value` (of type t) converted element-wise to `dtype`, or itself."""
    if t.dtype == dtype:
        return value
    return em.elementwise(t.with_dtype(dtype), [(value, t)],
                          lambda a: S.convert(a, t.dtype, dtype))


def _sizes(em, shape):
    """Static sizes (dynamic marked) and the dynamic size values, for slice ops."""
    static, dynamic = [], []
    for d in shape:
        if isinstance(d, Dim):
            static.append(_DYN)
            dynamic.append(em.size(d))
        else:
            static.append(d)
    return static, dynamic


def _slice_args(em, offsets, shape, strides):
    """Operands and static attributes of extract_slice/insert_slice.

    `offsets` are ints or index values; `shape` ints or Dims; `strides` ints.
    """
    static_offsets, dyn_offsets = [], []
    for o in offsets:
        if isinstance(o, int):
            static_offsets.append(o)
        else:
            static_offsets.append(_DYN)
            dyn_offsets.append(o)
    static_sizes, dyn_sizes = _sizes(em, shape)
    return dyn_offsets, dyn_sizes, [], static_offsets, static_sizes, list(strides)


def extract(em, source, result_type, offsets, shape, strides):
    args = _slice_args(em, offsets, shape, strides)
    return tensor.ExtractSliceOp(tensor_type(result_type), source, *args).result


def _empty(shape) -> bool:
    return any(d == 0 for d in shape)


def insert(em, source, dest, offsets, shape, strides):
    """`dest` with `source` written at `offsets` (nothing to write: `dest` itself)."""
    if _empty(shape):
        return dest
    args = _slice_args(em, offsets, shape, strides)
    return tensor.InsertSliceOp(source, dest, *args).result


def reshaped(em, value, t):
    """`value` with the row-major elements laid out as type `t`."""
    shape = tensor.FromElementsOp(ir.RankedTensorType.get([t.rank], index_type()),
                                  [em.size(d) for d in t.shape]).result
    return tensor.ReshapeOp(tensor_type(t), value, shape).result


@lowering("reshape", "squeeze", "new_axis")
def _reshape(em, op, x):
    return reshaped(em, x, op.result.type)


@lowering("transpose")
def _transpose(em, op, x):
    if op.result.type.rank == 0:  # nothing to permute (and no empty permutation map)
        return x
    return linalg.transpose(x, outs=[em.empty(op.result.type)],
                            permutation=list(op.attrs["axes"])).result


@lowering("broadcast")
def _broadcast(em, op, x):
    xt = op.operands[0].type
    out = op.result.type
    exprs = []
    for j, a in enumerate(op.attrs["axes"]):
        stretched = xt.shape[j] == 1 and out.shape[a] != 1
        exprs.append(None if stretched else a)
    return em.broadcast(x, exprs, out)


@lowering("slice")
def _slice(em, op, x):
    xt = op.operands[0].type
    out = op.result.type
    starts, lengths, strides = (op.attrs[k] for k in ("start_indices", "lengths", "strides"))
    offsets = []
    for i, (d, s, n) in enumerate(zip(xt.shape, starts, lengths)):
        if isinstance(d, Dim) and not isinstance(n, Dim):
            # A static length on a symbolic axis: the start clamps to fit.
            em.export.require(d.name, n, f"slice of length {n} on axis {i} of {xt}")
            room = arith.subi(em.size(d), S.index(n))
            offsets.append(arith.minsi(S.index(s), room))
        else:
            offsets.append(s)
    if _empty(out.shape):
        return em.empty(out)
    return extract(em, x, out, offsets, out.shape, strides)


@lowering("put_slice")
def _put_slice(em, op, x, update):
    xt, ut = (v.type for v in op.operands)
    out = op.result.type
    base = converted(em, x, xt, out.dtype)
    piece = converted(em, update, ut, out.dtype)
    offsets = []
    for d, u, s in zip(xt.shape, ut.shape, op.attrs["start_indices"]):
        # The start clamps so the update fits (symbolic axes fit exactly: start 0).
        offsets.append(0 if isinstance(d, Dim) else max(0, min(s, d - u)))
    return insert(em, piece, base, offsets, ut.shape, [1] * ut.rank)


@lowering("concatenate")
def _concatenate(em, op, *xs):
    out = op.result.type
    axis = op.attrs["axis"]
    r = em.empty(out)
    offset = 0
    for k, (v, x) in enumerate(zip(op.operands, xs)):
        t = v.type
        offsets = [0] * out.rank
        offsets[axis] = offset
        r = insert(em, converted(em, x, t, out.dtype), r, offsets, t.shape, [1] * t.rank)
        if k + 1 < len(xs):  # only a lone operand may be symbolic along the axis
            offset += t.shape[axis]
    return r


@lowering("stack")
def _stack(em, op, *xs):
    out = op.result.type
    axis = op.attrs["axis"]
    r = em.empty(out)
    for k, (v, x) in enumerate(zip(op.operands, xs)):
        t = v.type
        offsets = [0] * out.rank
        offsets[axis] = k
        shape = t.shape[:axis] + (1,) + t.shape[axis:]
        # A rank-reducing insert: the operand fills a size-1 slice of the new axis.
        r = insert(em, converted(em, x, t, out.dtype), r, offsets, shape, [1] * out.rank)
    return r


@lowering("pad")
def _pad(em, op, x, value):
    xt, vt = (v.type for v in op.operands)
    out = op.result.type
    fill_value = tensor.ExtractOp(converted(em, value, vt, out.dtype), []).result
    r = em.fill(out, fill_value)
    # Input element j of an axis lands at lo + j * (interior + 1) of the output;
    # keep the elements that land inside it.
    offsets, starts, kept, strides = [], [], [], []
    for d, n_out, (lo, hi, interior) in zip(xt.shape, out.shape, op.attrs["config"]):
        step = interior + 1
        if isinstance(d, Dim):  # symbolic axes are never padded
            first, count, at = 0, d, 0
        else:
            first = -(-max(0, -lo) // step)
            last = min(d - 1, (n_out - 1 - lo) // step) if n_out > 0 else -1
            count, at = last - first + 1, lo + first * step
            if count <= 0:
                return r
        offsets.append(at)
        starts.append(first)
        kept.append(count)
        strides.append(step)
    piece = converted(em, x, xt, out.dtype)
    if tuple(kept) != tuple(xt.shape):
        piece = extract(em, piece, TensorType(out.dtype, tuple(kept), xt.names), starts, kept,
                        [1] * xt.rank)
    return insert(em, piece, r, offsets, kept, strides)
