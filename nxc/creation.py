"""Creation functions built from other nx functions: linspace, tri, tril, triu,
take_diagonal, make_diagonal, put_diagonal, fill, full, zeros, ones and their
_like forms, and from_numpy.

Every one but from_numpy is a composite (nxc/composite.py): it runs eagerly,
traces into defn, differentiates and batches through the ops it calls. The
diagonal functions move elements with reshape, strided slices and interior
padding of the flattened matrices, so they are exact for every type.
"""
from __future__ import annotations

import os

import numpy as np

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.types import TensorType
from nxc.runtime.errors import ArgumentError, ShapeError

from . import api
from ._types import type_of
from .composite import composite
from .tensor import tensor as _tensor

__all__ = ["linspace", "tri", "tril", "triu", "take_diagonal", "make_diagonal",
           "put_diagonal", "fill", "full", "full_like", "zeros", "ones", "zeros_like",
           "ones_like", "from_numpy"]


def _static_ints(t: TensorType, what):
    if not t.is_static:
        raise ShapeError(f"{what} needs static sizes, got {t}")
    return t.shape


# ---------------------------------------------------------------------------
# linspace
# ---------------------------------------------------------------------------

def _linspace_samples(dt):
    out = dt if dt.is_float else dtypes.f32
    scalar = TensorType(dt, ())
    return [((scalar, scalar), {"n": 5, "type": out}),
            ((scalar, scalar), {"n": 4, "endpoint": False, "type": out}),
            ((TensorType(dt, (2,)), TensorType(dt, (2,))), {"n": 3, "type": out, "name": "x"}),
            ((scalar, scalar), {"n": 1, "type": out})]


