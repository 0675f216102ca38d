"""The gradient of every op, in one table.

A rule gets an emitter `e` (`e.multiply(a, b)` appends a multiply op), the
forward op (its operands, attributes and result) and `g`, the gradient flowing
into the op's result, of the result's type. It returns one gradient per
operand, None where there is none. Gradients may have the result's broadcast
shape and type: the driver sums them over broadcast axes and converts them to
each operand's type. Rules emit only ops that have rules themselves, so
gradients of gradients work.

Besides `VJP`, every op is in exactly one of:
- ZERO_GRAD: piecewise constant or index-valued; the gradient is zero.
- NOT_DIFFERENTIABLE: differentiating through it is an error, with a hint.
- DRIVER_OPS: control flow and the autodiff ops, which the driver handles
  (compiler/passes/grad/driver.py).

Tie rules (Nx's): max/min give half of g to each operand when they are equal;
reduce_max/reduce_min share g equally among the elements equal to the result;
abs passes g unchanged at 0; clip gives g to x only strictly inside (lo, hi),
to lo where lo > x and lo < hi, to hi where hi < max(x, lo), so a tie with a
bound gets zero.
"""
from __future__ import annotations

import itertools
import math

from nxc.runtime.errors import CompileError

from ...ir.dtypes import s64 as INT64
from ...ir.dtypes import s32 as INT32
from ...ir.types import Dim, TensorType

VJP: dict = {}


def vjp(*names):
    """Register the decorated function as the gradient rule of the ops `names`."""
    def deco(fn):
        for name in names:
            VJP[name] = fn
        return fn
    return deco


ZERO_GRAD = frozenset("""
constant iota eye equal not_equal less less_equal greater greater_equal
logical_and logical_or logical_not argmax argmin all any floor ceil round sign
""".split())

NOT_DIFFERENTIABLE = {
    "quotient": "integer division has no gradient; for a differentiable floor division "
                "write nx.floor(nx.divide(a, b)), or wrap the value in nx.stop_grad or "
                "nx.custom_grad",
}

DRIVER_OPS = frozenset({"cond", "while", "for", "stop_grad", "custom_grad"})


class Emit:
    """Appends ops through a builder by name: `e.sin(x)` is `builder.op("sin", x)`."""

    def __init__(self, builder):
        self.b = builder

    def __getattr__(self, name):
        return lambda *operands, **attrs: self.b.op(name, *operands, **attrs)

    def full(self, t: TensorType, value, dtype=None):
        """A tensor of type `t` (in `dtype` when given) holding `value` everywhere."""
        c = self.b.constant(value, dtype or t.dtype)
        return self.b.op("broadcast", c, shape=t.shape, names=t.names)

    def zeros(self, t: TensorType, dtype=None):
        return self.full(t, 0, dtype)


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def _expand(e, g, x: TensorType, axes, keep):
    """`g`, the result of reducing `axes` of `x`, broadcast back to x's shape and names."""
    kept = tuple(range(x.rank)) if keep else tuple(i for i in range(x.rank) if i not in axes)
    return e.broadcast(g, shape=x.shape, axes=kept, names=x.names)


def _unnamed(e, v):
    if all(n is None for n in v.type.names):
        return v
    return e.reshape(v, shape=v.type.shape)


def _contract(e, x, y, contract, batch):
    """dot(x, y), with the axis names stripped first when the result would repeat one
    (a gradient pairs axes that the forward dot kept apart)."""
    (cx, cy), (bx, by) = contract, batch
    free = [x.type.names[i] for i in range(x.type.rank) if i not in cx and i not in bx]
    free += [y.type.names[i] for i in range(y.type.rank) if i not in cy and i not in by]
    named = [n for n in free + [x.type.names[i] or y.type.names[j] for i, j in zip(bx, by)]
             if n is not None]
    if len(set(named)) != len(named):
        x, y = _unnamed(e, x), _unnamed(e, y)
    return e.dot(x, y, contract_axes=contract, batch_axes=batch)


def _permuted(e, v, src):
    """`v`, whose axis k holds axis src[k] of the operand, in the operand's axis order."""
    perm = tuple(src.index(k) for k in range(len(src)))
    return v if perm == tuple(range(len(src))) else e.transpose(v, axes=perm)


