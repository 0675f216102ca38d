"""sort and argsort, following `compiler/ir/ops/sorting.py`: a stable bottom-up
merge sort, O(n log n) per row, in scf loops.

The sorted axis is moved last and the other axes flattened into rows. Per
row, a permutation (s64, starting as 0..n-1) is merged in runs of width 1, 2,
4, ... between two buffers; keys are read through it and never move. An
element of the right run goes first only when its key comes strictly before
the left one's, so equal keys keep their order (stable). "Before" is `<`
ascending and `>` descending, with NaN above every number. The values are
then the keys read through the permutation; the indices are the permutation.
"""
from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, linalg, scf, tensor

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.types import TensorType

from .. import scalar as S
from ..mlir_types import compute_dtype, element_type, index_type
from . import lowering
from .shape import reshaped

_DYN = ir.ShapedType.get_dynamic_size()
_P = arith.CmpIPredicate


def _before(c, direction, a, b):
    """i1: key a comes strictly before key b."""
    if direction == "asc":
        first = S.compare(c, "lt", a, b)
        if c.is_float:  # a number comes before NaN
            first = arith.ori(first, arith.andi(S.is_nan(c, b), arith.xori(S.is_nan(c, a),
                                                                           S.true())))
    else:
        first = S.compare(c, "gt", a, b)
        if c.is_float:  # NaN comes before a number
            first = arith.ori(first, arith.andi(S.is_nan(c, a), arith.xori(S.is_nan(c, b),
                                                                           S.true())))
    return first


def _moved_last(em, x, t: TensorType, axis):
    """`x` with `axis` moved last, and its type."""
    if axis == t.rank - 1:
        return x, t
    perm = [i for i in range(t.rank) if i != axis] + [axis]
    mt = TensorType(t.dtype, tuple(t.shape[i] for i in perm))
    return linalg.transpose(x, outs=[em.empty(mt)], permutation=perm).result, mt


def _moved_back(em, v, mt: TensorType, t: TensorType, axis):
    if axis == t.rank - 1:
        return v
    rank = t.rank
    perm = list(range(axis)) + [rank - 1] + list(range(axis, rank - 1))
    return linalg.transpose(v, outs=[em.empty(t)], permutation=perm).result


def _rows(em, v, mt: TensorType):
    """`v` (axis to sort last) as a (rows, n) tensor, and the two sizes."""
    rows = S.index(1)
    for d in mt.shape[:-1]:
        rows = arith.muli(rows, em.size(d))
    n = em.size(mt.shape[-1])
    shape = tensor.FromElementsOp(ir.RankedTensorType.get([2], index_type()), [rows, n]).result
    ty = ir.RankedTensorType.get([_DYN, _DYN], element_type(mt.dtype))
    return tensor.ReshapeOp(ty, v, shape).result, rows, n


def _empty(shape_values, dt):
    ty = ir.RankedTensorType.get([_DYN] * len(shape_values), element_type(dt))
    return tensor.EmptyOp.build_generic(results=[ty], operands=list(shape_values)).result


