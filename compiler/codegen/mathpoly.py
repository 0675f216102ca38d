"""f32 math functions as polynomials in arith ops, so that LLVM vectorizes them.

A call to libm (`expf`, `tanhf`) inside a loop keeps the loop scalar; these
expansions are straight-line code on one element (no branches: both sides of a
case are computed and one is selected), which the loop vectorizer turns into
AVX2/AVX-512 code. Each is within 2 ulp of the correctly rounded result over the
whole f32 range, subnormals, infinities and NaN included (the accuracy test,
tests/unit/codegen/test_mathpoly.py, checks every case against numpy and the
math module).

The coefficients are Cephes' (exp, log) and Norbert Juffa's (erf) minimax
polynomials for f32; tanh's and expm1's are near-minimax fits of our own
(Lawson-weighted least squares in float64, then rounded to f32), and both were
checked against float64 numpy over all 2 ** 32 f32 inputs (tanh at most 2 ulp,
expm1 1 ulp). log1p is fdlibm's algorithm on log's code (1 ulp over all 2 ** 32
inputs). Multiply-adds carry the `contract` flag so that LLVM may fuse
them where the CPU has FMA (the range reductions multiply by a constant of 9
bits, exactly, so fusing changes nothing there). The bounds are those of code
with FMA (every x86-64 CPU since 2013, every AArch64 CPU): compiled without
it (`--features -fma`) the separately rounded products put tanh 3 ulp off
on rare inputs (x = 0.12512 is one).
"""
from __future__ import annotations

import math as pymath

from mlir import ir
from mlir.dialects import arith, math

F = arith.CmpFPredicate

LOG2E = 1.44269504088896341
LN2_HI, LN2_LO = 0.693359375, -2.12194440e-4  # LN2_HI has 9 bits: n * LN2_HI is exact
SQRT_HALF = 0.707106781186547524
FLT_MIN = 1.17549435e-38  # the smallest normal f32
ROUNDER, ROUNDER_BITS = 12582912.0, 0x4B400000  # 1.5 * 2 ** 23 and its bits

EXP_P = (1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2,
         1.6666665459e-1, 5.0000001201e-1)
LOG_P = (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1,
         1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1,
         3.3333331174e-1)
# G(r) = (e ** 2r - 1 - 2r) / r**2 on |r| <= ln2 / 4, relative error 1.3e-7 (its
# part of e ** 2r - 1 is at most |r| = 0.17 of it: 0.4 ulp at worst).
TANH_G = (8.896822482e-02, 2.676205039e-01, 6.666696668e-01, 1.333326221e+00, 2.0)
# G(r) = (e ** r - 1 - r) / r**2 on |r| <= ln2 / 2, relative error 1.0e-8.
EXPM1_G = (1.985779963e-04, 1.393359737e-03, 8.333360776e-03, 4.166646674e-02,
           1.666666716e-01, 0.5)
TANH_CLAMP = 9.1  # tanh(x) > 1 - 2 ** -25 from 9.011: rounds to 1
# tanh's rounder: the sum's low 9 bits are k + 127, the biased exponent of 2 ** k.
TANH_ROUNDER = ROUNDER + 127.0
ERF_SMALL_P = (-5.96761703e-4, 4.99119423e-3, -2.67681349e-2, 1.12819925e-1,
               -3.76125336e-1, 1.28379166e-1)


def _f32():
    return ir.F32Type.get()


def _i32():
    return ir.IntegerType.get_signless(32)


def _c(value: float) -> ir.Value:
    return arith.constant(_f32(), ir.FloatAttr.get(_f32(), value))


def _ci(value: int) -> ir.Value:
    return arith.constant(_i32(), ir.IntegerAttr.get(_i32(), value))


def _contract():
    return ir.Attribute.parse("#arith.fastmath<contract>")


def _madd(a, b, c):
    """a * b + c, fusable into one FMA."""
    fm = _contract()
    return arith.addf(arith.mulf(a, b, fastmath=fm), c, fastmath=fm)