@composite(accepts=dtypes.REAL, samples=_linspace_samples)
def linspace(start, stop, n, type=dtypes.f32, endpoint=True, name=None):
    """`n` evenly spaced values from `start` to `stop` (included unless `endpoint`
    is False), in `type` (f32 by default; integer types truncate, as Nx).

    `start` and `stop` may be tensors of one shape s: the result has shape
    s + (n,), its last axis named `name`. Values are computed as
    start + i * (stop - start) / (n - 1) (or / n without the endpoint) in a
    floating type, then converted.
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ArgumentError(f"linspace needs a number of values n >= 1, got {n!r}")
    ts, te = type_of(start), type_of(stop)
    if ts.shape != te.shape:
        raise ShapeError(f"linspace needs start and stop of the same shape, got {ts} and {te}")
    out = dtypes.parse(type)
    work = out if out.is_float else dtypes.to_float(dtypes.promote(ts.dtype, te.dtype))
    start, stop = api.as_type(start, work), api.as_type(stop, work)
    divisor = max(n - 1, 1) if endpoint else n
    step = api.divide(api.subtract(stop, start), divisor)
    counts = api.iota((n,), type=work)
    values = api.add(api.multiply(api.new_axis(step, -1), counts), api.new_axis(start, -1))
    values = api.as_type(values, out)
    names = (None,) * ts.rank + (name,)
    return api.rename(values, names) if name is not None else values


# ---------------------------------------------------------------------------
# Triangles
# ---------------------------------------------------------------------------

@composite(accepts=(dtypes.u8,), differentiable=False,
           samples=lambda dt: [((), {"n": 3, "m": 4}), ((), {"n": 3, "m": 3, "k": 1}),
                               ((), {"n": 4, "m": 2, "k": -1})])
def tri(n, m, k=0):
    """A u8 n x m matrix with ones at and below diagonal `k` (0: the main one,
    positive: above it, negative: below), zeros elsewhere."""
    rows = api.iota((n, 1))
    cols = api.iota((1, m))
    return api.greater_equal(rows, api.subtract(cols, k))


def _matrix_sizes(tensor, what):
    t = type_of(tensor)
    if t.rank < 2:
        raise ShapeError(f"{what} expects a tensor with at least 2 dimensions, got {t}")
    return _static_ints(t, what)[-2:]


def _triangle_samples(dt):
    return [((TensorType(dt, (3, 3)),), {}),
            ((TensorType(dt, (3, 4)),), {"k": 1}),
            ((TensorType(dt, (2, 3, 4)),), {"k": -1})]


@composite(samples=_triangle_samples)
def tril(tensor, k=0):
    """The lower triangle of the last two axes: elements above diagonal `k` become 0."""
    n, m = _matrix_sizes(tensor, "tril")
    return api.select(tri(n, m, k=k), tensor, 0)


@composite(samples=_triangle_samples)
def triu(tensor, k=0):
    """The upper triangle of the last two axes: elements below diagonal `k` become 0."""
    n, m = _matrix_sizes(tensor, "triu")
    return api.select(tri(n, m, k=k - 1), 0, tensor)


# ---------------------------------------------------------------------------
# Diagonals, through the flattened matrix: element (i, j) of an n x m matrix
# is at i * m + j, so a diagonal is a run with stride m + 1.
# ---------------------------------------------------------------------------

def _check_offset(n, m, offset):
    if offset >= 0 and offset >= m:
        raise ShapeError(f"offset must be less than length of axis 1 when positive, "
                         f"got: {offset}")
    if offset < 0 and -offset >= n:
        raise ShapeError(f"absolute value of offset must be less than length of axis 0 "
                         f"when negative, got: {offset}")


def _diagonal(n, m, offset):
    """(flat position of the diagonal's first element, its length)."""
    r0, c0 = max(-offset, 0), max(offset, 0)
    return r0 * m + c0, min(n - r0, m - c0)


def _spread(diagonal, n, m, offset):
    """The rank-1 `diagonal` written along diagonal `offset` of an n x m matrix of zeros."""
    start, length = _diagonal(n, m, offset)
    used = (length - 1) * (m + 1) + 1
    flat = api.pad(diagonal, 0, ((start, n * m - start - used, m),))
    return api.reshape(flat, (n, m))


def _take_diagonal_samples(dt):
    return [((TensorType(dt, (3, 3)),), {}),
            ((TensorType(dt, (3, 4)),), {"offset": 1}),
            ((TensorType(dt, (4, 3)),), {"offset": -2}),
            ((TensorType(dt, (2, 3, 3)),), {"offset": -1})]


@composite(samples=_take_diagonal_samples)
def take_diagonal(tensor, offset=0):
    """The diagonal `offset` of the last two axes (positive: above the main one):
    a tensor of shape batch + (length,)."""
    t = type_of(tensor)
    if t.rank < 2:
        raise ShapeError(f"take_diagonal expects a tensor of rank 2 or higher, got {t}")
    *batch, n, m = _static_ints(t, "take_diagonal")
    _check_offset(n, m, offset)
    start, length = _diagonal(n, m, offset)
    flat = api.reshape(tensor, (*batch, n * m))
    k = len(batch)
    return api.slice(flat, (0,) * k + (start,), (*batch, (length - 1) * (m + 1) + 1),
                     strides=(1,) * k + (m + 1,))


def _one_vector(tensor, what):
    t = type_of(tensor)
    if t.rank != 1:
        raise ShapeError(f"{what} expects a tensor of rank 1, got {t}")
    return _static_ints(t, what)[0]


@composite(samples=lambda dt: [((TensorType(dt, (3,)),), {}),
                               ((TensorType(dt, (3,)),), {"offset": 1}),
                               ((TensorType(dt, (2,)),), {"offset": -3})])
def make_diagonal(tensor, offset=0):
    """A square matrix of zeros with the rank-1 `tensor` on diagonal `offset`; its
    size is the length of tensor plus |offset|."""
    size = _one_vector(tensor, "make_diagonal") + abs(offset)
    return _spread(tensor, size, size, offset)


def _put_diagonal_samples(dt):
    return [((TensorType(dt, (3, 3)), TensorType(dt, (3,))), {}),
            ((TensorType(dt, (4, 3)), TensorType(dt, (2,))), {"offset": 1}),
            ((TensorType(dt, (4, 3)), TensorType(dt, (3,))), {"offset": -1})]


@composite(samples=_put_diagonal_samples)
def put_diagonal(tensor, diagonal, offset=0):
    """`tensor` (a matrix) with diagonal `offset` replaced by the rank-1 `diagonal`,
    converted to tensor's type."""
    t = type_of(tensor)
    if t.rank != 2:
        raise ShapeError(f"put_diagonal expects a tensor of rank 2, got {t}")
    n, m = _static_ints(t, "put_diagonal")
    length = _one_vector(diagonal, "put_diagonal")
    _check_offset(n, m, offset)
    want = _diagonal(n, m, offset)[1]
    if length != want:
        raise ShapeError(f"expected diagonal tensor of length: {want}, got diagonal tensor "
                         f"of length: {length}")
    values = _spread(api.as_type(diagonal, t.dtype), n, m, offset)
    mask = _spread(_tensor(np.ones(length, np.uint8)), n, m, offset)
    return api.select(mask, values, tensor)


# ---------------------------------------------------------------------------
# Filled tensors
# ---------------------------------------------------------------------------

def _filled(value, shape, type, names):
    if type is not None:
        value = api.as_type(value, type)
    elif not isinstance(getattr(value, "type", None), TensorType):
        value = _tensor(value)  # a number takes its literal type (1 -> s32, 1.0 -> f32)
    return api.broadcast(value, shape, names=names)


@composite(samples=lambda dt: [((TensorType(dt, (2, 3)),), {"value": 5}),
                               ((TensorType(dt, (3,)),), {"value": 1, "type": dtypes.f64})])
def fill(tensor, value, type=None):
    """A tensor of tensor's shape and names holding `value` everywhere, in `type`
    (tensor's type by default)."""
    t = type_of(tensor)
    return _filled(value, t.shape, t.dtype if type is None else type, t.names)


@composite(differentiable=False,
           samples=lambda dt: [((), {"shape": (2, 3), "value": 7, "type": dt}),
                               ((), {"shape": (), "value": 1, "type": dt})])
def full(shape, value, type=None, names=None):
    """A tensor of `shape` holding `value` everywhere, in `type` (by default the
    value's type: a number's literal type, 1 -> s32, 1.5 -> f32)."""
    return _filled(value, shape, type, names)


@composite(samples=lambda dt: [((TensorType(dt, (2, 3)),), {"value": 3})])
def full_like(tensor, value, type=None):
    """A tensor like `tensor` (shape, names, and type unless given) holding `value`."""
    return fill(tensor, value, type=type)


@composite(differentiable=False, samples=lambda dt: [((), {"shape": (2, 3), "type": dt})])
def zeros(shape, type=dtypes.f32, names=None):
    """A tensor of zeros of `shape`, in `type` (f32 by default)."""
    return _filled(0, shape, type, names)


@composite(differentiable=False, samples=lambda dt: [((), {"shape": (2, 3), "type": dt})])
def ones(shape, type=dtypes.f32, names=None):
    """A tensor of ones of `shape`, in `type` (f32 by default)."""
    return _filled(1, shape, type, names)


@composite(samples=lambda dt: [((TensorType(dt, (2, 3)),), {})])
def zeros_like(tensor, type=None):
    """Zeros with tensor's shape, names and (unless given) type."""
    return fill(tensor, 0, type=type)


@composite(samples=lambda dt: [((TensorType(dt, (2, 3)),), {})])
def ones_like(tensor, type=None):
    """Ones with tensor's shape, names and (unless given) type."""
    return fill(tensor, 1, type=type)


def from_numpy(array_or_path, names=None):
    """A tensor from a numpy array, or from a `.npy` file given by its path (as
    Nx.from_numpy reads one). The data is copied; its numpy type must be one nxc has."""
    if isinstance(array_or_path, (str, os.PathLike)):
        array_or_path = np.load(array_or_path, allow_pickle=False)
    if not isinstance(array_or_path, (np.ndarray, np.generic)):
        raise ArgumentError(f"from_numpy takes a numpy array or the path of a .npy file, got "
                            f"{type(array_or_path).__name__}")
    return _tensor(array_or_path, names=names)
