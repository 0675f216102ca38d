"""Batching rules: one per op, all in the table `RULES` at the end of this module.

A rule computes an op on operands that carry one extra axis, the batch axis.
It gets a context `ctx` and the operands as `(x, bdim)` pairs: `x` is the
operand with the batch axis inside it (it has `.type`, or is a Python number),
`bdim` is where that axis is, or None when the operand is not batched. The
op's attributes come as keywords, in canonical form and about the operands
without the batch axis. A rule emits ops with `ctx.op(name, *operands, **attrs)`
and returns an `(x, bdim)` pair per result: a tuple for one result, a list of
them for region ops.

The context gives `ctx.size` (the batch size, an int or a symbolic `Dim`) and
`ctx.axis_name` (the name a batch axis created from nothing gets). Region ops
(cond, while, for) also need `ctx.region`, `ctx.run` and `ctx.batched_yields`,
which only the IR driver (driver.py) gives; docs/batching.md describes them.

Rules move the batch axis only when the op needs it somewhere: element-wise
ops and reductions leave it where it is, ops that join tensors move it to the
front. Every rule returns batched results. A rule runs only when something it
reads is batched: an operand, or for a region op a value its regions use.
"""
from __future__ import annotations

import numpy as np

from nxc.runtime.errors import ShapeError

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.ops.elementwise import _MATH
from nxc.compiler.ir.types import TensorType

from .axes import (batched_at, front, logical_rank, materialize, moveaxis, ones_after_front,
                   phys, rank, results, type_of, unbatched_type)


# ---------------------------------------------------------------------------
# Element-wise ops: align the operands, then apply the op as it is
# ---------------------------------------------------------------------------

def align(ctx, args):
    """Operands of a broadcasting op arranged so that their batch axes line up.

    Returns (operands, bdim of the result). The batch axis stays where it is
    when every batched operand has it at the same place and has the full rank;
    otherwise batched operands move it to the front and gain size-1 axes after
    it. An unbatched operand whose axes would line up with the batch axis gets
    a size-1 axis there.
    """
    r = max(logical_rank(x, b) for x, b in args)
    batched = [(x, b) for x, b in args if b is not None]
    bdims = {b for _, b in batched}
    full = all(logical_rank(x, b) == r for x, b in batched)
    out = bdims.pop() if len(bdims) == 1 and full else 0
    operands = []
    for x, b in args:
        if b is not None:
            if b != out:
                x = moveaxis(ctx, x, b, 0)
            x = ones_after_front(ctx, x, r - logical_rank(x, b))
        else:
            k = rank(x)
            # The operand spans the last k of the result's r + 1 axes.
            if out > r - k:
                x = ctx.op("new_axis", x, axis=out - (r - k))
        operands.append(x)
    return operands, out


def elementwise(name):
    def rule(ctx, args, **attrs):
        operands, bdim = align(ctx, args)
        return ctx.op(name, *operands, **attrs), bdim
    return rule


def clip_rule(ctx, args):
    # The clipped tensor must have the result's shape: batch it when only a bound is.
    (x, b), lo, hi = args
    if b is None:
        x, b = materialize(ctx, x), 0
    return elementwise("clip")(ctx, [(x, b), lo, hi])


# ---------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------

def reduction(name):
    def rule(ctx, args, *, axes, keep_axes):
        ((x, b),) = args
        out = ctx.op(name, x, axes=tuple(phys(a, b) for a in axes), keep_axes=keep_axes)
        return out, b if keep_axes else b - sum(a < b for a in axes)
    return rule


def arg_reduction(name):
    def rule(ctx, args, *, axis, keep_axis, tie_break):
        ((x, b),) = args
        if axis is None:
            # Over each entry flattened: one row per entry.
            x = moveaxis(ctx, x, b, 0)
            t = type_of(x)
            if not unbatched_type(t, 0).is_static:
                raise ShapeError(f"{name} over all axes of {unbatched_type(t, 0)} cannot be "
                                 f"batched: flattening needs static sizes; give an axis")
            x = ctx.op("reshape", x, shape=(t.shape[0], -1), names=(t.names[0], None))
            return ctx.op(name, x, axis=1, keep_axis=False, tie_break=tie_break), 0
        out = ctx.op(name, x, axis=phys(axis, b), keep_axis=keep_axis, tie_break=tie_break)
        return out, b if keep_axis or axis >= b else b - 1
    return rule


