"""Plumbing the oracles share: arrays as Python numbers, and two's complement wrap."""
import numpy as np


def py(a):
    """An object array holding `a`'s elements as Python int, float or complex."""
    a = np.asarray(a)
    if a.dtype.kind in "iub":
        return a.astype(object)
    if a.dtype.kind == "c":
        return a.astype(np.complex128).astype(object)
    return a.astype(np.float64).astype(object)


def wrap(v, dt):
    """A Python int reduced to `dt`'s width in two's complement."""
    span = 1 << dt.bits
    v %= span
    if dt.is_signed_int and v >= span // 2:
        v -= span
    return v
