"""Scalar code: constants, Nx conversions and arithmetic on one element.

Every function emits at the current MLIR insertion point and location. Values
come in one of two representations: *storage* (the element type of a tensor of
that dtype) or *compute* (f16/bf16 widened to f32, see mlir_types). `convert`
goes from storage to storage with Nx's conversion semantics, exactly as
`compiler/ir/ops/cast.convert` does on numpy arrays; the arithmetic helpers work
on compute values of one dtype and pick the signed, unsigned, float or complex
form of each operation.

Predicates are `i1` values; `BOOL` stands for their "dtype" in `convert`.
"""
from __future__ import annotations

import numpy as np
from mlir import ir
from mlir.dialects import arith, linalg
from mlir.dialects import complex as cx
from mlir.dialects import math

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.dtypes import DType

from .mlir_types import bool_type, compute_dtype, compute_type, element_type

BOOL = "bool"

I = arith.CmpIPredicate
F = arith.CmpFPredicate


# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------

def constant(ty: ir.Type, value) -> ir.Value:
    """A scalar constant of MLIR type `ty` (integers given as Python ints wrap)."""
    if isinstance(ty, ir.IntegerType):
        bits = ty.width
        v = int(value) & ((1 << bits) - 1)
        if bits > 1 and v >= 1 << (bits - 1):
            v -= 1 << bits  # the signed spelling of the same bits
        return arith.constant(ty, ir.IntegerAttr.get(ty, v))
    if isinstance(ty, ir.ComplexType):
        part = ty.element_type
        v = complex(value)
        return cx.constant(ty, ir.ArrayAttr.get([ir.FloatAttr.get(part, v.real),
                                                 ir.FloatAttr.get(part, v.imag)]))
    if isinstance(ty, ir.IndexType):
        return arith.constant(ty, ir.IntegerAttr.get(ty, int(value)))
    return arith.constant(ty, ir.FloatAttr.get(ty, float(value)))


def const(dt: DType, value) -> ir.Value:
    """A constant in the compute representation of `dt`."""
    return constant(compute_type(dt), value)


def stored_const(dt: DType, value) -> ir.Value:
    """A constant in the storage representation of `dt`."""
    if dt == dtypes.bf16:
        return constant(element_type(dt), int(np.array(value, dt.numpy).view(np.uint16)))
    return constant(element_type(dt), value)


def index(value: int) -> ir.Value:
    return constant(ir.IndexType.get(), value)


def loop_index(dim: int) -> ir.Value:
    """The position along loop `dim` inside a linalg.generic body (an `index`)."""
    return linalg.IndexOp(dim).result


def true() -> ir.Value:
    return constant(bool_type(), 1)


# ---------------------------------------------------------------------------
# Representations and conversions
# ---------------------------------------------------------------------------

def load(v: ir.Value, dt: DType) -> ir.Value:
    """Storage -> compute."""
    if dt == dtypes.bf16:
        return _bf16_to_f32(v)
    ct = compute_dtype(dt)
    return v if ct == dt else arith.extf(element_type(ct), v)


# bf16 is stored as its bits (see mlir_types): the high half of an f32.

def _bf16_to_f32(bits):
    i32 = ir.IntegerType.get_signless(32)
    wide = arith.shli(arith.extui(i32, bits), constant(i32, 16))
    return arith.bitcast(element_type(dtypes.f32), wide)


def _f32_to_bf16(x):
    """Round to nearest even, as ml_dtypes does; NaN stays a (quiet) NaN."""
    i32 = ir.IntegerType.get_signless(32)
    bits = arith.bitcast(i32, x)
    high = arith.shrui(bits, constant(i32, 16))
    bias = arith.addi(constant(i32, 0x7FFF), arith.andi(high, constant(i32, 1)))
    rounded = arith.shrui(arith.addi(bits, bias), constant(i32, 16))
    quiet_nan = arith.ori(high, constant(i32, 0x40))
    r = arith.select(arith.cmpf(F.UNO, x, x), quiet_nan, rounded)
    return arith.trunci(element_type(dtypes.bf16), r)


def store(v: ir.Value, dt: DType) -> ir.Value:
    """Compute -> storage (rounds f32 to f16/bf16 once)."""
    return convert(v, compute_dtype(dt), dt)


