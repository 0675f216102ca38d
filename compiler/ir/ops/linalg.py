"""Linear algebra: `dot`, the general contraction behind `@`, matmul and batched matmul."""
from __future__ import annotations

import numpy as np

from nxc.runtime.errors import ArgumentError, AxisNameError, ShapeError

from .. import dtypes
from ..registry import register
from ..types import TensorType, axes_indices, merge_name
from .cast import convert
from .reductions import accumulator


def _pair(value, what):
    """The two halves of ((axes of a), (axes of b))."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ArgumentError(f"dot option {what} must be a pair ((axes of a), (axes of b)), "
                            f"got {value!r}")
    return value


def _canon_dot(types, attrs):
    a, b = types
    for t in (a, b):
        if t.rank == 0:
            raise ShapeError(f"dot needs tensors of rank >= 1, got {t}; "
                             f"use multiply to scale by a scalar")
    if attrs["contract_axes"] is None:
        contract = ((a.rank - 1,), (b.rank - 2 if b.rank >= 2 else 0,))
    else:
        ca, cb = _pair(attrs["contract_axes"], "contract_axes")
        contract = (axes_indices(a, ca, "contract axes"), axes_indices(b, cb, "contract axes"))
    if attrs["batch_axes"] is None:
        batch = ((), ())
    else:
        ba, bb = _pair(attrs["batch_axes"], "batch_axes")
        batch = (axes_indices(a, ba, "batch axes"), axes_indices(b, bb, "batch axes"))
    for what, (x, y) in (("contract", contract), ("batch", batch)):
        if len(x) != len(y):
            raise ShapeError(f"dot {what} axes {x} of {a} and {y} of {b} differ in count")
    for t, c, bt in ((a, contract[0], batch[0]), (b, contract[1], batch[1])):
        both = set(c) & set(bt)
        if both:
            raise ShapeError(f"dot axes {sorted(both)} of {t} are both contract and batch axes")
    return {"contract_axes": contract, "batch_axes": batch}


def _free(rank, contract, batch):
    """The axes of an operand that are neither contracted nor batched, in order."""
    return [i for i in range(rank) if i not in contract and i not in batch]


def _dot_ref(a, b, *, contract_axes, batch_axes):
    out_t = dtypes.promote(dtypes.from_numpy(a.dtype), dtypes.from_numpy(b.dtype))
    if out_t.is_int:
        # Wrapping products and sums in 64 bits, then in the result type, give the
        # exact result modulo 2**bits: integer dot is exact with wrap.
        acc = np.dtype(np.uint64 if out_t == dtypes.u64 else np.int64)
    else:
        acc = accumulator(out_t)
    (ca, cb), (ba, bb) = contract_axes, batch_axes
    fa, fb = _free(a.ndim, ca, ba), _free(b.ndim, cb, bb)
    # (batch, free, contract) @ (batch, contract, free): one batched matmul.
    at = np.transpose(convert(a, out_t).astype(acc), list(ba) + fa + list(ca))
    bt = np.transpose(convert(b, out_t).astype(acc), list(bb) + list(cb) + fb)
    nb, nk = len(ba), len(ca)
    bshape = at.shape[:nb]
    m = int(np.prod(at.shape[nb:nb + len(fa)], dtype=np.int64))
    n = int(np.prod(bt.shape[nb + nk:], dtype=np.int64))
    k = int(np.prod(at.shape[nb + len(fa):], dtype=np.int64))
    with np.errstate(all="ignore"):
        r = np.matmul(at.reshape(bshape + (m, k)), bt.reshape(bshape + (k, n)))
    out_shape = bshape + at.shape[nb:nb + len(fa)] + bt.shape[nb + nk:]
    return convert(r.reshape(out_shape), out_t)


def _dot_samples(dt):
    T = TensorType
    return [([T(dt, (2, 3)), T(dt, (3, 4))], {}),
            ([T(dt, (3,)), T(dt, (3,))], {}),
            ([T(dt, (2, 3)), T(dt, (3,))], {}),
            ([T(dt, (3,)), T(dt, (2, 3, 4))], {}),
            ([T(dt, (2, 3, 4)), T(dt, (2, 4, 5))],
             {"contract_axes": ((2,), (1,)), "batch_axes": ((0,), (0,))}),
            ([T(dt, (3, 2, 4)), T(dt, (4, 5, 3))],
             {"contract_axes": ((0, 2), (2, 0))}),
            ([T(dt, (2, 0)), T(dt, (0, 3))], {})]


@register("dot", ref=_dot_ref, attrs={"contract_axes": None, "batch_axes": None}, arity=2,
          canon=_canon_dot, samples=_dot_samples)
def dot(a, b, *, contract_axes, batch_axes):
    """Sums products over `contract_axes`, pairing `batch_axes` of a and b.

    The default contracts the last axis of a with the second-to-last of b (the
    last when b has rank 1), as Nx.dot/2. The result has the batch dimensions,
    then a's free dimensions, then b's; its type is promote(a, b) (integers exact
    with wrap; f16/bf16 computed in f32). Batch names merge; free names follow.
    """
    (ca, cb), (ba, bb) = contract_axes, batch_axes
    for what, xs, ys in (("contract", ca, cb), ("batch", ba, bb)):
        for x, y in zip(xs, ys):
            if a.shape[x] != b.shape[y]:
                raise ShapeError(f"dot cannot pair {what} axis {x} of {a} (size {a.shape[x]}) "
                                 f"with axis {y} of {b} (size {b.shape[y]})")
    fa, fb = _free(a.rank, ca, ba), _free(b.rank, cb, bb)
    shape = tuple(a.shape[i] for i in ba) + tuple(a.shape[i] for i in fa) + tuple(
        b.shape[i] for i in fb)
    names = tuple(merge_name(a.names[x], b.names[y], i) for i, (x, y) in enumerate(zip(ba, bb)))
    names += tuple(a.names[i] for i in fa) + tuple(b.names[i] for i in fb)
    given = [n for n in names if n is not None]
    if len(set(given)) != len(given):
        raise AxisNameError(f"dot of {a} and {b} would repeat an axis name in {list(names)}; "
                            f"rename an axis first")
    return TensorType(dtypes.promote(a.dtype, b.dtype), shape, names)
