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

import math

from nxc.runtime.errors import CompileError

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
