"""Oracles for the creation composites (nxc/creation.py), written with numpy's
own creation functions (np.tri, np.tril, np.diagonal, np.diag, np.full)."""
import numpy as np

from nxc.compiler.ir import dtypes as T


def _linspace(start, stop, n, type=T.f32, endpoint=True, name=None):
    # Computed as nx does it, in the floating type it works in, operation by operation.
    work = type if type.is_float else T.to_float(T.promote(T.from_numpy(start.dtype),
                                                           T.from_numpy(stop.dtype)))
    w = work.numpy
    start, stop = np.asarray(start).astype(w), np.asarray(stop).astype(w)
    divisor = w.type(max(n - 1, 1) if endpoint else n)
    step = ((stop - start) / divisor).astype(w)
    counts = np.arange(n).astype(w)
    values = (step[..., None] * counts).astype(w) + start[..., None]
    return values.astype(w)


def _put_diagonal(tensor, diagonal, offset=0):
    out = np.array(tensor)
    r0, c0 = max(-offset, 0), max(offset, 0)
    for i, v in enumerate(np.asarray(diagonal).astype(tensor.dtype)):
        out[r0 + i, c0 + i] = v
    return out


def _full(shape, value, type=None, names=None):
    dt = type.numpy if type is not None else np.asarray(value).dtype
    return np.full(shape, value).astype(dt)


COMPOSITE_ORACLES = {
    "linspace": _linspace,
    "tri": lambda n, m, k=0: np.tri(n, m, k, dtype=np.uint8),
    "tril": lambda x, k=0: np.tril(x, k),
    "triu": lambda x, k=0: np.triu(x, k),
    "take_diagonal": lambda x, offset=0: np.diagonal(x, offset, axis1=-2, axis2=-1),
    "make_diagonal": lambda x, offset=0: np.diag(x, offset),
    "put_diagonal": _put_diagonal,
    "fill": lambda x, value, type=None: np.full(x.shape, value).astype(
        (type or T.from_numpy(x.dtype)).numpy),
    "full": _full,
    "full_like": lambda x, value, type=None: np.full(x.shape, value).astype(
        (type or T.from_numpy(x.dtype)).numpy),
    "zeros": lambda shape, type=T.f32, names=None: np.zeros(shape, type.numpy),
    "ones": lambda shape, type=T.f32, names=None: np.ones(shape, type.numpy),
    "zeros_like": lambda x, type=None: np.zeros(x.shape, (type or T.from_numpy(x.dtype)).numpy),
    "ones_like": lambda x, type=None: np.ones(x.shape, (type or T.from_numpy(x.dtype)).numpy),
}