def convert(v: ir.Value, src, dst: DType) -> ir.Value:
    """Storage value of type `src` (a DType or BOOL) -> storage value of `dst`, Nx semantics.

    Integers wrap; float -> int truncates and saturates (NaN -> 0); complex -> real
    keeps the real part; rounding follows numpy/ml_dtypes (int -> bf16 and
    f64 -> bf16 go through f64 and f32, as ml_dtypes does).
    """
    if src == dst:
        return v
    if src == BOOL:
        return _from_bool(v, dst)
    if src.is_complex:
        if dst.is_complex:
            re = convert(cx.re(v), src.real, dst.real)
            im = convert(cx.im(v), src.real, dst.real)
            return cx.create_(element_type(dst), re, im)
        return convert(cx.re(v), src.real, dst)
    if dst.is_complex:
        re = convert(v, src, dst.real)
        return cx.create_(element_type(dst), re, stored_const(dst.real, 0.0))
    if src.is_int and dst.is_int:
        return _int_to_int(v, src, dst)
    if src.is_int:
        return _int_to_float(v, src, dst)
    if dst.is_int:
        return _float_to_int(v, src, dst)
    return _float_to_float(v, src, dst)


def _int_to_int(v, src, dst):
    ty = element_type(dst)
    if dst.bits < src.bits:
        return arith.trunci(ty, v)
    if dst.bits > src.bits:
        return (arith.extsi if src.is_signed_int else arith.extui)(ty, v)
    return v  # same bits: the signless value is the same


def _int_to_float(v, src, dst):
    itof = arith.sitofp if src.is_signed_int else arith.uitofp
    if dst == dtypes.bf16:  # through f64 and f32, as ml_dtypes converts
        wide = itof(element_type(dtypes.f64), v)
        return _f32_to_bf16(arith.truncf(element_type(dtypes.f32), wide))
    if dst == dtypes.f16:
        # Every integer below f16's overflow threshold is exact in f32: one rounding.
        return arith.truncf(element_type(dst), itof(element_type(dtypes.f32), v))
    return itof(element_type(dst), v)


def _float_to_int(v, src, dst):
    f64 = element_type(dtypes.f64)
    if src == dtypes.bf16:
        v, src = _bf16_to_f32(v), dtypes.f32
    x = v if src == dtypes.f64 else arith.extf(f64, v)
    ty = element_type(dst)
    r = (arith.fptosi if dst.is_signed_int else arith.fptoui)(ty, x)
    # Out-of-range conversions are poison in LLVM; the selects replace them.
    big = arith.cmpf(F.OGE, x, constant(f64, float(dst.max_value())))
    small = arith.cmpf(F.OLE, x, constant(f64, float(dst.min_value())))
    nan = arith.cmpf(F.UNO, x, x)
    r = arith.select(big, constant(ty, dst.max_value()), r)
    r = arith.select(small, constant(ty, dst.min_value()), r)
    return arith.select(nan, constant(ty, 0), r)


def _float_to_float(v, src, dst):
    f32 = element_type(dtypes.f32)
    if src == dtypes.bf16:
        v, src = _bf16_to_f32(v), dtypes.f32
        if dst == src:
            return v
    if dst == dtypes.bf16:
        # From f64 through f32, as ml_dtypes rounds it.
        return _f32_to_bf16(v if src == dtypes.f32 else
                            (arith.extf if src.bits < 32 else arith.truncf)(f32, v))
    if dst.bits > src.bits:
        return arith.extf(element_type(dst), v)
    return arith.truncf(element_type(dst), v)


def _from_bool(b, dst):
    if dst.is_int:
        return arith.extui(element_type(dst), b)
    if dst.is_complex:
        re = _from_bool(b, dst.real)
        return cx.create_(element_type(dst), re, stored_const(dst.real, 0.0))
    return arith.select(b, stored_const(dst, 1.0), stored_const(dst, 0.0))


def from_index(v: ir.Value, dst: DType) -> ir.Value:
    """An `index` value (a loop position) as `dst`, converted like an s64."""
    return convert(arith.index_cast(element_type(dtypes.s64), v), dtypes.s64, dst)


# ---------------------------------------------------------------------------
# Arithmetic on compute values of dtype `dt`
# ---------------------------------------------------------------------------

def _by_kind(dt, *, i=None, u=None, f=None, c=None):
    if dt.is_complex:
        return c
    if dt.is_float:
        return f
    return u if (dt.is_unsigned and u is not None) else i


# Complex multiplication and division are written as numpy writes them
# (loops.c.src), where the complex dialect's lowering would recover infinities
# the C99 way and give other results for inf and nan parts.