def _trunc(e, q):
    return e.select(e.less(q, 0), e.ceil(q), e.floor(q))


# ---------------------------------------------------------------------------
# Element-wise binary ops
# ---------------------------------------------------------------------------

@vjp("add")
def _add(e, op, g):
    return g, g


@vjp("subtract")
def _subtract(e, op, g):
    return g, e.negate(g)


@vjp("multiply")
def _multiply(e, op, g):
    x, y = op.operands
    return e.multiply(g, y), e.multiply(g, x)


@vjp("divide")
def _divide(e, op, g):
    x, y = op.operands
    return e.divide(g, y), e.negate(e.divide(e.multiply(g, op.result), y))


@vjp("remainder")
def _remainder(e, op, g):
    # remainder(x, y) = x - y * trunc(x / y) (the sign of the dividend).
    x, y = op.operands
    return g, e.negate(e.multiply(g, _trunc(e, e.divide(x, y))))


@vjp("pow")
def _pow(e, op, g):
    # The selects keep 0 ** 0 and log(0) out of the gradient, as Nx does.
    x, y = op.operands
    exponent = e.select(e.equal(y, 0), 1, e.subtract(y, 1))
    base = e.select(e.equal(x, 0), 1, x)
    return (e.multiply(g, e.multiply(y, e.pow(x, exponent))),
            e.multiply(g, e.multiply(e.log(base), op.result)))


@vjp("max", "min")
def _extremum(e, op, g):
    x, y = op.operands
    on_x, on_y = e.equal(x, op.result), e.equal(y, op.result)
    half = e.multiply(g, 0.5)
    return (e.select(on_x, e.select(on_y, half, g), 0),
            e.select(on_y, e.select(on_x, half, g), 0))


@vjp("atan2")
def _atan2(e, op, g):
    a, b = op.operands
    den = e.add(e.multiply(a, a), e.multiply(b, b))
    return e.divide(e.multiply(g, b), den), e.negate(e.divide(e.multiply(g, a), den))


@vjp("select")
def _select(e, op, g):
    pred = op.operands[0]
    return None, e.select(pred, g, 0), e.select(pred, 0, g)


@vjp("clip")
def _clip(e, op, g):
    x, lo, hi = op.operands
    inside = e.logical_and(e.greater(x, lo), e.less(x, hi))
    at_lo = e.logical_and(e.greater(lo, x), e.less(lo, hi))
    at_hi = e.less(hi, e.max(x, lo))
    return e.select(inside, g, 0), e.select(at_lo, g, 0), e.select(at_hi, g, 0)


# ---------------------------------------------------------------------------
# Element-wise unary ops: g times the derivative, from x or the result `y`.
# ---------------------------------------------------------------------------

_SQRT_PI_2 = 2 / math.sqrt(math.pi)

UNARY = {
    "negate": lambda e, x, y, g: e.negate(g),
    "abs": lambda e, x, y, g: e.select(e.greater_equal(x, 0), g, e.negate(g)),
    "exp": lambda e, x, y, g: e.multiply(g, y),
    "expm1": lambda e, x, y, g: e.multiply(g, e.add(y, 1)),
    "log": lambda e, x, y, g: e.divide(g, x),
    "log1p": lambda e, x, y, g: e.divide(g, e.add(x, 1)),
    "sqrt": lambda e, x, y, g: e.divide(e.multiply(g, 0.5), y),
    "rsqrt": lambda e, x, y, g: e.multiply(g, e.multiply(e.multiply(y, e.multiply(y, y)), -0.5)),
    "sin": lambda e, x, y, g: e.multiply(g, e.cos(x)),
    "cos": lambda e, x, y, g: e.negate(e.multiply(g, e.sin(x))),
    "tan": lambda e, x, y, g: e.multiply(g, e.add(e.multiply(y, y), 1)),
    "tanh": lambda e, x, y, g: e.multiply(g, e.subtract(1, e.multiply(y, y))),
    "sigmoid": lambda e, x, y, g: e.multiply(g, e.multiply(y, e.subtract(1, y))),
    "erf": lambda e, x, y, g: e.multiply(g, e.multiply(e.exp(e.negate(e.multiply(x, x))),
                                                       _SQRT_PI_2)),
}


def _unary(derivative):
    return lambda e, op, g: (derivative(e, op.operands[0], op.result, g),)


