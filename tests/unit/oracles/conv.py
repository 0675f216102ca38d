"""Oracle of conv, from its definition: every output element summed one product at a
time on Python numbers (float or complex), the input read through the dilation
and padding rather than from a padded copy."""
import math

import numpy as np

from nxc.compiler.ir import dtypes as T

from .numbers import py as _py
from .structural import _dt, _result


def _conv_one(x, w, a):
    ip, kp, op = a["input_permutation"], a["kernel_permutation"], a["output_permutation"]
    xs, ws = np.transpose(_py(x), ip), np.transpose(_py(w), kp)
    n, c = xs.shape[:2]
    o, cg = ws.shape[:2]
    G, B = a["feature_group_size"], a["batch_group_size"]
    ksp = ws.shape[2:]

    def read(b, ch, pos):
        """The dilated, padded input at `pos` (0 where padding or dilation holes are)."""
        src = []
        for p, i, ld, (lo, _) in zip(pos, xs.shape[2:], a["input_dilation"], a["padding"]):
            q, r = divmod(p - lo, ld)
            if p - lo < 0 or r or q >= i:
                return 0
            src.append(q)
        return xs[(b, ch) + tuple(src)]

    sizes = []
    for i, k, s, ld, kd, (lo, hi) in zip(xs.shape[2:], ksp, a["strides"], a["input_dilation"],
                                         a["kernel_dilation"], a["padding"]):
        m = max(((i - 1) * ld + 1 if i else 0) + lo + hi, 0)
        kk = (k - 1) * kd + 1
        sizes.append((m - kk) // s + 1 if m >= kk else 0)
    std = np.empty((n // B, o) + tuple(sizes), dtype=object)
    for idx in np.ndindex(std.shape):
        nb, oc, pos = idx[0], idx[1], idx[2:]
        g, gb = oc // (o // G), oc // (o // B)
        terms = []
        for cc in range(cg):
            for k in np.ndindex(ksp):
                at = [p * s + kk * kd for p, s, kk, kd in zip(pos, a["strides"], k,
                                                                a["kernel_dilation"])]
                terms.append(read(gb * (n // B) + nb, g * cg + cc, at) * ws[(oc, cc) + k])
        std[idx] = math.fsum(terms) if not any(isinstance(t, complex) for t in terms) \
            else sum(terms, 0j)
    return np.transpose(std, np.argsort(op))


def _conv(x, w, **a):
    out_t = T.to_float(T.promote(_dt(x), _dt(w)))
    nb = a["batch_dims"]
    if nb == 0:
        return _result(_conv_one(x, w, a), out_t)
    entries = [_conv_one(x[b], w[b], a) for b in np.ndindex(x.shape[:nb])]
    out = np.empty(x.shape[:nb] + entries[0].shape, dtype=object)
    for b, e in zip(np.ndindex(x.shape[:nb]), entries):
        out[b] = e
    return _result(out, out_t)


ORACLES = {"conv": _conv}