def _complex_mul(dt, x, y):
    """(xr yr - xi yi, xr yi + xi yr)."""
    (xr, xi), (yr, yi) = (cx.re(x), cx.im(x)), (cx.re(y), cx.im(y))
    return cx.create_(compute_type(dt), arith.subf(arith.mulf(xr, yr), arith.mulf(xi, yi)),
                      arith.addf(arith.mulf(xr, yi), arith.mulf(xi, yr)))


def _complex_div(dt, x, y):
    """Smith's algorithm, with x / 0 giving (xr / 0, xi / 0)."""
    part = dt.real
    (xr, xi), (yr, yi) = (cx.re(x), cx.im(x)), (cx.re(y), cx.im(y))
    one, zero = const(part, 1), const(part, 0)
    abs_yr, abs_yi = math.absf(yr), math.absf(yi)
    rat1 = arith.divf(yi, yr)
    scl1 = arith.divf(one, arith.addf(yr, arith.mulf(yi, rat1)))
    wide = cx.create_(compute_type(dt), arith.mulf(arith.addf(xr, arith.mulf(xi, rat1)), scl1),
                      arith.mulf(arith.subf(xi, arith.mulf(xr, rat1)), scl1))
    rat2 = arith.divf(yr, yi)
    scl2 = arith.divf(one, arith.addf(yi, arith.mulf(yr, rat2)))
    tall = cx.create_(compute_type(dt), arith.mulf(arith.addf(arith.mulf(xr, rat2), xi), scl2),
                      arith.mulf(arith.subf(arith.mulf(xi, rat2), xr), scl2))
    by_zero = arith.andi(compare(part, "eq", abs_yr, zero), compare(part, "eq", abs_yi, zero))
    r = arith.select(compare(part, "ge", abs_yr, abs_yi), wide, tall)
    return arith.select(by_zero, cx.create_(compute_type(dt), arith.divf(xr, abs_yr),
                                            arith.divf(xi, abs_yi)), r)


def add(dt, x, y):
    return _by_kind(dt, i=arith.addi, f=arith.addf, c=cx.add)(x, y)


def sub(dt, x, y):
    return _by_kind(dt, i=arith.subi, f=arith.subf, c=cx.sub)(x, y)


def mul(dt, x, y):
    if dt.is_complex:
        return _complex_mul(dt, x, y)
    return _by_kind(dt, i=arith.muli, f=arith.mulf)(x, y)


def div(dt, x, y):
    """Floating or complex division (IEEE: x / 0 is inf or nan)."""
    return _complex_div(dt, x, y) if dt.is_complex else arith.divf(x, y)


def neg(dt, x):
    if dt.is_int:
        return arith.subi(const(dt, 0), x)
    return arith.negf(x) if dt.is_float else cx.neg(x)


def maximum(dt, x, y):
    """The larger value; NaN propagates."""
    return _by_kind(dt, i=arith.maxsi, u=arith.maxui, f=arith.maximumf)(x, y)


def minimum(dt, x, y):
    return _by_kind(dt, i=arith.minsi, u=arith.minui, f=arith.minimumf)(x, y)


_ORDER = {
    # name: (signed, unsigned, float)
    "eq": (I.eq, I.eq, F.OEQ),
    "ne": (I.ne, I.ne, F.UNE),
    "lt": (I.slt, I.ult, F.OLT),
    "le": (I.sle, I.ule, F.OLE),
    "gt": (I.sgt, I.ugt, F.OGT),
    "ge": (I.sge, I.uge, F.OGE),
}


def compare(dt, how, x, y):
    """An i1 comparison; NaN compares unequal and unordered, as in numpy."""
    if dt.is_complex:
        part = dt.real
        eq = arith.andi(compare(part, "eq", cx.re(x), cx.re(y)),
                        compare(part, "eq", cx.im(x), cx.im(y)))
        return eq if how == "eq" else arith.xori(eq, true())
    s, u, f = _ORDER[how]
    if dt.is_float:
        return arith.cmpf(f, x, y)
    return arith.cmpi(u if dt.is_unsigned else s, x, y)


def is_nan(dt, x):
    return arith.cmpf(F.UNO, x, x)


def truth(v: ir.Value, dt: DType) -> ir.Value:
    """`element != 0` for a storage value of `dt` (NaN is true), as an i1."""
    if dt.is_complex:
        part = dt.real
        return arith.ori(truth(cx.re(v), part), truth(cx.im(v), part))
    x = load(v, dt)
    return compare(compute_dtype(dt), "ne", x, const(dt, 0))