for _name, _derivative in UNARY.items():
    VJP[_name] = _unary(_derivative)


@vjp("as_type")
def _as_type(e, op, g):
    return (g,)  # the driver converts g to the operand's type


# ---------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------

@vjp("sum")
def _sum(e, op, g):
    x = op.operands[0].type
    return (_expand(e, g, x, op.attrs["axes"], op.attrs["keep_axes"]),)


@vjp("mean")
def _mean(e, op, g):
    x = op.operands[0].type
    axes = op.attrs["axes"]
    spread = _expand(e, g, x, axes, op.attrs["keep_axes"])
    dims = [x.shape[a] for a in axes]
    if any(isinstance(d, Dim) for d in dims):
        count = e.sum(e.full(TensorType(g.type.dtype, tuple(dims)), 1))
        return (e.divide(spread, count),)
    count = math.prod(dims)
    return (e.multiply(spread, 1.0 / count) if count else spread,)


@vjp("product")
def _product(e, op, g):
    # d/dx_i of a product is the product of the other factors: the product of
    # the nonzero factors when x_i is the only zero, zero when another factor is
    # zero, else the product divided by x_i.
    x = op.operands[0]
    axes = op.attrs["axes"]
    zero = e.equal(x, 0)
    safe = e.select(zero, 1, x)
    nonzero_product = e.product(safe, axes=axes, keep_axes=True)
    zeros = e.sum(zero, axes=axes, keep_axes=True)
    others = e.select(zero, e.select(e.equal(zeros, 1), nonzero_product, 0),
                      e.select(e.equal(zeros, 0), e.divide(nonzero_product, safe), 0))
    return (e.multiply(_expand(e, g, x.type, axes, op.attrs["keep_axes"]), others),)


@vjp("reduce_max", "reduce_min")
def _reduce_extremum(e, op, g):
    x = op.operands[0]
    axes, keep = op.attrs["axes"], op.attrs["keep_axes"]
    hits = e.equal(x, _expand(e, op.result, x.type, axes, keep))
    share = e.select(hits, _expand(e, g, x.type, axes, keep), 0)
    return (e.divide(share, e.sum(hits, axes=axes, keep_axes=True)),)


# ---------------------------------------------------------------------------
# dot
# ---------------------------------------------------------------------------

def _free(rank, contract, batch):
    return [i for i in range(rank) if i not in contract and i not in batch]


@vjp("dot")
def _dot(e, op, g):
    a, b = op.operands
    (ca, cb), (ba, bb) = op.attrs["contract_axes"], op.attrs["batch_axes"]
    fa, fb = _free(a.type.rank, ca, ba), _free(b.type.rank, cb, bb)
    if g.type.rank == 0:  # every axis contracted: dot takes no scalar, g scales
        return (e.multiply(g, _permuted(e, b, [ca[cb.index(c)] for c in sorted(cb)])),
                e.multiply(g, _permuted(e, a, [cb[ca.index(c)] for c in sorted(ca)])))
    nb, nfa = len(ba), len(fa)
    g_batch = tuple(range(nb))
    g_fa = tuple(range(nb, nb + nfa))
    g_fb = tuple(range(nb + nfa, g.type.rank))
    # g . b over b's free axes: batch axes, a's free axes, then b's contracted
    # axes in b's order, each standing for the axis of a it was paired with;
    # a . g over a's free axes likewise (a plain matmul needs no transpose).
    ga = _contract(e, g, b, (g_fb, tuple(fb)), (g_batch, tuple(bb)))
    ga = _permuted(e, ga, list(ba) + fa + [ca[cb.index(c)] for c in sorted(cb)])
    gb = _contract(e, a, g, (tuple(fa), g_fa), (tuple(ba), g_batch))
    gb = _permuted(e, gb, list(bb) + [cb[ca.index(c)] for c in sorted(ca)] + fb)
    return ga, gb


# ---------------------------------------------------------------------------
# Shape ops
# ---------------------------------------------------------------------------

@vjp("reshape", "squeeze", "new_axis")
def _reshape(e, op, g):
    return (e.reshape(g, shape=op.operands[0].type.shape),)


@vjp("transpose")
def _transpose(e, op, g):
    axes = op.attrs["axes"]
    return (e.transpose(g, axes=tuple(axes.index(k) for k in range(len(axes)))),)