# ---------------------------------------------------------------------------
# dot
# ---------------------------------------------------------------------------

def dot_rule(ctx, args, *, contract_axes, batch_axes):
    (a, da), (b, db) = args
    (ca, cb), (ba, bb) = contract_axes, batch_axes
    ca, ba = tuple(phys(i, da) for i in ca), tuple(phys(i, da) for i in ba)
    cb, bb = tuple(phys(i, db) for i in cb), tuple(phys(i, db) for i in bb)
    if da is not None and db is not None:
        # Both batched: the batch axes pair up as one more dot batch axis, in front.
        out = ctx.op("dot", a, b, contract_axes=(ca, cb), batch_axes=((da,) + ba, (db,) + bb))
        return out, 0
    out = ctx.op("dot", a, b, contract_axes=(ca, cb), batch_axes=(ba, bb))
    # One side batched: its batch axis is a free axis, and the result keeps free
    # axes in order (batch axes, then a's free axes, then b's).
    free_a = [i for i in range(rank(a)) if i not in ca and i not in ba]
    if da is not None:
        return out, len(ba) + free_a.index(da)
    free_b = [i for i in range(rank(b)) if i not in cb and i not in bb]
    return out, len(ba) + len(free_a) + free_b.index(db)


# ---------------------------------------------------------------------------
# Shape ops
# ---------------------------------------------------------------------------

def reshape_rule(ctx, args, *, shape, names):
    ((x, b),) = args
    x = moveaxis(ctx, x, b, 0)
    t = type_of(x)
    names = (t.names[0],) + (names if names is not None else (None,) * len(shape))
    return ctx.op("reshape", x, shape=(t.shape[0],) + shape, names=names), 0


def transpose_rule(ctx, args, *, axes):
    ((x, b),) = args
    perm = [phys(a, b) for a in axes]
    perm.insert(b, b)
    return ctx.op("transpose", x, axes=tuple(perm)), b


def broadcast_rule(ctx, args, *, shape, axes, names):
    ((x, b),) = args
    x = moveaxis(ctx, x, b, 0)
    t = type_of(x)
    if names is not None:
        names = (t.names[0],) + names
    return ctx.op("broadcast", x, shape=(t.shape[0],) + shape,
                  axes=(0,) + tuple(a + 1 for a in axes), names=names), 0


def squeeze_rule(ctx, args, *, axes):
    ((x, b),) = args
    return ctx.op("squeeze", x, axes=tuple(phys(a, b) for a in axes)), b - sum(a < b for a in axes)


def new_axis_rule(ctx, args, *, axis, name):
    ((x, b),) = args
    if axis <= b:
        return ctx.op("new_axis", x, axis=axis, name=name), b + 1
    return ctx.op("new_axis", x, axis=axis + 1, name=name), b


def _insert(values, at, value):
    return tuple(values[:at]) + (value,) + tuple(values[at:])


def slice_rule(ctx, args, *, start_indices, lengths, strides):
    ((x, b),) = args
    return ctx.op("slice", x, start_indices=_insert(start_indices, b, 0),
                  lengths=_insert(lengths, b, type_of(x).shape[b]),
                  strides=_insert(strides, b, 1)), b


def put_slice_rule(ctx, args, *, start_indices):
    x, update = front(ctx, args)
    return ctx.op("put_slice", x, update, start_indices=(0,) + start_indices), 0


def concatenate_rule(ctx, args, *, axis):
    return ctx.op("concatenate", *front(ctx, args), axis=axis + 1), 0


def stack_rule(ctx, args, *, axis, name):
    return ctx.op("stack", *front(ctx, args), axis=axis + 1, name=name), 0


