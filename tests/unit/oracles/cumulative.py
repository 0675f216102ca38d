"""Oracles for the cumulative ops: a running combination along the axis, element
by element on Python numbers (integers wrapped to the operand's width)."""
import math

import numpy as np

from nxc.compiler.ir import dtypes as T

from .numbers import py, wrap


def _nan(v):
    return isinstance(v, float) and math.isnan(v)


def _max(a, b):
    return a if _nan(a) else b if _nan(b) else max(a, b)


def _min(a, b):
    return a if _nan(a) else b if _nan(b) else min(a, b)


def _scan(combine):
    def oracle(x, *, axis, reverse):
        dt = T.from_numpy(x.dtype)
        p = np.moveaxis(py(x), axis, -1)
        out = np.empty(p.shape, dtype=object)
        for idx in np.ndindex(p.shape[:-1]):
            n = p.shape[-1]
            order = range(n - 1, -1, -1) if reverse else range(n)
            acc = None
            for i in order:
                acc = p[idx + (i,)] if acc is None else combine(acc, p[idx + (i,)])
                if dt.is_int:
                    acc = wrap(acc, dt)
                out[idx + (i,)] = acc
        out = np.moveaxis(out, -1, axis)
        if dt.is_complex:
            return out.astype(np.complex128)
        return out.astype(np.float64) if dt.is_float else out
    return oracle


ORACLES = {
    "cumulative_sum": _scan(lambda a, b: a + b),
    "cumulative_product": _scan(lambda a, b: a * b),
    "cumulative_min": _scan(_min),
    "cumulative_max": _scan(_max),
}