def _horner(x, coeffs):
    """The polynomial with `coeffs` (highest degree first) at x, in x's type."""
    t = x.type
    r = arith.constant(t, ir.FloatAttr.get(t, coeffs[0]))
    for k in coeffs[1:]:
        r = _madd(r, x, arith.constant(t, ir.FloatAttr.get(t, k)))
    return r


def _pow2(k):
    """2 ** k for an i32 k in [-126, 127], from its exponent bits."""
    bits = arith.shli(arith.addi(k, _ci(127)), _ci(23))
    return arith.bitcast(_f32(), bits)


def _exp_parts(x):
    """(p, k) with e ** x = p 2 ** k, |p - 1| < 0.42: x = k ln2 + r, |r| <= ln2 / 2,
    and p = e ** r by a degree-7 polynomial. x must lie in [-104, 88.8] (or be NaN)."""
    # k = round(x / ln2) by adding 1.5 * 2 ** 23 (whose ulp is 1): the sum's low
    # bits are k as an integer, with no float -> int conversion (undefined for NaN).
    shifted = _madd(x, _c(LOG2E), _c(ROUNDER))
    n = arith.subf(shifted, _c(ROUNDER))
    k = arith.subi(arith.bitcast(_i32(), shifted), _ci(ROUNDER_BITS))
    r = _madd(n, _c(-LN2_HI), x)
    r = _madd(n, _c(-LN2_LO), r)
    return _horner(r, EXP_P + (1.0, 1.0)), k


def exp(x: ir.Value) -> ir.Value:
    """e ** x, 2 ** k applied as two factors so that results down to 2 ** -149
    (subnormal) and up to overflow round once."""
    # Below -104 the result is 0, above 88.8 it overflows to inf, both through
    # the arithmetic itself; the clamps let NaN through (comparisons are false).
    xc = arith.select(arith.cmpf(F.OLT, x, _c(-104.0)), _c(-104.0), x)
    xc = arith.select(arith.cmpf(F.OGT, xc, _c(88.8)), _c(88.8), xc)
    p, k = _exp_parts(xc)
    k1 = arith.shrsi(k, _ci(1))
    return arith.mulf(arith.mulf(p, _pow2(k1)), _pow2(arith.subi(k, k1)))


def _exp_normal(x):
    """e ** x for x in [-87, 88] (a normal result): 2 ** k added to p's exponent
    bits. A NaN x gives garbage: callers select another value for it."""
    p, k = _exp_parts(x)
    bits = arith.addi(arith.bitcast(_i32(), p), arith.shli(k, _ci(23)))
    return arith.bitcast(_f32(), bits)


def _log_split(u):
    """(f, e) with u = (1 + f) 2 ** e, 1 + f in [sqrt(1/2), sqrt(2)), for a normal
    positive u; e is an f32."""
    bits = arith.bitcast(_i32(), u)
    e = arith.subi(arith.andi(arith.shrui(bits, _ci(23)), _ci(0xFF)), _ci(126))
    m = arith.bitcast(_f32(), arith.ori(arith.andi(bits, _ci(0x007FFFFF)), _ci(0x3F000000)))
    low = arith.cmpf(F.OLT, m, _c(SQRT_HALF))  # m in [0.5, 1): use 2m instead
    e = arith.sitofp(_f32(), arith.select(low, arith.subi(e, _ci(1)), e))
    one = _c(1.0)
    return arith.select(low, arith.subf(arith.addf(m, m), one), arith.subf(m, one)), e


def _log_sum(f, e, c=None):
    """ln(1 + f) + e ln2 + c by Cephes' polynomial in f, c a correction far below
    the result's ulp."""
    z = arith.mulf(f, f)
    y = arith.mulf(arith.mulf(_horner(f, LOG_P), f), z)
    y = arith.addf(y, arith.mulf(e, _c(LN2_LO)))
    if c is not None:
        y = arith.addf(y, c)
    y = arith.subf(y, arith.mulf(z, _c(0.5)))
    return arith.addf(arith.addf(f, y), arith.mulf(e, _c(LN2_HI)))