def pad_rule(ctx, args, *, config):
    (x, b), (v, vb) = args
    if vb is None:
        return ctx.op("pad", x, v, config=_insert(config, b, (0, 0, 0))), b
    # A pad value per entry: pad with any value, then select the padding from a
    # mask that is 1 where the data went.
    xt, vt = type_of(x), type_of(v)
    t = dtypes.promote(xt.dtype, vt.dtype)
    if xt.dtype != t:
        x = ctx.op("as_type", x, type=t)
    entry = unbatched_type(xt, b)
    if b is not None:
        x = moveaxis(ctx, x, b, 0)
        padded = ctx.op("pad", x, 0, config=((0, 0, 0),) + config)
    else:
        padded = ctx.op("pad", x, 0, config=config)
    ones = ctx.op("constant", value=np.array(1, np.uint8))
    if entry.rank:
        ones = ctx.op("broadcast", ones, shape=entry.shape)
    mask = ctx.op("pad", ones, 0, config=config)
    v = moveaxis(ctx, v, vb, 0)
    v = ones_after_front(ctx, v, entry.rank)
    return ctx.op("select", mask, padded, v), 0


# ---------------------------------------------------------------------------
# Row access (take_row, put_row): a batched index selects a row per entry
# ---------------------------------------------------------------------------

def _row_mask(ctx, index, ib, rows, trailing):
    """u8 (batch, rows, 1, ...): 1 where the row is the entry's index (none when out of range)."""
    if not isinstance(rows, int):
        raise ShapeError(f"a row index that differs between entries needs a static row "
                         f"count, got {rows}")
    index = ctx.op("as_type", moveaxis(ctx, index, ib, 0), type=dtypes.s64)
    count = ctx.op("iota", type=TensorType(dtypes.s64, (rows,)), axis=None)
    mask = ctx.op("equal", ctx.op("new_axis", index, axis=1), count)
    for _ in range(trailing):
        mask = ctx.op("new_axis", mask, axis=-1)
    return mask


def take_row_rule(ctx, args):
    (buf, b), (index, ib) = args
    if ib is None:
        # Rows are on axis 0 of each entry: the batch axis must not be axis 0.
        if b == 0:
            buf, b = moveaxis(ctx, buf, 0, 1), 1
        return ctx.op("take_row", buf, index), b - 1
    entry = unbatched_type(type_of(buf), b)
    mask = _row_mask(ctx, index, ib, entry.shape[0], entry.rank - 1)
    if b is not None:
        buf = moveaxis(ctx, buf, b, 0)
    picked = ctx.op("select", mask, buf, 0)
    out = ctx.op("sum", picked, axes=(1,), keep_axes=False)
    if type_of(out).dtype != entry.dtype:  # sum widens small integers; one term is exact
        out = ctx.op("as_type", out, type=entry.dtype)
    return out, 0


def put_row_rule(ctx, args):
    (buf, b), (index, ib), (row, rb) = args
    if ib is None:
        buf = batched_at(ctx, buf, b, 1)
        row = batched_at(ctx, row, rb, 0)
        return ctx.op("put_row", buf, index, row), 1
    bt = type_of(buf)
    entry = unbatched_type(bt, b)
    mask = _row_mask(ctx, index, ib, entry.shape[0], entry.rank - 1)
    # The row as one row of each entry's buffer; its names give way to the buffer's.
    rt = type_of(row)
    if rb is None:
        row = ctx.op("reshape", row, shape=(1,) + rt.shape, names=None)
    else:
        row = moveaxis(ctx, row, rb, 0)
        rt = type_of(row)
        names = (rt.names[0],) + (None,) * rt.rank
        row = ctx.op("reshape", row, shape=(rt.shape[0], 1) + rt.shape[1:], names=names)
    if b is not None:
        buf = moveaxis(ctx, buf, b, 0)
    return ctx.op("select", mask, row, buf), 0


# ---------------------------------------------------------------------------
# Indexing: entries become batch_dims paired between tensor, indices and updates
# ---------------------------------------------------------------------------

def gather_rule(ctx, args, *, axes, batch_dims):
    (x, xb), (i, ib) = args
    if xb is None and batch_dims == 0:
        # One tensor for every entry: the batch axis is one more index position.
        return ctx.op("gather", x, moveaxis(ctx, i, ib, 0), axes=axes, batch_dims=0), 0
    x, i = batched_at(ctx, x, xb, 0), batched_at(ctx, i, ib, 0)
    return ctx.op("gather", x, i, axes=tuple(a + 1 for a in axes),
                  batch_dims=batch_dims + 1), 0


