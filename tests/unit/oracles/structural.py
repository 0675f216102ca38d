"""Oracles for reductions, dot and the shape ops, written without their references.

Every oracle walks indices one element at a time (`np.ndindex`, row-major) on
Python numbers: integers as Python ints wrapped by hand to the result's width,
reals in float64 (sums with math.fsum), complex with Python complex. Only the
result type comes from nxc's promotion table, which test_dtypes.py checks on
its own. Oracles take the canonical attributes the IR holds.
"""
import math

import numpy as np

from nxc.compiler.ir import dtypes as T

from .numbers import py as _py, wrap as _wrap

NAN = math.nan


# ---------------------------------------------------------------------------
# Plumbing
# ---------------------------------------------------------------------------


def _dt(a):
    return T.from_numpy(np.asarray(a).dtype)


def _result(obj, dt):
    """An object array of Python numbers as values of Nx type `dt`."""
    obj = np.asarray(obj, dtype=object)
    if dt.is_int:
        out = np.empty(obj.shape, dtype=object)
        for i in np.ndindex(obj.shape):
            out[i] = _wrap(int(obj[i]), dt)
        return out
    return obj.astype(np.complex128 if dt.is_complex else np.float64)


def _elements(x):
    """The elements of `x` in row-major order."""
    return [x[i] for i in np.ndindex(x.shape)]


def _filled(shape, fn):
    out = np.empty(shape, dtype=object)
    for i in np.ndindex(shape):
        out[i] = fn(i)
    return out


# ---------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------

def _reduce(x, axes, keep, fn):
    """fn(list of the reduced elements) for each output position."""
    x = _py(x)
    axes = tuple(range(x.ndim)) if axes is None else tuple(a % x.ndim for a in axes)
    kept_shape = tuple(1 if i in axes else d for i, d in enumerate(x.shape))
    reduced_shape = tuple(x.shape[a] for a in axes)

    def at(idx):
        vals = []
        for r in np.ndindex(reduced_shape):
            full = list(idx)
            for a, k in zip(axes, r):
                full[a] = k
            vals.append(x[tuple(full)])
        return fn(vals)

    out = _filled(kept_shape, at)
    if keep:
        return out
    return out.reshape(tuple(d for i, d in enumerate(x.shape) if i not in axes))


def _exact_sum(vals):
    if vals and isinstance(vals[0], float):
        return math.fsum(vals)
    return sum(vals, 0)


def _sum(x, *, axes, keep_axes):
    return _result(_reduce(x, axes, keep_axes, _exact_sum), T.reduction_type(_dt(x)))


def _product(x, *, axes, keep_axes):
    def prod(vals):
        p = 1
        for v in vals:
            p *= v
        return p
    return _result(_reduce(x, axes, keep_axes, prod), T.reduction_type(_dt(x)))


def _extremum(pick, empty):
    def oracle(x, *, axes, keep_axes):
        dt = _dt(x)

        def fn(vals):
            if not vals:
                return empty(dt)
            if any(isinstance(v, float) and math.isnan(v) for v in vals):
                return NAN
            return pick(vals)
        return _result(_reduce(x, axes, keep_axes, fn), dt)
    return oracle


def _mean(x, *, axes, keep_axes):
    dt = _dt(x)

    def fn(vals):
        if not vals:
            return NAN
        s = _exact_sum(vals)
        if dt.is_int:
            s = _wrap(s, T.reduction_type(dt))  # Nx sums in the widened integer type
        return s / len(vals)
    return _result(_reduce(x, axes, keep_axes, fn), T.to_float(dt))


def _arg(better):
    """Index of the winner: a NaN beats every number; ties go by `tie_break`."""
    def oracle(x, *, axis, keep_axis, tie_break):
        x = _py(x)
        if axis is None:
            x, axis, keep_axis = np.array(_elements(x), dtype=object), 0, False

        def winner(vals):
            best = None
            for i, v in enumerate(vals):
                if best is None:
                    best = i
                    continue
                b = vals[best]
                b_nan = isinstance(b, float) and math.isnan(b)
                v_nan = isinstance(v, float) and math.isnan(v)
                if b_nan:
                    take = v_nan and tie_break == "high"
                elif v_nan:
                    take = True
                else:
                    take = better(v, b) or (v == b and tie_break == "high")
                if take:
                    best = i
            return best
        return _result(_reduce(x, (axis,), keep_axis, winner), T.s32)
    return oracle


def _truth(combine):
    def oracle(x, *, axes, keep_axes):
        return _result(_reduce(x, axes, keep_axes, lambda vs: int(combine(v != 0 for v in vs))),
                       T.u8)
    return oracle


# ---------------------------------------------------------------------------
# dot
# ---------------------------------------------------------------------------

