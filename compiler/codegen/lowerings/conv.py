"""conv as one `linalg.generic`, following `compiler/ir/ops/conv.py`.

The operands are brought to the standard layout (transposes), the input is
dilated and padded into a zero tensor (`tensor.insert_slice` with strides),
and the generic runs over (batch axes, batch, out channel, out spatial...,
in channel, kernel spatial...), the last ones reductions. The input map picks
the group: channel g * (C / G) + c with g = o floordiv (O / G), batch
b * (N / B) + n with b = o floordiv (O / B). Products accumulate in the
compute type (f16/bf16 in f32) and round once, as the reference does.
"""
from __future__ import annotations

from mlir import ir
from mlir.dialects import linalg

from nxc.compiler.ir.ops.conv import dilated, inverse, out_spatial
from nxc.compiler.ir.types import TensorType

from .. import scalar as S
from ..mlir_types import compute_dtype
from . import lowering
from .shape import extract, insert


def _transposed(em, value, t: TensorType, perm, nb):
    """`value` with its axes after the first nb permuted by `perm`, and the new type."""
    full = tuple(range(nb)) + tuple(nb + p for p in perm)
    if full == tuple(range(t.rank)):
        return value, t
    nt = TensorType(t.dtype, tuple(t.shape[a] for a in full))
    out = linalg.transpose(value, outs=[em.empty(nt)], permutation=list(full))
    return _value(out), nt


def _value(out):
    """The one result of an op builder (an op, its result list, or the value)."""
    out = getattr(out, "result", out)
    return out[0] if isinstance(out, ir.OpResultList) else out


def _const(v):
    return ir.AffineConstantExpr.get(v)


def _dim(i):
    return ir.AffineDimExpr.get(i)


@lowering("conv")
def _conv(em, op, x, w):
    a = op.attrs
    nb = a["batch_dims"]
    xt, wt = (v.type for v in op.operands)
    out = op.result.type
    out_t = out.dtype
    acc_t = out_t if out_t.is_complex else compute_dtype(out_t)
    x, xs = _transposed(em, x, xt, a["input_permutation"], nb)
    w, ws = _transposed(em, w, wt, a["kernel_permutation"], nb)
    prefix = xs.shape[:nb]
    (n, c), (o, cg) = xs.shape[nb:nb + 2], ws.shape[nb:nb + 2]
    sizes, ksizes = xs.shape[nb + 2:], ws.shape[nb + 2:]
    spatial = len(sizes)
    G, B = a["feature_group_size"], a["batch_group_size"]

    # The dilated, padded input.
    pads, ld = a["padding"], a["input_dilation"]
    if any(p != (0, 0) for p in pads) or any(d != 1 for d in ld):
        # Positive padding and dilation first, then negative padding crops.
        grown = tuple(dilated(i, d) + max(lo, 0) + max(hi, 0)
                      for i, d, (lo, hi) in zip(sizes, ld, pads))
        pt = TensorType(xs.dtype, prefix + (n, c) + grown)
        zero = _value(em.fill(pt, S.stored_const(xs.dtype, 0)))
        x = insert(em, x, zero, [0] * (nb + 2) + [max(lo, 0) for lo, _ in pads], xs.shape,
                   [1] * (nb + 2) + list(ld))
        if any(lo < 0 or hi < 0 for lo, hi in pads):
            kept = tuple(max(g + min(lo, 0) + min(hi, 0), 0) for g, (lo, hi) in zip(grown, pads))
            ct = TensorType(xs.dtype, prefix + (n, c) + kept)
            x = extract(em, x, ct, [0] * (nb + 2) + [-min(lo, 0) for lo, _ in pads], ct.shape,
                        [1] * ct.rank)

    osp = out_spatial(sizes, ksizes, a)
    std = TensorType(acc_t, prefix + (n // B, o) + osp)
    # Loops: batch axes, n, o, out spatial, c, kernel spatial.
    lo_n, lo_o, lo_p = nb, nb + 1, nb + 2
    lo_c, lo_k = nb + 2 + spatial, nb + 3 + spatial
    n_loops = lo_k + spatial
    batch = [_dim(i) for i in range(nb)]
    nx = _dim(lo_n)
    if B > 1:
        nx = ir.AffineFloorDivExpr.get(_dim(lo_o), _const(o // B)) * _const(n // B) + nx
    cx = _dim(lo_c)
    if G > 1:
        cx = ir.AffineFloorDivExpr.get(_dim(lo_o), _const(o // G)) * _const(cg) + cx
    px = [_dim(lo_p + d) * _const(s) + _dim(lo_k + d) * _const(kd)
          for d, (s, kd) in enumerate(zip(a["strides"], a["kernel_dilation"]))]
    x_map = batch + [nx, cx] + px
    w_map = list(range(nb)) + [lo_o, lo_c] + list(range(lo_k, lo_k + spatial))
    out_map = list(range(lo_c))
    iters = ["parallel"] * lo_c + ["reduction"] * (1 + spatial)
    acc = _value(em.fill(std, S.stored_const(acc_t, 0)))

    def body(p, q, s):
        p = S.convert(S.convert(p, xs.dtype, out_t), out_t, acc_t)
        q = S.convert(S.convert(q, ws.dtype, out_t), out_t, acc_t)
        return S.add(acc_t, s, S.mul(acc_t, p, q))
    r = em.generic([(x, x_map), (w, w_map)], [(acc, out_map)], n_loops, iters, body)
    if acc_t != out_t:
        r = em.elementwise(std.with_dtype(out_t), [(r, std)],
                           lambda v: S.convert(v, acc_t, out_t))
    r, _ = _transposed(em, r, std.with_dtype(out_t), inverse(a["output_permutation"]), nb)
    return r
