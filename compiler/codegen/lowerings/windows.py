"""Window ops, following `compiler/ir/ops/windows.py`.

window_sum/product/max/min: the operand is padded with the reduction's
identity, then one `linalg.generic` loops over the result's axes (parallel)
and the window's axes (reduction), reading element
out_i * stride_i + k_i * dilation_i of the padded operand; f16/bf16
accumulate in f32 and round once.

window_scatter_max/min: a first `linalg.generic` finds, for each window, the
flat index in the operand of the element it selects (the first maximum or
minimum, NaN winning; padding never selected, -1 when the window holds only
padding); then an scf.for adds each source element at its index, in source
order, into a flat result that starts at init_value.
"""
from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, scf, tensor

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.types import Dim, TensorType

from .. import scalar as S
from ..mlir_types import compute_dtype, element_type, index_type
from . import lowering
from .shape import insert, reshaped

_DYN = ir.ShapedType.get_dynamic_size()
_FLAT = "<flat>"


def _padded(em, x, t: TensorType, padding, fill_storage):
    """`x` (of type t) with `padding` (low, high) pairs filled with `fill_storage`."""
    if all(p == (0, 0) for p in padding):
        return x, t
    shape = tuple(d if isinstance(d, Dim) else d + lo + hi for d, (lo, hi) in zip(t.shape, padding))
    pt = TensorType(t.dtype, shape)
    filled = em.fill(pt, fill_storage)
    ones = (1,) * t.rank
    return insert(em, x, filled, [lo for lo, _ in padding], t.shape, ones), pt


def _window_loops(a, rank):
    """(input exprs, output exprs, iterators): result axes then window axes."""
    exprs = [ir.AffineDimExpr.get(i) * s + ir.AffineDimExpr.get(rank + i) * d
             for i, (s, d) in enumerate(zip(a["strides"], a["window_dilations"]))]
    return exprs, list(range(rank)), ["parallel"] * rank + ["reduction"] * rank


def _identity(name, c):
    if name == "window_sum":
        return 0
    if name == "window_product":
        return 1
    lowest = name == "window_max"
    if c.is_float:
        return float("-inf") if lowest else float("inf")
    return c.min_value() if lowest else c.max_value()


_COMBINE = {"window_sum": S.add, "window_product": S.mul, "window_max": S.maximum,
            "window_min": S.minimum}


@lowering(*_COMBINE)
def _window(em, op, x):
    t = op.operands[0].type
    out = op.result.type
    a = op.attrs
    dt = t.dtype
    c = compute_dtype(dt)
    init = _identity(op.name, c)
    padded, _ = _padded(em, x, t, a["padding"], S.stored_const(dt, init))
    in_exprs, out_exprs, iters = _window_loops(a, t.rank)
    combine = _COMBINE[op.name]
    acc_t = out.with_dtype(c)
    # The window's extent enters only through an input of the window's shape.
    window = em.empty(TensorType(dtypes.u8, a["window_dimensions"]))
    w_exprs = list(range(t.rank, 2 * t.rank))
    acc = em.generic([(padded, in_exprs), (window, w_exprs)],
                     [(em.fill(acc_t, S.const(c, init)), out_exprs)], 2 * t.rank, iters,
                     lambda e, _w, r: combine(c, r, S.load(e, dt)))
    if c == dt:
        return acc
    return em.elementwise(out, [(acc, acc_t)], lambda r: S.store(r, dt))


# ---------------------------------------------------------------------------
# window_scatter_max, window_scatter_min
# ---------------------------------------------------------------------------

def _flat_type(dt, size):
    return ir.RankedTensorType.get([_DYN if not isinstance(size, int) else size],
                                   element_type(dt))


def _count(em, shape):
    n = S.index(1)
    for d in shape:
        n = arith.muli(n, em.size(d))
    return n


def _flatten(em, v, t: TensorType):
    """`v` as a 1-D tensor of t's element count (dynamic size)."""
    n = _count(em, t.shape)
    shape = tensor.FromElementsOp(ir.RankedTensorType.get([1], index_type()), [n]).result
    return tensor.ReshapeOp(_flat_type(t.dtype, None), v, shape).result


