"""Oracles for gather, indexed_add, indexed_put and reverse, written without their
references: one element at a time on Python numbers, indices clamped by hand."""
import numpy as np

from nxc.compiler.ir import dtypes as T

from .numbers import py as _py
from .structural import _dt, _filled, _result


def _clamp(v, size):
    return min(max(int(v), 0), size - 1)


def _gather(x, indices, *, axes, batch_dims):
    p, idx = _py(x), _py(indices)
    nb, k = batch_dims, len(axes)
    window = [i for i in range(nb, p.ndim) if i not in axes]
    lead = idx.shape[:-1]
    shape = tuple(lead) + tuple(p.shape[i] for i in window)

    def at(o):
        pos = o[:len(lead)]
        src = [0] * p.ndim
        for i in range(nb):
            src[i] = o[i]
        for j, a in enumerate(axes):
            src[a] = _clamp(idx[pos + (j,)], p.shape[a])
        for j, a in enumerate(window):
            src[a] = o[len(lead) + j]
        return p[tuple(src)]
    return _result(_filled(shape, at), _dt(x))


def _scatter(add):
    def oracle(x, indices, updates, *, axes, batch_dims):
        out_t = T.promote(_dt(x), _dt(updates))
        out, idx, u = _py(x).copy(), _py(indices), _py(updates)
        nb = batch_dims
        window = [i for i in range(nb, out.ndim) if i not in axes]
        lead = idx.shape[:-1]
        for pos in np.ndindex(lead):
            for w in np.ndindex(u.shape[len(lead):]):
                dst = [0] * out.ndim
                for i in range(nb):
                    dst[i] = pos[i]
                for j, a in enumerate(axes):
                    dst[a] = _clamp(idx[pos + (j,)], out.shape[a])
                for j, a in enumerate(window):
                    dst[a] = w[j]
                dst = tuple(dst)
                out[dst] = out[dst] + u[pos + w] if add else u[pos + w]
        return _result(out, out_t)
    return oracle


def _reverse(x, *, axes):
    p = _py(x)
    return _result(_filled(p.shape, lambda o: p[tuple(
        d - 1 - i if a in axes else i for a, (i, d) in enumerate(zip(o, p.shape)))]), _dt(x))


ORACLES = {
    "gather": _gather,
    "indexed_add": _scatter(True),
    "indexed_put": _scatter(False),
    "reverse": _reverse,
}
