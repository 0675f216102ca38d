"""complex, real, imag, conjugate, phase (compiler/ir/ops/complex_parts.py).

Each works on storage values and Nx conversions: a real operand is first
converted to its complex type (zero imaginary part), as the references do.
"""
from __future__ import annotations

from mlir.dialects import complex as cx

from nxc.compiler.ir import dtypes

from .. import scalar as S
from ..mlir_types import element_type
from . import lowering
from .element_kernels import libm


def _complex_type(t):
    return dtypes.to_complex(dtypes.to_float(t))


def _one_operand(build):
    """A lowering from build(value, operand dtype, result dtype) on storage values."""
    def lower(em, op, x):
        src, out = op.operands[0].type, op.result.type
        return em.elementwise(out, [(x, src)], lambda v: build(em, v, src.dtype, out.dtype))
    return lower


def _conjugate(em, v, src, out):
    return cx.conj(S.convert(v, src, out))


def _real(em, v, src, out):
    return S.convert(v, src, out)  # complex -> real keeps the real part


def _imag(em, v, src, out):
    if not src.is_complex:
        return S.stored_const(out, 0.0)
    return S.convert(cx.im(v), src.real, out)


def _phase(em, v, src, out):
    ct = _complex_type(src)
    z = S.convert(v, src, ct)
    part = ct.real
    return S.convert(libm(em, "atan2", part, cx.im(z), cx.re(z)), part, out)


for _name, _build in (("conjugate", _conjugate), ("real", _real), ("imag", _imag),
                      ("phase", _phase)):
    lowering(_name)(_one_operand(_build))


@lowering("complex")
def _complex(em, op, re, im):
    tr, ti = (v.type for v in op.operands)
    out = op.result.type
    t = dtypes.to_float(dtypes.promote(tr.dtype, ti.dtype))
    part = out.dtype.real

    def body(a, b):
        a, b = (S.convert(S.convert(v, s.dtype, t), t, part) for v, s in ((a, tr), (b, ti)))
        return cx.create_(element_type(out.dtype), a, b)
    return em.elementwise(out, [(re, tr), (im, ti)], body)