def scatter_rule(name):
    def rule(ctx, args, *, axes, batch_dims):
        x, i, u = front(ctx, args)
        return ctx.op(name, x, i, u, axes=tuple(a + 1 for a in axes),
                      batch_dims=batch_dims + 1), 0
    return rule


def reverse_rule(ctx, args, *, axes):
    ((x, b),) = args
    return ctx.op("reverse", x, axes=tuple(phys(a, b) for a in axes)), b


def conv_rule(ctx, args, **attrs):
    # Input and kernel paired entry by entry (an unbatched one is broadcast).
    x, w = front(ctx, args)
    return ctx.op("conv", x, w, **{**attrs, "batch_dims": attrs["batch_dims"] + 1}), 0


# ---------------------------------------------------------------------------
# custom_grad: each entry keeps its own gradient rule
# ---------------------------------------------------------------------------

def custom_grad_rule(ctx, args, *, regions):
    (grad_fn,) = regions
    (value, vb), inputs = args[0], args[1:]
    # The value is batched even when it is the same for every entry, so that each
    # entry's gradient reaches the region separately.
    value = batched_at(ctx, value, vb, 0)
    inputs = [(moveaxis(ctx, x, b, 0), 0) if b is not None else (x, None) for x, b in inputs]

    def region(g):
        out = []
        for (dx, db), (x, xb) in zip(ctx.run(grad_fn, [(g, 0)]), inputs):
            if xb is not None:
                dx = batched_at(ctx, dx, db, 0)
            elif db is not None:
                # An input shared by every entry gets the sum of their gradients.
                want = type_of(x).dtype
                dx = ctx.op("sum", dx, axes=(db,), keep_axes=False)
                if type_of(dx).dtype != want:
                    dx = ctx.op("as_type", dx, type=want)
            out.append(dx)
        return out

    block = ctx.region([type_of(value)], region)
    return ctx.op("custom_grad", value, *[x for x, _ in inputs], regions=[block]), 0


# ---------------------------------------------------------------------------
# Control flow (the IR driver gives the context's region methods)
# ---------------------------------------------------------------------------

def _yield_as(ctx, pairs, flags):
    """Region results made to agree: batched in front where `flags` says so."""
    return [batched_at(ctx, x, b, 0) if f else _unbatched(x, b) for (x, b), f in zip(pairs, flags)]


def _unbatched(x, b):
    assert b is None, "a region result the analysis found unbatched came out batched"
    return x


def _as_pairs(values, flags):
    return [(v, 0 if f else None) for v, f in zip(values, flags)]


def _entry_mask(ctx, pred, pb, target):
    """A batched scalar predicate shaped to select between batched-in-front `target`s."""
    pred = moveaxis(ctx, pred, pb, 0)
    return ones_after_front(ctx, pred, rank(target) - 1)


def _select(ctx, pred, pb, on_true, on_false):
    """Per entry: `on_true` where the predicate holds, else `on_false` (both batched in front)."""
    return ctx.op("select", _entry_mask(ctx, pred, pb, on_true), on_true, on_false)


def cond_rule(ctx, args, *, regions):
    ((pred, pb),) = args
    if pb is None:
        flags = [t or e for t, e in zip(*(ctx.batched_yields(r, []) for r in regions))]
        blocks = [ctx.region([], lambda r=r: _yield_as(ctx, ctx.run(r, []), flags))
                  for r in regions]
        out = results(ctx.op("cond", pred, regions=blocks))
        return _as_pairs(out, flags)
    # A predicate per entry: both branches run, each entry takes its own branch's result.
    on_true, on_false = (ctx.run(r, []) for r in regions)
    out = []
    for (t, tb), (e, eb) in zip(on_true, on_false):
        t, e = batched_at(ctx, t, tb), batched_at(ctx, e, eb)
        out.append((_select(ctx, pred, pb, t, e), 0))
    return out