def _selected(em, op, x, pick_max):
    """s64 tensor of the source's shape: the flat index each window selects, or -1."""
    t = op.operands[0].type
    src_t = op.operands[1].type
    a = op.attrs
    dt = t.dtype
    c = compute_dtype(dt)
    rank = t.rank
    padded, _ = _padded(em, x, t, a["padding"], S.stored_const(dt, 0))
    in_exprs, out_exprs, iters = _window_loops(a, rank)
    window = em.empty(TensorType(dtypes.u8, a["window_dimensions"]))
    s64 = dtypes.s64
    best_v = em.fill(src_t.with_dtype(c), S.const(c, 0))
    best_i = em.fill(src_t.with_dtype(s64), S.const(s64, -1))
    i64 = element_type(s64)

    def body(e, _w, bv, bi):
        v = S.load(e, dt)
        valid = S.true()
        flat = S.index(0)
        for i, (n, s, d, (lo, _)) in enumerate(zip(t.shape, a["strides"],
                                                   a["window_dilations"], a["padding"])):
            pos = arith.subi(arith.addi(arith.muli(S.loop_index(i), S.index(s)),
                                        arith.muli(S.loop_index(rank + i), S.index(d))),
                             S.index(lo))
            size = em.size(n)
            inside = arith.andi(arith.cmpi(arith.CmpIPredicate.sge, pos, S.index(0)),
                                arith.cmpi(arith.CmpIPredicate.slt, pos, size))
            valid = arith.andi(valid, inside)
            flat = arith.addi(arith.muli(flat, size), pos)
        fresh = arith.cmpi(arith.CmpIPredicate.slt, bi, S.constant(i64, 0))
        better = S.compare(c, "gt" if pick_max else "lt", v, bv)
        if c.is_float:
            # The first NaN wins and stays.
            bv_nan = S.is_nan(c, bv)
            better = arith.andi(arith.xori(bv_nan, S.true()), arith.ori(better, S.is_nan(c, v)))
        wins = arith.andi(valid, arith.ori(fresh, better))
        return [arith.select(wins, v, bv),
                arith.select(wins, arith.index_cast(i64, flat), bi)]
    _, chosen = em.generic([(padded, in_exprs), (window, list(range(rank, 2 * rank)))],
                           [(best_v, out_exprs), (best_i, out_exprs)], 2 * rank, iters, body)
    return chosen


def _scatter(pick_max):
    def lower(em, op, x, source, init):
        t, src_t, init_t = (v.type for v in op.operands)
        out = op.result.type
        dt = out.dtype
        c = compute_dtype(dt)
        chosen = _flatten(em, _selected(em, op, x, pick_max), src_t.with_dtype(dtypes.s64))
        src = _flatten(em, source, src_t)
        start = S.load(S.convert(tensor.ExtractOp(init, []).result, init_t.dtype, dt), dt)
        # The flat result's size, under a name no user dimension can have.
        flat_t = TensorType(c, (Dim(_FLAT),))
        em.dims[_FLAT] = _count(em, t.shape)
        result = em.fill(flat_t, start)
        i64 = element_type(dtypes.s64)
        loop = scf.ForOp(S.index(0), _count(em, src_t.shape), S.index(1), [result])
        with ir.InsertionPoint(loop.body):
            k = [loop.induction_variable]
            (r,) = loop.inner_iter_args
            p = tensor.ExtractOp(chosen, k).result
            valid = arith.cmpi(arith.CmpIPredicate.sge, p, S.constant(i64, 0))
            at = [arith.index_cast(index_type(), arith.select(valid, p, S.constant(i64, 0)))]
            s = S.load(S.convert(tensor.ExtractOp(src, k).result, src_t.dtype, dt), dt)
            cur = tensor.ExtractOp(r, at).result
            new = arith.select(valid, S.add(c, cur, s), cur)
            scf.YieldOp([tensor.InsertOp(new, r, at).result])
        flat_out = loop.results[0]
        if c != dt:
            flat_out = em.elementwise(flat_t.with_dtype(dt), [(flat_out, flat_t)],
                                      lambda v: S.store(v, dt))
        return reshaped(em, flat_out, out)
    return lower


lowering("window_scatter_max")(_scatter(True))
lowering("window_scatter_min")(_scatter(False))
