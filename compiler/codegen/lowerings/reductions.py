"""Reductions as `linalg.generic` with reduction loops, following
`compiler/ir/ops/reductions.py`.

There is one loop per input axis, in the input's order (parallel for a kept
axis, reduction for a reduced one), so every loop nest walks the input
contiguously: a row sum runs along each row, a column sum adds each row into
the whole result row by row. For each result element the reduced elements are
still visited in row-major order, which argmax/argmin's tie-breaking relies on.
The accumulator starts at the operation's identity; f16/bf16 accumulate in f32
and round once at the end, integers accumulate in the widened result type and
wrap. Float sums may be reassociated (Nx does not fix the summation order):
LLVM then vectorizes them, with several partial sums.
"""
from __future__ import annotations

from mlir import ir
from mlir.dialects import arith
from mlir.dialects import complex as cx

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.types import TensorType

from .. import fusion
from .. import scalar as S
from ..mlir_types import compute_dtype, compute_type, element_type
from . import lowering


def _loops(x: TensorType, axes, keep):
    """(input exprs, output exprs, iterator kinds) of reducing `axes` of `x`:
    loop i is input axis i; a kept reduced axis is read at index 0 of the result."""
    out_exprs = [None if i in axes else i for i in range(x.rank) if keep or i not in axes]
    iters = ["reduction" if i in axes else "parallel" for i in range(x.rank)]
    return list(range(x.rank)), out_exprs, iters


def _sum_step(dt, acc, e):
    """acc + e; a float add carries `reassoc`, the only fast-math flag reductions use."""
    if dt.is_float:
        return arith.addf(acc, e, fastmath=ir.Attribute.parse("#arith.fastmath<reassoc>"))
    return S.add(dt, acc, e)


def _accumulate(em, op, x, acc_dtype, init, combine):
    """Reduce `op`'s operand into an accumulator of `acc_dtype` starting at `init`.

    `combine(acc, element)` gets storage values (acc of acc_dtype, element of
    the operand's dtype) and returns the new accumulator.
    """
    xt = op.operands[0].type
    in_exprs, out_exprs, iters = _loops(xt, op.attrs["axes"], op.attrs["keep_axes"])
    acc = em.fill(op.result.type.with_dtype(acc_dtype), S.stored_const(acc_dtype, init))
    return em.generic([(x, in_exprs)], [(acc, out_exprs)], len(iters), iters,
                      lambda e, a: combine(a, e))


def _reduce(em, op, x, acc_dtype, init, combine):
    """`_accumulate`, converted to the op's result dtype."""
    out = op.result.type
    r = _accumulate(em, op, x, acc_dtype, init, combine)
    if acc_dtype == out.dtype:
        return r
    return em.elementwise(out, [(r, out.with_dtype(acc_dtype))],
                          lambda a: S.convert(a, acc_dtype, out.dtype))


def _accumulator(t):
    """The type a reduction of `t` accumulates in: f16/bf16 in f32."""
    return compute_dtype(t)


def _sum_like(identity, combine):
    def lower(em, op, x):
        src = op.operands[0].type.dtype
        out_t = op.result.type.dtype
        acc_t = out_t if out_t.is_int else _accumulator(out_t)

        def step(acc, e):
            return combine(acc_t, acc, S.convert(e, src, acc_t))
        return _reduce(em, op, x, acc_t, identity, step)
    return lower


lowering("sum")(_sum_like(0, _sum_step))
lowering("product")(_sum_like(1, S.mul))


def _extremum(pick, identity):
    def lower(em, op, x):
        t = op.operands[0].type.dtype
        acc_t = _accumulator(t)
        init = identity(t)
        return _reduce(em, op, x, acc_t, init,
                       lambda acc, e: pick(acc_t, acc, S.convert(e, t, acc_t)))
    return lower


lowering("reduce_max")(_extremum(S.maximum, lambda t: t.min_value()))
lowering("reduce_min")(_extremum(S.minimum, lambda t: t.max_value()))


def mean_types(src):
    """(accumulator, division) dtypes of a mean of `src` elements. Nx: integers
    are summed in the widened integer type, then divided as f32."""
    if src.is_int:
        return dtypes.reduction_type(src), dtypes.f32
    acc_t = _accumulator(src)
    return acc_t, acc_t