@vjp("broadcast")
def _broadcast(e, op, g):
    x = op.operands[0].type
    shape, axes = op.attrs["shape"], op.attrs["axes"]
    summed = [a for a in range(len(shape)) if a not in axes]
    summed += [a for j, a in enumerate(axes) if x.shape[j] == 1 and shape[a] != 1]
    if summed:
        g = e.sum(g, axes=tuple(summed))
    return (e.reshape(g, shape=x.shape),)


@vjp("slice")
def _slice(e, op, g):
    x = op.operands[0].type
    starts, strides = op.attrs["start_indices"], op.attrs["strides"]
    config = []
    for d, s, k, n in zip(x.shape, starts, strides, g.type.shape):
        if isinstance(d, Dim):
            if (s, k) != (0, 1) or n != d:
                raise CompileError("gradient not yet implemented for a slice of part of a "
                                   "symbolic axis", op.loc)
            config.append((0, 0, 0))
        elif n == 0:
            config.append((s, d - s, 0))
        else:
            config.append((s, d - (s + 1 + k * (n - 1)), k - 1))
    return (e.pad(g, 0, config=tuple(config)),)


@vjp("put_slice")
def _put_slice(e, op, g):
    x, update = op.operands
    starts = tuple(0 if isinstance(d, Dim) or isinstance(u, Dim) else max(0, min(s, d - u))
                   for d, u, s in zip(x.type.shape, update.type.shape, op.attrs["start_indices"]))
    hole = e.put_slice(g, e.zeros(update.type, g.type.dtype), start_indices=starts)
    return hole, e.slice(g, start_indices=starts, lengths=update.type.shape)


def _part(e, g, axis, start, length):
    """The part of `g` at [start, start + length) along `axis`."""
    starts = [0] * g.type.rank
    lengths = list(g.type.shape)
    starts[axis], lengths[axis] = start, length
    return e.slice(g, start_indices=tuple(starts), lengths=tuple(lengths))


@vjp("concatenate")
def _concatenate(e, op, g):
    axis, out, offset = op.attrs["axis"], [], 0
    for x in op.operands:
        n = x.type.shape[axis]
        out.append(_part(e, g, axis, offset, n))
        offset += n
    return tuple(out)


@vjp("stack")
def _stack(e, op, g):
    axis = op.attrs["axis"]
    return tuple(e.reshape(_part(e, g, axis, k, 1), shape=x.type.shape)
                 for k, x in enumerate(op.operands))


@vjp("pad")
def _pad(e, op, g):
    config = op.attrs["config"]
    unpadded = e.pad(g, 0, config=tuple((-lo, -hi, 0) for lo, hi, _ in config))
    rank = unpadded.type.rank
    gx = e.slice(unpadded, start_indices=(0,) * rank, lengths=unpadded.type.shape,
                 strides=tuple(interior + 1 for _, _, interior in config))
    return gx, e.subtract(e.sum(g), e.sum(gx))


@vjp("take_row")
def _take_row(e, op, g):
    buffer, index = op.operands
    return e.put_row(e.zeros(buffer.type, g.type.dtype), index, g), None


@vjp("put_row")
def _put_row(e, op, g):
    _, index, row = op.operands
    return e.put_row(g, index, e.zeros(row.type, g.type.dtype)), None, e.take_row(g, index)


# ---------------------------------------------------------------------------
# Indexing: gather and the scatters are each other's gradients (indices are
# clamped alike); reverse is its own.
# ---------------------------------------------------------------------------

def _index_attrs(op):
    return {"axes": op.attrs["axes"], "batch_dims": op.attrs["batch_dims"]}


def _as_window(e, v, t: TensorType):
    """`v`, the whole non-indexed axes, cut to the window `t` the updates cover."""
    if v.type.shape != t.shape:
        v = e.slice(v, start_indices=(0,) * t.rank, lengths=t.shape)
    return e.reshape(v, shape=t.shape, names=t.names)


@vjp("gather")
def _gather(e, op, g):
    x, indices = op.operands
    return e.indexed_add(e.zeros(x.type, g.type.dtype), indices, g, **_index_attrs(op)), None


@vjp("indexed_add")
def _indexed_add(e, op, g):
    _, indices, updates = op.operands
    return g, None, _as_window(e, e.gather(g, indices, **_index_attrs(op)), updates.type)