def _log_specials(x, r, lower):
    """r, but NaN below `lower`, -inf at it, inf at inf, NaN for NaN."""
    r = arith.select(arith.cmpf(F.OLT, x, _c(lower)), _c(pymath.nan), r)
    r = arith.select(arith.cmpf(F.OEQ, x, _c(lower)), _c(-pymath.inf), r)
    r = arith.select(arith.cmpf(F.OEQ, x, _c(pymath.inf)), x, r)
    return arith.select(arith.cmpf(F.UNO, x, x), x, r)


def log(x: ir.Value) -> ir.Value:
    """ln x: x = m 2 ** e with m in [sqrt(1/2), sqrt(2)); ln(m) by a polynomial in
    m - 1; subnormals are scaled by 2 ** 23 first."""
    tiny = arith.cmpf(F.OLT, x, _c(FLT_MIN))
    f, e = _log_split(arith.select(tiny, arith.mulf(x, _c(8388608.0)), x))
    e = arith.select(tiny, arith.subf(e, _c(23.0)), e)
    # ln of a negative number is NaN, of +-0 -inf, of inf inf; NaN stays.
    return _log_specials(x, _log_sum(f, e), 0.0)


def _log1p_parts(x, split, c):
    """(f, e, correction) with 1 + x = (1 + f) 2 ** e (1 + correction), after
    fdlibm's log1p: u = 1 + x rounded; where e = 0, f = x itself (exact);
    elsewhere f comes from u and the rounding error of u, computed exactly
    (Fast2Sum: the operand of larger magnitude first), enters as a correction
    divided by u. `split` and `c` are the type's _log_split and constant."""
    one = c(1.0)
    u = arith.addf(one, x)
    f, e = split(u)
    error = arith.select(arith.cmpf(F.OGT, x, one),
                         arith.subf(one, arith.subf(u, x)), arith.subf(x, arith.subf(u, one)))
    near = arith.cmpf(F.OEQ, e, c(0.0))
    return (arith.select(near, x, f), e,
            arith.select(near, c(0.0), arith.divf(error, u)))


def log1p(x: ir.Value) -> ir.Value:
    """ln(1 + x) without the rounding of 1 + x: log's polynomial on f of
    _log1p_parts, its correction added with the small terms. -1 gives -inf,
    below NaN; +-0 comes back with its sign (and any x with 1 + x = 1: x)."""
    f, e, correction = _log1p_parts(x, _log_split, _c)
    r = _log_sum(f, e, correction)
    r = arith.select(arith.cmpf(F.OEQ, x, _c(0.0)), x, r)
    return _log_specials(x, r, -1.0)


def tanh(x: ir.Value) -> ir.Value:
    """t / (t + 2) with t = e ** 2|x| - 1, the sign put back last (tanh(-0) is -0).

    One formula over the whole range, no cancellation: t = 2 ** k (e ** 2r - 1)
    + (2 ** k - 1) with 2|x| = 2r + k ln2, |r| <= ln2 / 4, and e ** 2r - 1 =
    2r + r**2 G(r), exact for k = 0 but for the small product. Past |x| = 9.1
    tanh rounds to 1 (t + 2 rounds to t there), and 2 ** k stays normal.

    r takes one FMA with ln2 / 2 rounded to f32 (9.5e-10 off), not the two
    steps of exp: the error it puts into t, a relative 2k 9.5e-10 at k <= 26,
    reaches the quotient damped by 2 / (t + 2), under 0.1 ulp."""
    a = math.absf(x)
    # NaN passes the clamp (the comparison is false) and stays NaN throughout.
    a = arith.select(arith.cmpf(F.OGT, a, _c(TANH_CLAMP)), _c(TANH_CLAMP), a)
    shifted = _madd(a, _c(2 * LOG2E), _c(TANH_ROUNDER))
    n = arith.subf(shifted, _c(TANH_ROUNDER))
    r = _madd(n, _c(-pymath.log(2) / 2), a)
    em1 = _madd(arith.mulf(r, r), _horner(r, TANH_G), arith.addf(r, r))
    # 2 ** k: the low 9 bits, k + 127, moved into the exponent field.
    scale = arith.bitcast(_f32(), arith.shli(arith.bitcast(_i32(), shifted), _ci(23)))
    t = _madd(scale, em1, arith.subf(scale, _c(1.0)))
    return math.copysign(arith.divf(t, arith.addf(t, _c(2.0))), x)