def divided_by_count(em, out: TensorType, total, acc_t, div_t, count):
    """The mean `out` from the sums `total` (of type `acc_t`) and the element
    count (an index value)."""
    n = arith.sitofp(compute_type(div_t.real), arith.index_cast(element_type(dtypes.s64), count))

    def body(s):
        s = S.convert(s, acc_t, div_t)
        if div_t.is_complex:  # numpy divides by count + 0j
            m = S.div(div_t, s, cx.create_(compute_type(div_t), n, S.const(div_t.real, 0)))
        else:
            m = arith.divf(s, n)
        return S.convert(m, div_t, out.dtype)
    return em.elementwise(out, [(total, out.with_dtype(acc_t))], body)


@lowering("mean")
def _mean(em, op, x):
    xt = op.operands[0].type
    src = xt.dtype
    acc_t, div_t = mean_types(src)
    total = _accumulate(em, op, x, acc_t, 0,
                        lambda acc, e: _sum_step(acc_t, acc, S.convert(e, src, acc_t)))
    count = S.index(1)
    for a in op.attrs["axes"]:
        count = arith.muli(count, em.size(xt.shape[a]))
    return divided_by_count(em, op.result.type, total, acc_t, div_t, count)


# ---------------------------------------------------------------------------
# argmax, argmin
# ---------------------------------------------------------------------------

def _arg(better):
    """`better(c, x, acc)`: x strictly beats the accumulator (ties excluded)."""
    def lower(em, op, x):
        xt = op.operands[0].type
        out = op.result.type
        t = xt.dtype
        c = compute_dtype(t)
        axis, keep = op.attrs["axis"], op.attrs["keep_axis"]
        axes = tuple(range(xt.rank)) if axis is None else (axis,)
        in_exprs, out_exprs, iters = _loops(xt, axes, keep)
        init = t.min_value() if op.name == "argmax" else t.max_value()
        vals = em.fill(out.with_dtype(c), S.const(c, init))
        idxs = em.fill(out, S.stored_const(out.dtype, 0))
        high = op.attrs["tie_break"] == "high"

        def body(e, acc, idx):
            v = S.load(e, t)
            wins = better(c, v, acc)
            if high:  # ties go to the later element
                wins = arith.ori(wins, S.compare(c, "eq", v, acc))
            if c.is_float:
                # The first (or last) NaN wins over every number.
                v_nan, acc_nan = S.is_nan(c, v), S.is_nan(c, acc)
                if high:
                    wins = arith.ori(arith.andi(wins, arith.xori(acc_nan, S.true())), v_nan)
                else:
                    wins = arith.andi(arith.xori(acc_nan, S.true()), arith.ori(wins, v_nan))
            pos = S.index(0)  # row-major position among the reduced elements
            for a in axes:
                pos = arith.addi(arith.muli(pos, em.size(xt.shape[a])), S.loop_index(a))
            pos = arith.index_cast(element_type(out.dtype), pos)
            return [arith.select(wins, v, acc), arith.select(wins, pos, idx)]
        _, result = em.generic([(x, in_exprs)], [(vals, out_exprs), (idxs, out_exprs)],
                               len(iters), iters, body)
        return result
    return lower


lowering("argmax")(_arg(lambda c, x, acc: S.compare(c, "gt", x, acc)))
lowering("argmin")(_arg(lambda c, x, acc: S.compare(c, "lt", x, acc)))


# ---------------------------------------------------------------------------
# all, any
# ---------------------------------------------------------------------------

def _truth_reduce(identity, combine):
    def lower(em, op, x):
        t = op.operands[0].type.dtype
        u8 = dtypes.u8
        return _reduce(em, op, x, u8, identity,
                       lambda acc, e: combine(acc, S.convert(S.truth(e, t), S.BOOL, u8)))
    return lower


lowering("all")(_truth_reduce(1, arith.andi))
lowering("any")(_truth_reduce(0, arith.ori))

# Each reads its operand once per element through em.generic: element-wise
# producers fuse into it.
fusion.REDUCTIONS.update(("sum", "product", "reduce_max", "reduce_min", "mean", "argmax",
                          "argmin", "all", "any"))