def _state_flags(ctx, body, flags, skip=0):
    """Which loop-state entries are batched: the initial ones and what the body makes batched."""
    flags = list(flags)
    while True:
        made = ctx.batched_yields(body, [False] * skip + flags)
        new = [f or m for f, m in zip(flags, made)]
        if new == flags:
            return flags
        flags = new


def while_rule(ctx, args, *, regions):
    test, body = regions
    flags = _state_flags(ctx, body, [b is not None for _, b in args])
    per_entry = ctx.batched_yields(test, flags)[0]
    if per_entry:
        # Entries stop at different iterations, so every entry the body changes
        # differs between entries; entries it passes through stay as they are.
        through = [y is a for y, a in zip(body.yielded, body.args)]
        flags = [f or not p for f, p in zip(flags, through)]
    init = [batched_at(ctx, x, b, 0) if f else x for (x, b), f in zip(args, flags)]
    types = [type_of(x) for x in init]

    if not per_entry:
        def cond_region(*state):
            return [ctx.run(test, _as_pairs(state, flags))[0][0]]

        def body_region(*state):
            return _yield_as(ctx, ctx.run(body, _as_pairs(state, flags)), flags)
    else:
        def cond_region(*state):
            c, cb = ctx.run(test, _as_pairs(state, flags))[0]
            return [ctx.op("any", c, axes=(cb,), keep_axes=False)]

        def body_region(*state):
            c, cb = ctx.run(test, _as_pairs(state, flags))[0]
            new = _yield_as(ctx, ctx.run(body, _as_pairs(state, flags)), flags)
            # Finished entries keep their state: the loop runs on for the others.
            return [_select(ctx, c, cb, n, s) if f else n
                    for n, s, f in zip(new, state, flags)]

    blocks = [ctx.region(types, cond_region), ctx.region(types, body_region)]
    return _as_pairs(results(ctx.op("while", *init, regions=blocks)), flags)


def for_rule(ctx, args, *, start, stop, step, regions):
    (body,) = regions
    flags = _state_flags(ctx, body, [b is not None for _, b in args], skip=1)
    init = [batched_at(ctx, x, b, 0) if f else x for (x, b), f in zip(args, flags)]
    types = [TensorType(dtypes.INDEX, ())] + [type_of(x) for x in init]

    def body_region(i, *state):
        out = ctx.run(body, [(i, None)] + _as_pairs(state, flags))
        return _yield_as(ctx, out, flags)

    out = ctx.op("for", *init, start=start, stop=stop, step=step,
                 regions=[ctx.region(types, body_region)])
    return _as_pairs(results(out), flags)


# ---------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------

BINARY = ["add", "subtract", "multiply", "divide", "quotient", "remainder", "pow", "max",
          "min", "atan2", "equal", "not_equal", "less", "less_equal", "greater",
          "greater_equal", "logical_and", "logical_or"]
UNARY = ["negate", "abs", "sign", "floor", "ceil", "round", *_MATH, "erf", "logical_not",
         "as_type", "stop_grad"]
REDUCTIONS = ["sum", "product", "reduce_max", "reduce_min", "mean", "all", "any"]

# Ops without operands (constant, iota, eye) are never batched and need no rule.
NO_OPERANDS = ("constant", "iota", "eye")

RULES = {
    **{name: elementwise(name) for name in BINARY + UNARY + ["select"]},
    "clip": clip_rule,
    **{name: reduction(name) for name in REDUCTIONS},
    "argmax": arg_reduction("argmax"),
    "argmin": arg_reduction("argmin"),
    "dot": dot_rule,
    "reshape": reshape_rule,
    "transpose": transpose_rule,
    "broadcast": broadcast_rule,
    "squeeze": squeeze_rule,
    "new_axis": new_axis_rule,
    "slice": slice_rule,
    "put_slice": put_slice_rule,
    "concatenate": concatenate_rule,
    "stack": stack_rule,
    "pad": pad_rule,
    "take_row": take_row_rule,
    "put_row": put_row_rule,
    "gather": gather_rule,
    "indexed_add": scatter_rule("indexed_add"),
    "indexed_put": scatter_rule("indexed_put"),
    "reverse": reverse_rule,
    "conv": conv_rule,
    "print_value": elementwise("print_value"),  # prints the whole batch
    "custom_grad": custom_grad_rule,
    "cond": cond_rule,
    "while": while_rule,
    "for": for_rule,
}