@vjp("indexed_put")
def _indexed_put(e, op, g):
    x, indices, updates = op.operands
    attrs = _index_attrs(op)
    gx = e.indexed_put(g, indices, e.zeros(updates.type, g.type.dtype), **attrs)
    gu = _as_window(e, e.gather(g, indices, **attrs), updates.type)
    if updates.type.is_static:
        # Of repeated indices only the last write is kept: mark each update
        # element, write the marks as the op writes, and keep the gradient of
        # the elements whose mark survived.
        marks = e.iota(type=TensorType(INT64, updates.type.shape), axis=None)
        board = e.indexed_put(e.full(x.type, -1, INT64), indices, marks, **attrs)
        kept = e.equal(_as_window(e, e.gather(board, indices, **attrs), marks.type), marks)
        gu = e.select(kept, gu, 0)
    return gx, None, gu


@vjp("reverse")
def _reverse(e, op, g):
    return (e.reverse(g, axes=op.attrs["axes"]),)


@vjp("print_value")
def _print_value(e, op, g):
    return (g,)  # printing is not differentiated: the gradient passes through


# ---------------------------------------------------------------------------
# conv: both gradients are convolutions (in the standard layout, after the
# transposes the permutations ask for). With P the dilation and padding of the
# input, the input gradient is P's transpose applied to the cotangent, dilated
# by the strides and padded by the kernel's reach, convolved with the flipped
# kernel (channels swapped group by group); the kernel gradient convolves P(x)
# with the cotangent, the batch axis as the contracted one.
# ---------------------------------------------------------------------------