def _merge_pass(keys, row, src, dst, width, n, c, dt, direction):
    """One pass: runs of `width` of `src` merged pairwise into `dst`; returns dst."""
    two_w = arith.muli(width, S.index(2))
    runs = scf.ForOp(S.index(0), n, two_w, [dst])
    with ir.InsertionPoint(runs.body):
        lo = runs.induction_variable
        mid = arith.minsi(arith.addi(lo, width), n)
        hi = arith.minsi(arith.addi(lo, two_w), n)
        (out,) = runs.inner_iter_args
        merge = scf.ForOp(lo, hi, S.index(1), [lo, mid, out])
        with ir.InsertionPoint(merge.body):
            k = merge.induction_variable
            i, j, buf = merge.inner_iter_args
            # Clamped reads: an exhausted run is never taken, whatever it reads.
            pi = tensor.ExtractOp(src, [arith.minsi(i, arith.subi(mid, S.index(1)))]).result
            pj = tensor.ExtractOp(src, [arith.minsi(j, arith.subi(hi, S.index(1)))]).result
            key = lambda p: S.load(tensor.ExtractOp(  # noqa: E731
                keys, [row, arith.index_cast(index_type(), p)]).result, dt)
            left_done = arith.cmpi(_P.sge, i, mid)
            right_left = arith.cmpi(_P.slt, j, hi)
            right = arith.andi(right_left, arith.ori(left_done,
                                                     _before(c, direction, key(pj), key(pi))))
            buf = tensor.InsertOp(arith.select(right, pj, pi), buf, [k]).result
            one = S.index(1)
            i = arith.select(right, i, arith.addi(i, one))
            j = arith.select(right, arith.addi(j, one), j)
            scf.YieldOp([i, j, buf])
        scf.YieldOp([merge.results[2]])
    return runs.results[0]


def _sort_row(keys, row, n, c, dt, direction):
    """The stable sorting permutation (s64, size n) of row `row` of `keys`."""
    s64 = dtypes.s64
    i64 = element_type(s64)
    start = _empty([n], s64)
    fill = scf.ForOp(S.index(0), n, S.index(1), [start])
    with ir.InsertionPoint(fill.body):
        k = fill.induction_variable
        scf.YieldOp([tensor.InsertOp(arith.index_cast(i64, k), fill.inner_iter_args[0],
                                     [k]).result])
    perm_t = ir.RankedTensorType.get([_DYN], i64)
    idx = index_type()
    loop = scf.WhileOp([idx, perm_t, perm_t], [S.index(1), fill.results[0], _empty([n], s64)])
    before = loop.before.blocks.append(idx, perm_t, perm_t)
    with ir.InsertionPoint(before):
        width = before.arguments[0]
        scf.ConditionOp(arith.cmpi(_P.slt, width, n), list(before.arguments))
    after = loop.after.blocks.append(idx, perm_t, perm_t)
    with ir.InsertionPoint(after):
        width, src, dst = after.arguments
        merged = _merge_pass(keys, row, src, dst, width, n, c, dt, direction)
        scf.YieldOp([arith.muli(width, S.index(2)), merged, src])
    return loop.results[1]


def _lower_sort(em, op, x, want_values):
    t = op.operands[0].type
    out = op.result.type
    axis, direction = op.attrs["axis"], op.attrs["direction"]
    dt = t.dtype
    c = compute_dtype(dt)
    moved, mt = _moved_last(em, x, t, axis)
    keys, rows, n = _rows(em, moved, mt)
    out_dt = out.dtype
    loop = scf.ForOp(S.index(0), rows, S.index(1), [_empty([rows, n], out_dt)])
    with ir.InsertionPoint(loop.body):
        row = loop.induction_variable
        perm = _sort_row(keys, row, n, c, dt, direction)
        write = scf.ForOp(S.index(0), n, S.index(1), [loop.inner_iter_args[0]])
        with ir.InsertionPoint(write.body):
            k = write.induction_variable
            p = tensor.ExtractOp(perm, [k]).result
            if want_values:
                v = tensor.ExtractOp(keys, [row, arith.index_cast(index_type(), p)]).result
            else:
                v = S.convert(p, dtypes.s64, out_dt)
            scf.YieldOp([tensor.InsertOp(v, write.inner_iter_args[0], [row, k]).result])
        scf.YieldOp([write.results[0]])
    sorted_mt = mt.with_dtype(out_dt)
    back = reshaped(em, loop.results[0], sorted_mt)
    return _moved_back(em, back, sorted_mt, out, axis)


@lowering("sort")
def _sort(em, op, x):
    return _lower_sort(em, op, x, True)


@lowering("argsort")
def _argsort(em, op, x):
    return _lower_sort(em, op, x, False)