# Element-wise ops of ops/unary_math.py, bitwise.py, complex_parts.py, predicates.py.
RULES.update({name: elementwise(name) for name in """
cosh sinh acos asin atan acosh asinh atanh cbrt erfc erf_inv log2 log10
bitwise_and bitwise_or bitwise_xor left_shift right_shift bitwise_not population_count
count_leading_zeros bitcast conjugate real imag phase complex is_nan is_infinity logical_xor
""".split()})

REGION_RULES = ("cond", "while", "for", "custom_grad")


# ---------------------------------------------------------------------------
# Sorting, cumulative and window ops
# ---------------------------------------------------------------------------

def along_axis(name):
    """Ops along one axis (sort, argsort, the cumulative ops): the batch axis stays."""
    def rule(ctx, args, *, axis, **attrs):
        ((x, b),) = args
        return ctx.op(name, x, axis=phys(axis, b), **attrs), b
    return rule


def _window_attrs(attrs, b):
    """Window options with a trivial window (size 1, no padding) on the batch axis."""
    return {"window_dimensions": _insert(attrs["window_dimensions"], b, 1),
            "strides": _insert(attrs["strides"], b, 1),
            "padding": _insert(attrs["padding"], b, (0, 0)),
            "window_dilations": _insert(attrs["window_dilations"], b, 1)}


def window_rule(name):
    def rule(ctx, args, **attrs):
        ((x, b),) = args
        return ctx.op(name, x, **_window_attrs(attrs, b)), b
    return rule


def window_scatter_rule(name):
    def rule(ctx, args, **attrs):
        (x, xb), (source, sb), (init, ib) = args
        x, source = front(ctx, [(x, xb), (source, sb)])
        if ib is None:
            return ctx.op(name, x, source, init, **_window_attrs(attrs, 0)), 0
        # One init_value per entry: scatter onto zeros, then add each entry's init.
        zero = ctx.op("constant", value=np.zeros((), type_of(init).dtype.numpy))
        out = ctx.op(name, x, source, zero, **_window_attrs(attrs, 0))
        init = ones_after_front(ctx, moveaxis(ctx, init, ib, 0), rank(out) - 1)
        return ctx.op("add", out, init), 0
    return rule


def fold_rule(name):
    """reduce, window_reduce: the batch axis is one more axis the reducer does not
    fold over; an accumulator or reducer that differs between entries is not batched."""
    def rule(ctx, args, *, regions, **attrs):
        (x, b), (acc, ab) = args
        (reducer,) = regions
        scalar = type_of(acc)
        if ab is not None or any(ctx.batched_yields(reducer, [False, False])):
            raise ShapeError(f"{name} cannot be batched when its accumulator or its function "
                             f"differs between entries; batch the tensor only")
        if name == "reduce":
            out_bdim = b if attrs["keep_axes"] else b - sum(a < b for a in attrs["axes"])
            attrs = {"axes": tuple(phys(a, b) for a in attrs["axes"]),
                     "keep_axes": attrs["keep_axes"]}
        else:
            out_bdim, attrs = b, _window_attrs(attrs, b)
        block = ctx.region([scalar, scalar], lambda e, a: [
            v for v, _ in ctx.run(reducer, [(e, None), (a, None)])])
        return [(ctx.op(name, x, acc, regions=[block], **attrs), out_bdim)]
    return rule


RULES.update({
    "reduce": fold_rule("reduce"),
    "window_reduce": fold_rule("window_reduce"),
    **{name: along_axis(name) for name in ("sort", "argsort", "cumulative_sum",
                                           "cumulative_product", "cumulative_min",
                                           "cumulative_max")},
    **{name: window_rule(name) for name in ("window_sum", "window_product", "window_max",
                                            "window_min")},
    "window_scatter_max": window_scatter_rule("window_scatter_max"),
    "window_scatter_min": window_scatter_rule("window_scatter_min"),
})
REGION_RULES = REGION_RULES + ("reduce", "window_reduce")