@vjp("conv")
def _conv(e, op, g):
    x, w = op.operands
    a = op.attrs
    nb, G, B = a["batch_dims"], a["feature_group_size"], a["batch_group_size"]
    pre = tuple(range(nb))

    def tr(v, perm):
        full = pre + tuple(nb + p for p in perm)
        return v if full == tuple(range(len(full))) else e.transpose(v, axes=full)

    def inv(perm):
        return tuple(perm.index(k) for k in range(len(perm)))

    xs, ws = tr(x, a["input_permutation"]), tr(w, a["kernel_permutation"])
    gs = tr(g, a["output_permutation"])
    lead = xs.type.shape[:nb]
    n, c = xs.type.shape[nb:nb + 2]
    o, cg = ws.type.shape[nb:nb + 2]
    ksz, osz = ws.type.shape[nb + 2:], gs.type.shape[nb + 2:]
    rank, sp = nb + 2 + len(ksz), tuple(range(nb + 2, nb + 2 + len(ksz)))
    if 0 in osz:  # an empty result: nothing flows back
        return e.zeros(x.type, g.type.dtype), e.zeros(w.type, g.type.dtype)
    strides, kd, ld = a["strides"], a["kernel_dilation"], a["input_dilation"]
    keep = ((0, 0, 0),) * (nb + 2)
    xp = e.pad(xs, 0, config=keep + tuple((lo, hi, d - 1)
                                          for (lo, hi), d in zip(a["padding"], ld)))
    sizes = xp.type.shape[nb + 2:]
    reach = [(k - 1) * d + 1 for k, d in zip(ksz, kd)]

    # The input gradient, with respect to P(x), then through P's transpose.
    gp = e.pad(gs, 0, config=keep + tuple((r - 1, i - 1 - (m - 1) * s, s - 1)
                                          for r, i, m, s in zip(reach, sizes, osz, strides)))
    groups = B if B > 1 else G
    per = o // groups
    flipped = e.reshape(ws, shape=lead + (groups, per, cg if B == 1 else c) + ksz)
    flipped = e.transpose(flipped, axes=pre + tuple(nb + p for p in (0, 2, 1)) + tuple(
        a_ + 1 for a_ in sp))
    flipped = e.reverse(e.reshape(flipped, shape=lead + (groups * (cg if B == 1 else c), per)
                                  + ksz), axes=sp)
    dxp = e.conv(gp, flipped, kernel_dilation=kd, feature_group_size=groups, batch_dims=nb)
    if B > 1:  # (n / B, B * c) back to (n, c): batch groups are blocks of the batch
        dxp = e.reshape(dxp, shape=lead + (n // B, B, c) + sizes)
        dxp = e.transpose(dxp, axes=pre + (nb + 1, nb, nb + 2) + tuple(a_ + 1 for a_ in sp))
        dxp = e.reshape(dxp, shape=lead + (n, c) + sizes)
    cropped = e.pad(dxp, 0, config=keep + tuple((-lo, -hi, 0) for lo, hi in a["padding"]))
    dxs = e.slice(cropped, start_indices=(0,) * rank, lengths=cropped.type.shape,
                  strides=(1,) * (nb + 2) + ld)
    dx = tr(dxs, inv(a["input_permutation"]))

    # The kernel gradient: P(x) with channels as the batch, the cotangent as kernel.
    swap = (1, 0) + tuple(range(2, len(ksz) + 2))
    lhs, rhs = tr(xp, swap), tr(gs, swap)
    if B == 1:
        dk = e.conv(lhs, rhs, strides=kd, kernel_dilation=strides, batch_group_size=G,
                    batch_dims=nb)
    else:
        dk = e.conv(lhs, rhs, strides=kd, kernel_dilation=strides, feature_group_size=B,
                    batch_dims=nb)
    if dk.type.shape[nb + 2:] != ksz:  # the strides can leave a longer reach
        dk = e.slice(dk, start_indices=(0,) * rank, lengths=dk.type.shape[:nb + 2] + ksz)
    dw = tr(tr(dk, swap), inv(a["kernel_permutation"]))
    return dx, dw


# ---------------------------------------------------------------------------
# Sorting, cumulative and window ops
# ---------------------------------------------------------------------------

ZERO_GRAD = ZERO_GRAD | {"argsort"}

NOT_DIFFERENTIABLE["reduce"] = NOT_DIFFERENTIABLE["window_reduce"] = (
    "a reduction with a custom function has no gradient (as in Nx); use the nx function "
    "for the reduction you need (sum, product, reduce_max, window_sum...), or wrap the "
    "value in nx.stop_grad or nx.custom_grad")
NOT_DIFFERENTIABLE["window_product"] = (
    "window_product has no gradient in Nx either; write it as exp(window_sum(log(x))) for "
    "positive x, or wrap the value in nx.stop_grad or nx.custom_grad")


def _renamed(e, v, t: TensorType):
    """`v` with the axis names of `t` (an op that moved axes around dropped them)."""
    return v if v.type.names == t.names else e.reshape(v, shape=t.shape, names=t.names)


def _counter(e, n, at, rank):
    """iota over `n` at axis `at` of a rank-`rank` shape of ones elsewhere (s32)."""
    shape = tuple(n if i == at else 1 for i in range(rank))
    return e.iota(type=TensorType(INT32, shape), axis=at)


def _everywhere(e, index, axis):
    """Indices (rank + 1 axes) addressing, at each position, that position with
    axis `axis` replaced by `index`'s value there: gather/indexed_add over all axes."""
    t = index.type
    parts = [index if a == axis else e.iota(type=TensorType(INT32, t.shape), axis=a)
             for a in range(t.rank)]
    return e.stack(*parts, axis=t.rank) if t.rank > 1 else e.new_axis(index, axis=1)


def _empty(t: TensorType):
    return any(d == 0 for d in t.shape)


@vjp("sort")
def _sort(e, op, g):
    # Each element gets the gradient of the position it was sorted to: g read
    # through the inverse permutation (the argsort of the sorting one).
    x = op.operands[0]
    if _empty(x.type):
        return (e.zeros(x.type, g.type.dtype),)
    a = op.attrs
    order = e.argsort(x, axis=a["axis"], direction=a["direction"], stable=True)
    inverse = e.argsort(order, axis=a["axis"])
    gx = e.gather(g, _everywhere(e, inverse, a["axis"]), axes=tuple(range(x.type.rank)))
    return (_renamed(e, gx, x.type),)


@vjp("cumulative_sum")
def _cumulative_sum(e, op, g):
    a = op.attrs
    return (e.cumulative_sum(g, axis=a["axis"], reverse=not a["reverse"]),)


@vjp("cumulative_product")
def _cumulative_product(e, op, g):
    # d y_j / d x_i is the product of x_k over k <= j, k != i (i <= j; mirrored with
    # reverse): one running product per i with x_i replaced by 1, exact at zeros.
    x = op.operands[0]
    axis, reverse = op.attrs["axis"], op.attrs["reverse"]
    n, rank = x.type.shape[axis], x.type.rank + 1
    i, k = _counter(e, n, axis, rank), _counter(e, n, axis + 1, rank)
    without_i = e.select(e.equal(i, k), 1, e.new_axis(x, axis=axis))
    running = e.cumulative_product(without_i, axis=axis + 1, reverse=reverse)
    after_i = e.less_equal(k, i) if reverse else e.greater_equal(k, i)
    terms = e.select(after_i, e.multiply(e.new_axis(g, axis=axis), running), 0)
    return (_renamed(e, e.sum(terms, axes=(axis + 1,)), x.type),)


@vjp("cumulative_max", "cumulative_min")
def _cumulative_extremum(e, op, g):
    # Each y_j passes g_j to the element it copies: the last element up to j
    # (from j on, with reverse) that set a new extremum, i.e. the first one equal
    # to y_j. A new extremum: the scan's first element, one beyond the previous
    # result, or the first NaN.
    x, y = op.operands[0], op.result
    axis, reverse = op.attrs["axis"], op.attrs["reverse"]
    n = x.type.shape[axis]
    if _empty(x.type):
        return (e.zeros(x.type, g.type.dtype),)
    config = [(0, 0, 0)] * x.type.rank
    config[axis] = (-1, 1, 0) if reverse else (1, -1, 0)
    previous = e.pad(y, 0, config=tuple(config))  # y one step back along the scan
    i = e.iota(type=TensorType(INT32, x.type.shape), axis=axis)
    beyond = e.greater(x, previous) if op.name == "cumulative_max" else e.less(x, previous)
    first_nan = e.logical_and(e.not_equal(x, x), e.equal(previous, previous))
    new = e.logical_or(e.equal(i, n - 1 if reverse else 0), e.logical_or(beyond, first_nan))
    if reverse:
        source = e.cumulative_min(e.select(new, i, n), axis=axis, reverse=True)
    else:
        source = e.cumulative_max(e.select(new, i, 0), axis=axis)
    gx = e.indexed_add(e.zeros(x.type, g.type.dtype), _everywhere(e, source, axis), g,
                       axes=tuple(range(x.type.rank)))
    return (_renamed(e, gx, x.type),)


@vjp("window_sum")
def _window_sum(e, op, g):
    # Every element gets the sum of g over the windows that hold it: g spread by
    # the strides (interior padding), padded by the window, summed over windows.
    x = op.operands[0].type
    a = op.attrs
    config = []
    for n, w, s, (lo, _), d, m in zip(x.shape, a["window_dimensions"], a["strides"],
                                      a["padding"], a["window_dilations"], g.type.shape):
        if isinstance(n, Dim):
            config.append((0, 0, 0))
            continue
        span = (w - 1) * d + 1
        spread = (m - 1) * s + 1 if m else 0
        before = span - lo - 1
        config.append((before, n + span - 1 - spread - before, s - 1))
    padded = e.pad(g, 0, config=tuple(config))
    ones = (1,) * x.rank
    return (_renamed(e, e.window_sum(padded, window_dimensions=a["window_dimensions"],
                                     strides=ones, padding="valid",
                                     window_dilations=a["window_dilations"]), x),)


@vjp("window_max", "window_min")
def _window_extremum(e, op, g):
    a = op.attrs
    scatter = "window_scatter_max" if op.name == "window_max" else "window_scatter_min"
    gx = getattr(e, scatter)(op.operands[0], g, e.b.constant(0, g.type.dtype),
                             window_dimensions=a["window_dimensions"], strides=a["strides"],
                             padding=a["padding"], window_dilations=a["window_dilations"])
    return (gx,)


def _patches(e, v, fill, a, out_shape):
    """The windows of `v` as one more (last) axis: element k of window w is the k-th
    window element, in row-major order over the window; padding holds `fill`."""
    padded = e.pad(v, fill, config=tuple((lo, hi, 0) for lo, hi in a["padding"]))
    lengths = tuple((m - 1) * s + 1 if m else 0 for m, s in zip(out_shape, a["strides"]))
    parts = []
    for k in itertools.product(*(range(w) for w in a["window_dimensions"])):
        starts = tuple(ki * d for ki, d in zip(k, a["window_dilations"]))
        parts.append(e.slice(padded, start_indices=starts, lengths=lengths,
                             strides=a["strides"]))
    return e.stack(*parts, axis=v.type.rank) if len(parts) > 1 else e.new_axis(parts[0], axis=v.type.rank)


@vjp("window_scatter_max", "window_scatter_min")
def _window_scatter(e, op, g):
    # Linear in source and init_value; the selection in x is piecewise constant.
    x, source, init = op.operands
    a = op.attrs
    t = x.type.dtype
    pick_max = op.name == "window_scatter_max"
    if t.is_float:
        fill = -math.inf if pick_max else math.inf
    else:
        fill = t.min_value() if pick_max else t.max_value()
    xs = _patches(e, x, fill, a, source.type.shape)
    chosen = e.argmax(xs, axis=-1) if pick_max else e.argmin(xs, axis=-1)
    gs = _patches(e, g, 0, a, source.type.shape)
    k = _counter(e, xs.type.shape[-1], xs.type.rank - 1, xs.type.rank)
    g_source = e.sum(e.select(e.equal(e.new_axis(chosen, axis=chosen.type.rank), k), gs, 0),
                     axes=(xs.type.rank - 1,))
    return None, _renamed(e, g_source, source.type), e.sum(g)


# ---------------------------------------------------------------------------
# Unary math, bitwise ops, complex parts, element tests
# ---------------------------------------------------------------------------

_SQRT_PI_OVER_2 = math.sqrt(math.pi) / 2


MATH = {
    "cosh": lambda e, x, y, g: e.multiply(g, e.sinh(x)),
    "sinh": lambda e, x, y, g: e.multiply(g, e.cosh(x)),
    "acos": lambda e, x, y, g: e.negate(e.multiply(g, e.rsqrt(e.subtract(1, e.multiply(x, x))))),
    "asin": lambda e, x, y, g: e.multiply(g, e.rsqrt(e.subtract(1, e.multiply(x, x)))),
    "atan": lambda e, x, y, g: e.divide(g, e.add(e.multiply(x, x), 1)),
    "acosh": lambda e, x, y, g: e.multiply(g, e.rsqrt(e.subtract(e.multiply(x, x), 1))),
    "asinh": lambda e, x, y, g: e.multiply(g, e.rsqrt(e.add(e.multiply(x, x), 1))),
    "atanh": lambda e, x, y, g: e.divide(g, e.subtract(1, e.multiply(x, x))),
    "cbrt": lambda e, x, y, g: e.divide(g, e.multiply(e.multiply(y, y), 3)),
    "erfc": lambda e, x, y, g: e.negate(e.multiply(g, e.multiply(
        e.exp(e.negate(e.multiply(x, x))), _SQRT_PI_2))),
    "erf_inv": lambda e, x, y, g: e.multiply(g, e.multiply(e.exp(e.multiply(y, y)),
                                                           _SQRT_PI_OVER_2)),
    "log2": lambda e, x, y, g: e.divide(g, e.multiply(x, math.log(2))),
    "log10": lambda e, x, y, g: e.divide(g, e.multiply(x, math.log(10))),
}

for _name, _derivative in MATH.items():
    VJP[_name] = _unary(_derivative)


@vjp("real")
def _real(e, op, g):
    return (g,)  # of a real operand (the driver rejects complex ones)


# imag and phase of a real operand are constant (0; 0 or pi).
ZERO_GRAD = ZERO_GRAD | frozenset("""
bitwise_and bitwise_or bitwise_xor left_shift right_shift bitwise_not population_count
count_leading_zeros is_nan is_infinity logical_xor imag phase
""".split())

_COMPLEX_RESULT = ("its result is complex and nxc's gradients are real; differentiate the "
                   "real parts it is built from instead, or wrap the value in nx.stop_grad")
NOT_DIFFERENTIABLE["conjugate"] = _COMPLEX_RESULT
NOT_DIFFERENTIABLE["complex"] = _COMPLEX_RESULT
NOT_DIFFERENTIABLE["bitcast"] = (
    "bitcast reinterprets bits, which is not a differentiable function of the value; wrap "
    "the value in nx.stop_grad or give it a gradient with nx.custom_grad")