def _dot(a, b, *, contract_axes, batch_axes):
    out_t = T.promote(_dt(a), _dt(b))
    a, b = _py(a), _py(b)
    (ca, cb), (ba, bb) = contract_axes, batch_axes
    fa = [i for i in range(a.ndim) if i not in ca and i not in ba]
    fb = [i for i in range(b.ndim) if i not in cb and i not in bb]
    shape = tuple(a.shape[i] for i in ba) + tuple(a.shape[i] for i in fa) + tuple(
        b.shape[i] for i in fb)
    csizes = tuple(a.shape[i] for i in ca)

    def at(idx):
        nb, nf = len(ba), len(fa)
        ia, ib = [0] * a.ndim, [0] * b.ndim
        for k, (x, y) in enumerate(zip(ba, bb)):
            ia[x] = ib[y] = idx[k]
        for k, x in enumerate(fa):
            ia[x] = idx[nb + k]
        for k, y in enumerate(fb):
            ib[y] = idx[nb + nf + k]
        terms = []
        for c in np.ndindex(csizes):
            for k, (x, y) in enumerate(zip(ca, cb)):
                ia[x] = ib[y] = c[k]
            terms.append(a[tuple(ia)] * b[tuple(ib)])
        return _exact_sum(terms) if terms else 0
    return _result(_filled(shape, at), out_t)


# ---------------------------------------------------------------------------
# Shape ops
# ---------------------------------------------------------------------------

def _reshape(x, *, shape, names):
    flat = _elements(_py(x))
    out = np.empty(shape, dtype=object)
    for k, i in enumerate(np.ndindex(tuple(shape))):
        out[i] = flat[k]
    return _result(out, _dt(x))


def _transpose(x, *, axes):
    p = _py(x)
    shape = tuple(p.shape[a] for a in axes)

    def at(idx):
        src = [0] * p.ndim
        for k, a in enumerate(axes):
            src[a] = idx[k]
        return p[tuple(src)]
    return _result(_filled(shape, at), _dt(x))


def _broadcast(x, *, shape, axes, names):
    p = _py(x)
    return _result(_filled(tuple(shape), lambda idx: p[tuple(
        0 if p.shape[j] == 1 else idx[a] for j, a in enumerate(axes))]), _dt(x))


def _squeeze(x, *, axes):
    p = _py(x)
    keep = [i for i in range(p.ndim) if i not in axes]

    def at(idx):
        src = [0] * p.ndim
        for k, i in enumerate(keep):
            src[i] = idx[k]
        return p[tuple(src)]
    return _result(_filled(tuple(p.shape[i] for i in keep), at), _dt(x))


def _new_axis(x, *, axis, name):
    p = _py(x)
    shape = p.shape[:axis] + (1,) + p.shape[axis:]
    return _result(_filled(shape, lambda idx: p[idx[:axis] + idx[axis + 1:]]), _dt(x))


def _slice(x, *, start_indices, lengths, strides):
    p = _py(x)
    shape = tuple(-(-n // s) for n, s in zip(lengths, strides))
    return _result(_filled(shape, lambda idx: p[tuple(
        st + i * s for st, i, s in zip(start_indices, idx, strides))]), _dt(x))


def _put_slice(x, update, *, start_indices):
    out_t = T.promote(_dt(x), _dt(update))
    p, u = _py(x), _py(update)
    starts = [min(max(s, 0), d - n) for s, d, n in zip(start_indices, p.shape, u.shape)]

    def at(idx):
        rel = tuple(i - s for i, s in zip(idx, starts))
        inside = all(0 <= r < n for r, n in zip(rel, u.shape))
        return u[rel] if inside else p[idx]
    return _result(_filled(p.shape, at), out_t)


def _concatenate(*xs, axis):
    out_t = T.promote_all([_dt(x) for x in xs])
    ps = [_py(x) for x in xs]
    shape = list(ps[0].shape)
    shape[axis] = sum(p.shape[axis] for p in ps)

    def at(idx):
        k = idx[axis]
        for p in ps:
            if k < p.shape[axis]:
                return p[idx[:axis] + (k,) + idx[axis + 1:]]
            k -= p.shape[axis]
    return _result(_filled(tuple(shape), at), out_t)


def _stack(*xs, axis, name):
    out_t = T.promote_all([_dt(x) for x in xs])
    ps = [_py(x) for x in xs]
    shape = ps[0].shape[:axis] + (len(ps),) + ps[0].shape[axis:]
    return _result(_filled(shape, lambda idx: ps[idx[axis]][idx[:axis] + idx[axis + 1:]]), out_t)


def _pad(x, pad_value, *, config):
    out_t = T.promote(_dt(x), _dt(pad_value))
    p, v = _py(x), _py(pad_value)[()]
    shape = tuple(lo + hi + d + max(d - 1, 0) * i for d, (lo, hi, i) in zip(p.shape, config))

    def at(idx):
        src = []
        for k, d, (lo, _, interior) in zip(idx, p.shape, config):
            q, r = divmod(k - lo, interior + 1)
            if k - lo < 0 or r or q >= d:
                return v
            src.append(q)
        return p[tuple(src)]
    return _result(_filled(shape, at), out_t)


ORACLES = {
    "sum": _sum,
    "product": _product,
    "reduce_max": _extremum(max, lambda dt: dt.min_value()),
    "reduce_min": _extremum(min, lambda dt: dt.max_value()),
    "mean": _mean,
    "argmax": _arg(lambda v, b: v > b),
    "argmin": _arg(lambda v, b: v < b),
    "all": _truth(all),
    "any": _truth(any),
    "dot": _dot,
    "reshape": _reshape,
    "transpose": _transpose,
    "broadcast": _broadcast,
    "squeeze": _squeeze,
    "new_axis": _new_axis,
    "slice": _slice,
    "put_slice": _put_slice,
    "concatenate": _concatenate,
    "stack": _stack,
    "pad": _pad,
}