def expm1(x: ir.Value) -> ir.Value:
    """e ** x - 1 = 2 ** k (e ** r - 1) + (2 ** k - 1) with x = r + k ln2,
    |r| <= ln2 / 2, and e ** r - 1 = r + r**2 G(r): exact for k = 0 but for the
    small product, one rounding at the end otherwise. The result has the sign
    of x (-0 included)."""
    # Below -18 the result rounds to -1, from 88.73 on it overflows to inf;
    # NaN passes the clamps (comparisons are false).
    xc = arith.select(arith.cmpf(F.OLT, x, _c(-18.0)), _c(-18.0), x)
    xc = arith.select(arith.cmpf(F.OGT, xc, _c(88.8)), _c(88.8), xc)
    shifted = _madd(xc, _c(LOG2E), _c(ROUNDER))
    n = arith.subf(shifted, _c(ROUNDER))
    r = _madd(n, _c(-LN2_HI), xc)
    r = _madd(n, _c(-LN2_LO), r)
    em1 = _madd(arith.mulf(r, r), _horner(r, EXPM1_G), r)
    # k reaches 128, where 2 ** k is no f32: there half the result,
    # 2 ** (k - 1) (e ** r - 1) + (2 ** (k - 1) - 1/2), is computed and doubled.
    k_bits = arith.shli(arith.bitcast(_i32(), shifted), _ci(23))
    top = arith.cmpf(F.OGT, n, _c(127.0))
    one_bits = arith.select(top, _ci(0x3F000000), _ci(0x3F800000))  # 1/2 or 1
    scale = arith.bitcast(_f32(), arith.addi(k_bits, one_bits))
    t = _madd(scale, em1, arith.subf(scale, arith.select(top, _c(0.5), _c(1.0))))
    t = arith.mulf(t, arith.select(top, _c(2.0), _c(1.0)))
    return math.copysign(t, x)


def sigmoid(x: ir.Value) -> ir.Value:
    """1 / (1 + e) for x >= 0, e / (1 + e) below, with e = e ** -|x|: e never
    overflows, so tiny results keep their precision."""
    one = _c(1.0)
    e = exp(arith.negf(math.absf(x)))
    numerator = arith.select(arith.cmpf(F.OLT, x, _c(0.0)), e, one)
    return arith.divf(numerator, arith.addf(one, e))


def erf(x: ir.Value) -> ir.Value:
    """x P(x**2) for |x| <= 0.9277; beyond, sign(x) (1 - e ** Q(|x|)) with Q a
    polynomial whose last term is -|x| (Juffa's erff, 1 ulp)."""
    t = math.absf(x)
    s = arith.mulf(x, x)
    r = _madd(_c(-1.72853470e-5), t, _c(3.83197126e-4))
    u = _madd(_c(-3.88396438e-3), t, _c(2.42546219e-2))
    r = _madd(r, s, u)
    for k in (-1.06777877e-1, -6.34846687e-1, -1.28717512e-1):
        r = _madd(r, t, _c(k))
    r = _madd(r, t, arith.negf(t))
    # Below -30, 1 - e ** r rounds to 1: e stays normal. NaN takes the small side.
    r = arith.select(arith.cmpf(F.OLT, r, _c(-30.0)), _c(-30.0), r)
    big = math.copysign(arith.subf(_c(1.0), _exp_normal(r)), x)
    small = _madd(_horner(s, ERF_SMALL_P), x, x)
    return arith.select(arith.cmpf(F.OGT, t, _c(0.927734375)), big, small)


# Op name -> expansion, used by the element-wise lowerings for f32 (and for
# f16/bf16, which compute in f32).
F32 = {"exp": exp, "expm1": expm1, "log": log, "log1p": log1p, "tanh": tanh,
       "sigmoid": sigmoid, "erf": erf}
