"""conv: N-dimensional cross-correlation, as Nx.conv (and XLA's convolution).

In the standard layout the input is (batch, channels, spatial...), the kernel
(out channels, in channels / feature_group_size, kernel spatial...) and the
result (batch / batch_group_size, out channels, out spatial...). The
permutation options give the layout of each: `std = transpose(x, perm)`, so
NHWC data takes input_permutation (0, 3, 1, 2), and the same as
output_permutation gives an NHWC result.

The input is dilated (input_dilation - 1 zeros between elements) and padded
((low, high) zeros per spatial axis; "valid" is none, "same" pads the dilated
input so that the output has ceil(size / stride) elements, the odd one
high); the kernel is dilated likewise (kernel_dilation). Output element
(n, o, p) sums input[n', c', p * stride + k * kernel_dilation] * kernel[o, c, k]
over the kernel's channels c and positions k, where the output channel picks
its group: c' = g * (channels / feature_group_size) + c with g = o / (out
channels / feature_group_size), and n' = b * (batch / batch_group_size) + n
with b = o / (out channels / batch_group_size). At most one of the group
sizes exceeds 1.

The result is floating (Nx: to_floating(promote(input, kernel))).
`batch_dims` (an IR attribute the batching pass sets) pairs leading axes of
input, kernel and result: each entry is a convolution of its own.
"""
from __future__ import annotations

import math

import numpy as np

from nxc.runtime.errors import ArgumentError, ShapeError

from .. import dtypes
from ..registry import register
from ..types import Dim, TensorType, axes_indices, merge_name
from .cast import convert
from .reductions import accumulator

ATTRS = {"strides": 1, "padding": "valid", "input_dilation": 1, "kernel_dilation": 1,
         "feature_group_size": 1, "batch_group_size": 1, "input_permutation": None,
         "kernel_permutation": None, "output_permutation": None, "batch_dims": 0}


