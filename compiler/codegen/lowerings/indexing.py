"""gather, indexed_add, indexed_put and reverse, following
`compiler/ir/ops/indexing.py` and `shape.py`.

gather and reverse are a `linalg.generic` over the result whose body reads
the source with `tensor.extract` at a computed position. The scatters are an
`scf.for` nest over the index positions carrying the result tensor: each step
reads its indices, clamps them, and adds or writes one window of the updates
(a scalar `tensor.insert`, or a slice), so repeated indices apply in
row-major order as in the reference.
"""
from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, scf, tensor

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.types import Dim, TensorType

from .. import scalar as S
from ..mlir_types import element_type, index_type
from . import lowering
from .shape import converted, extract, insert


def clamped_index(em, value, dt, size):
    """The integer `value` (storage of `dt`) clamped into [0, size - 1], as an index."""
    i64 = element_type(dtypes.s64)
    v = S.convert(value, dt, dtypes.s64)  # sign- or zero-extends; u64 keeps its bits
    hi = arith.subi(arith.index_cast(i64, em.size(size)), S.constant(i64, 1))
    if dt == dtypes.u64:
        v = arith.minui(v, hi)  # compared unsigned: huge values clamp high
    else:
        v = arith.minsi(arith.maxsi(v, S.constant(i64, 0)), hi)
    return arith.index_cast(index_type(), v)


def _indexed_positions(em, op, indices, lead, xt):
    """Position in x of an index position `lead` (index values): batch axes from
    `lead`, indexed axes from the clamped indices, window axes None."""
    it = op.operands[1].type.dtype
    nb, axes = op.attrs["batch_dims"], op.attrs["axes"]
    pos = [None] * xt.rank
    for i in range(nb):
        pos[i] = lead[i]
    for j, a in enumerate(axes):
        v = tensor.ExtractOp(indices, list(lead) + [S.index(j)]).result
        pos[a] = clamped_index(em, v, it, xt.shape[a])
    return pos


def _nonempty(em, op, xt):
    """An i1 that is true when no symbolic indexed axis is empty (None: none is symbolic)."""
    flag = None
    for a in op.attrs["axes"]:
        if isinstance(xt.shape[a], Dim):
            some = arith.cmpi(S.I.ne, em.size(xt.shape[a]), S.index(0))
            flag = some if flag is None else arith.andi(flag, some)
    return flag


@lowering("gather")
def _gather(em, op, x, indices):
    xt, it = (v.type for v in op.operands)
    out = op.result.type
    lead = it.rank - 1
    nonempty = _nonempty(em, op, xt)

    def read(ivs):
        pos = _indexed_positions(em, op, indices, ivs[:lead], xt)
        rest = iter(ivs[lead:])
        pos = [p if p is not None else next(rest) for p in pos]
        return tensor.ExtractOp(x, pos).result

    def body(_out):
        ivs = [S.loop_index(i) for i in range(out.rank)]
        if nonempty is None:
            return read(ivs)
        # An empty axis has no element to read: zeros, as the reference gives.
        branch = scf.IfOp(nonempty, [element_type(out.dtype)], has_else=True)
        with ir.InsertionPoint(branch.then_block):
            scf.YieldOp([read(ivs)])
        with ir.InsertionPoint(branch.else_block):
            scf.YieldOp([S.stored_const(out.dtype, 0)])
        return branch.results[0]
    return em.generic([], [(em.empty(out), list(range(out.rank)))], out.rank,
                      ["parallel"] * out.rank, body)


def _scatter(add):
    def lower(em, op, x, indices, updates):
        xt, it, ut = (v.type for v in op.operands)
        out = op.result.type
        dt = out.dtype
        acc = converted(em, x, xt, dt)
        upd = converted(em, updates, ut, dt)
        lead = it.rank - 1
        window = ut.shape[lead:]
        if any(d == 0 for d in window):
            return acc

        def step(ivs, acc):
            pos = _indexed_positions(em, op, indices, ivs, xt)
            if not window:  # one element per index position
                at = list(pos)
                v = tensor.ExtractOp(upd, list(ivs)).result
                if add:
                    old = tensor.ExtractOp(acc, at).result
                    v = S.store(S.add(dt, S.load(old, dt), S.load(v, dt)), dt)
                return tensor.InsertOp(v, acc, at).result
            wt = TensorType(dt, tuple(window))
            slab = extract(em, upd, wt, list(ivs) + [0] * len(window),
                           (1,) * lead + tuple(window), [1] * ut.rank)
            sizes, rest = [], iter(window)
            for i, p in enumerate(pos):
                sizes.append(1 if p is not None else next(rest))
            at = [p if p is not None else 0 for p in pos]
            if add:
                old = extract(em, acc, wt, at, sizes, [1] * xt.rank)
                slab = em.elementwise(wt, [(old, wt), (slab, wt)],
                                      lambda a, b: S.store(S.add(dt, S.load(a, dt),
                                                                 S.load(b, dt)), dt))
            return insert(em, slab, acc, at, sizes, [1] * xt.rank)

        nonempty = _nonempty(em, op, xt)
        if nonempty is None:
            return _loop_nest(em, [it.shape[i] for i in range(lead)], acc, step)
        branch = scf.IfOp(nonempty, [acc.type], has_else=True)  # an empty axis takes no writes
        with ir.InsertionPoint(branch.then_block):
            scf.YieldOp([_loop_nest(em, [it.shape[i] for i in range(lead)], acc, step)])
        with ir.InsertionPoint(branch.else_block):
            scf.YieldOp([acc])
        return branch.results[0]
    return lower


def _loop_nest(em, sizes, acc, step, ivs=()):
    """`step(positions, acc) -> acc` over every position of `sizes`, row-major."""
    if not sizes:
        return step(list(ivs), acc)
    loop = scf.ForOp(S.index(0), em.size(sizes[0]), S.index(1), [acc])
    with ir.InsertionPoint(loop.body):
        inner = _loop_nest(em, sizes[1:], loop.inner_iter_args[0], step,
                           tuple(ivs) + (loop.induction_variable,))
        scf.YieldOp([inner])
    return loop.results[0]


lowering("indexed_add")(_scatter(add=True))
lowering("indexed_put")(_scatter(add=False))


@lowering("reverse")
def _reverse(em, op, x):
    out = op.result.type
    axes = op.attrs["axes"]
    if out.rank == 0 or not axes:
        return x

    def body(_out):
        pos = []
        for i, d in enumerate(out.shape):
            iv = S.loop_index(i)
            if i in axes:  # d - 1 - i
                iv = arith.subi(arith.subi(em.size(d), S.index(1)), iv)
            pos.append(iv)
        return tensor.ExtractOp(x, pos).result
    return em.generic([], [(em.empty(out), list(range(out.rank)))], out.rank,
                      ["parallel"] * out.rank, body)