def _int(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _per_axis(name, value, count):
    values = (value,) * count if _int(value) else value
    if not isinstance(values, (tuple, list)) or len(values) != count or not all(
            _int(v) and v >= 1 for v in values):
        raise ArgumentError(f"conv option {name} must be an int >= 1 or {count} of them, "
                            f"got {value!r}")
    return tuple(int(v) for v in values)


def _perm(name, value, t: TensorType):
    """A permutation of t's axes: ints (negative from the end) or t's axis names."""
    rank = t.rank
    if value is None:
        return tuple(range(rank))
    if not isinstance(value, (tuple, list)) or not all(
            _int(v) or isinstance(v, str) for v in value):
        raise ArgumentError(f"conv option {name} must be a permutation of the axes, "
                            f"got {value!r}")
    if any(isinstance(v, str) for v in value):
        value = axes_indices(t, value, name)
    perm = tuple(int(v) % rank if -rank <= v < rank else v for v in value)
    if sorted(perm) != list(range(rank)):
        raise ShapeError(f"conv option {name} {list(value)} is not a permutation of "
                         f"{rank} axes")
    return perm


def _permuted(shape, perm):
    return tuple(shape[p] for p in perm)


def inverse(perm):
    return tuple(int(i) for i in np.argsort(perm))


def dilated(size, dilation):
    return (size - 1) * dilation + 1 if size else 0


def _canon(types, attrs):
    x, w = types
    nb = attrs["batch_dims"]
    if not _int(nb) or nb < 0:
        raise ArgumentError(f"conv batch_dims must be an int >= 0, got {nb!r}")
    rank = x.rank - nb
    if rank < 3 or w.rank != x.rank:
        raise ShapeError(f"conv needs an input and a kernel of the same rank, at least 3 "
                         f"(batch, channels, spatial...), got {x} and {w}")
    for t in (x, w):
        if any(isinstance(d, Dim) for d in t.shape[nb:]):
            raise ShapeError(f"conv needs static sizes, got {t}")
    spatial = rank - 2
    out = {k: attrs[k] for k in ("feature_group_size", "batch_group_size")}
    for k in out:
        if not _int(out[k]) or out[k] < 1:
            raise ArgumentError(f"conv option {k} must be an int >= 1, got {out[k]!r}")
    out["batch_dims"] = nb
    for k in ("strides", "input_dilation", "kernel_dilation"):
        out[k] = _per_axis(k, attrs[k], spatial)
    # Names in output_permutation are the input's, as in Nx.
    inner = [TensorType(t.dtype, t.shape[nb:], t.names[nb:]) for t in (x, w, x)]
    for k, t in zip(("input_permutation", "kernel_permutation", "output_permutation"), inner):
        out[k] = _perm(k, attrs[k], t)
    xs = _permuted(x.shape[nb:], out["input_permutation"])
    ws = _permuted(w.shape[nb:], out["kernel_permutation"])
    out["padding"] = _padding(attrs["padding"], xs[2:], ws[2:], out)
    return out


def _padding(padding, sizes, ksizes, o):
    spatial = len(sizes)
    if padding == "valid":
        return ((0, 0),) * spatial
    if padding == "same":
        pads = []
        for i, k, s, ld, kd in zip(sizes, ksizes, o["strides"], o["input_dilation"],
                                   o["kernel_dilation"]):
            n = dilated(i, ld)
            total = max((math.ceil(n / s) - 1) * s + dilated(k, kd) - n, 0)
            pads.append((total // 2, total - total // 2))
        return tuple(pads)
    if (isinstance(padding, (tuple, list)) and len(padding) == spatial and all(
            isinstance(p, (tuple, list)) and len(p) == 2 and all(_int(v) for v in p)
            for p in padding)):
        return tuple((int(lo), int(hi)) for lo, hi in padding)
    raise ArgumentError(f"conv padding must be \"valid\", \"same\" or one (low, high) pair "
                        f"of ints per spatial axis ({spatial}), got {padding!r}")


def out_spatial(sizes, ksizes, attrs):
    out = []
    for i, k, s, ld, kd, (lo, hi) in zip(sizes, ksizes, attrs["strides"], attrs["input_dilation"],
                                         attrs["kernel_dilation"], attrs["padding"]):
        n, kk = max(dilated(i, ld) + lo + hi, 0), dilated(k, kd)
        out.append((n - kk) // s + 1 if n >= kk else 0)
    return tuple(out)


def _conv_ref_one(x, w, attrs, out_t):
    """One convolution, accumulated in the compute type (f16/bf16 in f32) one
    (channel, kernel position) step at a time, as the compiled loop nest does."""
    acc_t = accumulator(out_t)
    xs = convert(np.transpose(x, attrs["input_permutation"]), out_t).astype(acc_t)
    ws = convert(np.transpose(w, attrs["kernel_permutation"]), out_t).astype(acc_t)
    n, c = xs.shape[:2]
    o, cg = ws.shape[:2]
    G, B = attrs["feature_group_size"], attrs["batch_group_size"]
    pads, ld = attrs["padding"], attrs["input_dilation"]
    # Positive padding first, then negative padding crops.
    grown = tuple(dilated(i, d) + max(lo, 0) + max(hi, 0)
                  for i, d, (lo, hi) in zip(xs.shape[2:], ld, pads))
    xp = np.zeros((n, c) + grown, dtype=acc_t)
    xp[(slice(None), slice(None)) + tuple(
        slice(max(lo, 0), max(lo, 0) + dilated(i, d), d)
        for i, d, (lo, _) in zip(xs.shape[2:], ld, pads))] = xs
    xp = xp[(slice(None), slice(None)) + tuple(
        slice(-min(lo, 0), g + min(hi, 0)) for g, (lo, hi) in zip(grown, pads))]
    spatial = out_spatial(xs.shape[2:], ws.shape[2:], attrs)
    # Output channel oc reads batch rows b(oc) * (n / B) + row and channels g(oc) * cg + ch.
    oc = np.arange(o)
    rows = (oc // (o // B))[None, :] * (n // B) + np.arange(n // B)[:, None]
    first_channel = (oc // (o // G)) * cg
    acc = np.zeros((n // B, o) + spatial, dtype=acc_t)
    lead = (slice(None), slice(None)) + (None,) * len(spatial)
    with np.errstate(all="ignore"):
        for ch in range(cg):
            for k in np.ndindex(ws.shape[2:]):
                window = xp[(slice(None), slice(None)) + tuple(
                    slice(kk * kd, kk * kd + (p - 1) * s + 1, s) if p else slice(0, 0)
                    for kk, kd, s, p in zip(k, attrs["kernel_dilation"], attrs["strides"],
                                            spatial))]
                terms = window[rows, (first_channel + ch)[None, :]]
                acc = acc + terms * ws[(slice(None), ch) + k][lead[1:]]
    return np.transpose(convert(acc, out_t), inverse(attrs["output_permutation"]))


def _conv_ref(x, w, **attrs):
    out_t = dtypes.to_float(dtypes.promote(dtypes.from_numpy(x.dtype),
                                           dtypes.from_numpy(w.dtype)))
    nb = attrs["batch_dims"]
    if nb == 0:
        return np.ascontiguousarray(_conv_ref_one(x, w, attrs, out_t))
    out = None
    for b in np.ndindex(x.shape[:nb]):
        r = _conv_ref_one(x[b], w[b], attrs, out_t)
        if out is None:
            out = np.empty(x.shape[:nb] + r.shape, out_t.numpy)
        out[b] = r
    return out


def _conv_samples(dt):
    T = TensorType
    return [([T(dt, (1, 2, 5)), T(dt, (3, 2, 2))], {}),
            ([T(dt, (2, 1, 4, 4)), T(dt, (2, 1, 3, 2))],
             {"strides": (2, 1), "padding": "same", "kernel_dilation": (1, 2)}),
            ([T(dt, (1, 4, 3)), T(dt, (2, 2, 2))],
             {"feature_group_size": 2, "padding": ((1, 2),), "input_dilation": 2}),
            ([T(dt, (1, 1, 6)), T(dt, (1, 1, 2))], {"padding": ((-2, 1),)}),
            ([T(dt, (4, 1, 3)), T(dt, (2, 1, 2))], {"batch_group_size": 2, "strides": 2}),
            ([T(dt, (1, 3, 3, 2)), T(dt, (2, 2, 2, 2))],  # NHWC input and output, HWIO kernel
             {"input_permutation": (0, 3, 1, 2), "kernel_permutation": (3, 2, 0, 1),
              "output_permutation": (0, 3, 1, 2), "padding": ((0, 1), (1, 0))}),
            ([T(dt, (2, 1, 3, 4)), T(dt, (2, 2, 3, 2))], {"batch_dims": 1})]


@register("conv", ref=_conv_ref, attrs=ATTRS, arity=2, canon=_canon, samples=_conv_samples,
          accepts=dtypes.ALL)
def conv(x, w, **attrs):
    """Cross-correlation of `x` with the kernel `w`, as Nx.conv (module docstring).

    The result is floating: to_float(promote(x, w)); its names are the batch
    axes' (the other axes are unnamed).
    """
    nb = attrs["batch_dims"]
    xs = _permuted(x.shape[nb:], attrs["input_permutation"])
    ws = _permuted(w.shape[nb:], attrs["kernel_permutation"])
    G, B = attrs["feature_group_size"], attrs["batch_group_size"]
    (n, c), (o, cg) = xs[:2], ws[:2]
    if G > 1 and B > 1:
        raise ShapeError(f"conv takes a feature_group_size ({G}) or a batch_group_size "
                         f"({B}) above 1, not both")
    if c != cg * G:
        raise ShapeError(f"conv input channels ({c}) must be the kernel's input channels "
                         f"({cg}) times feature_group_size ({G}): input {x}, kernel {w}")
    if o % G or o % B:
        raise ShapeError(f"conv kernel output channels ({o}) must be divisible by "
                         f"feature_group_size ({G}) and batch_group_size ({B})")
    if n % B:
        raise ShapeError(f"conv input batch ({n}) must be divisible by batch_group_size ({B})")
    for i in range(nb):
        if x.shape[i] != w.shape[i]:
            raise ShapeError(f"conv batch axis {i} differs between {x} and {w}")
    std = (n // B, o) + out_spatial(xs[2:], ws[2:], attrs)
    shape = tuple(x.shape[:nb]) + _permuted(std, inverse(attrs["output_permutation"]))
    names = tuple(merge_name(x.names[i], w.names[i], i) for i in range(nb))
    return TensorType(dtypes.to_float(dtypes.promote(x.dtype, w.dtype)), shape,
                      names + (None,) * len(std))
