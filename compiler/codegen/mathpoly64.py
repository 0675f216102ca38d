"""f64 math functions as polynomials in arith ops, so that LLVM vectorizes them.

The f64 counterpart of mathpoly.py (read it first): straight-line code on one
element, both sides of every case computed and one selected, so a loop over
them vectorizes (AVX2: 4 lanes) where a libm call (`exp`, `tanh`) keeps it
scalar. Error bounds, in ulp of the exact result, over the whole f64 range,
subnormals, +-0, +-inf, NaN and the switch points included: exp, log, log1p 1,
expm1, tanh and erf 1.5, sigmoid 2.5 (its exp, 1 + e and the division: three
roundings). tests/unit/codegen/test_mathpoly64.py checks them on 640,000
points a function against long double (erf: against glibc's, allowing for its
own ulp); the maxima measured there and on 12 million more random points (the
worst confirmed with mpmath at 160 bits): exp 0.99, expm1 1.16, log 0.82, tanh
1.33, sigmoid 2.15, log1p 0.83; erf 0.78 against mpmath on 52,000 points.

exp, expm1 and tanh share one range reduction, x = r + k ln2 with |r| <= ln2 / 2
(ln2 in two parts after Cody and Waite: n * LN2_HI is exact for |n| < 2 ** 21),
and one polynomial, Q(r) = (e ** r - 1 - r) / r**2, its Taylor series: to r**11
for exp and tanh, where |r| <= ln2 / 2 (the truncation error of r**2 Q(r) is
below 1.2e-17 of e ** r - 1, a tenth of an ulp), to r**14 for expm1, which takes
k = 0 up to |x| = ln2 (below 9.3e-18 there): 2 ** k (e ** r - 1) + (2 ** k - 1)
cancels for k = +-1 and r of the other sign, which would cost an ulp.
log is fdlibm's e_log.c (Sun Microsystems): its algorithm and its minimax
coefficients Lg1..Lg7 (log1p its s_log1p.c on the same code), erf fdlibm's
s_erf.c (its four rational functions).
tanh below 0.625 is Cephes' tanh.c rational function (Moshier). Each published
approximation was checked in exact arithmetic with mpmath (relative errors
below 1.4e-17). All are rewritten here in arith ops.
"""
from __future__ import annotations

import math as pymath

from mlir import ir
from mlir.dialects import arith, math

from .mathpoly import _horner, _log1p_parts, _madd

F = arith.CmpFPredicate

LOG2E = 1.4426950408889634
LN2_HI, LN2_LO = 6.93147180369123816490e-01, 1.90821492927058770002e-10  # fdlibm's split
LN2 = 0.6931471805599453
SQRT_HALF = 0.70710678118654752440
DBL_MIN = 2.2250738585072014e-308  # the smallest normal f64
ROUNDER, ROUNDER_BITS = 6755399441055744.0, 0x4338000000000000  # 1.5 * 2 ** 52, its bits
ONE_BITS = 0x3FF0000000000000

# (e ** r - 1 - r) / r**2 = sum r ** j / (j + 2)!, highest power first.
EXPM1_Q = tuple(1.0 / pymath.factorial(j + 2) for j in range(14, -1, -1))
EXP_Q = EXPM1_Q[3:]  # to r**11
# fdlibm e_log.c: log(1 + f) = 2s + s R(s**2) with s = f / (2 + f), R(z) = Lg1 z + ... + Lg7 z**7.
LOG_LG = (1.479819860511658591e-01, 1.531383769920937332e-01, 1.818357216161805012e-01,
          2.222219843214978396e-01, 2.857142874366239149e-01, 3.999999999940941908e-01,
          6.666666666666735130e-01)

EXP_LO, EXP_HI = -746.0, 710.0  # e ** x rounds to 0 below, overflows above
EXPM1_LO = -38.0  # e ** x - 1 rounds to -1 below: e ** -38 < 2 ** -54
# Cephes tanh.c: tanh(x) = x + x**3 P(x**2) / Q(x**2) for |x| < 0.625.
TANH_P = (-9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3)
TANH_Q = (1.0, 1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3)
TANH_SMALL = 0.625
TANH_CLAMP = 19.1  # tanh(x) > 1 - 2 ** -54 from 19.06 on: rounds to 1

# fdlibm s_erf.c, highest power first: erf(x) = x + x PP(x**2) / QQ(x**2) below
# 0.84375, ERF_ERX + PA(s) / QA(s) with s = |x| - 1 below 1.25, and
# 1 - e ** (-x**2 - 0.5625 + R(s) / S(s)) / |x| with s = 1 / x**2 and (R, S) =
# (RA, SA) below 1 / 0.35, (RB, SB) below 6 (erfc, relative error at most 3e-18).
ERF_ERX = 8.45062911510467529297e-01
ERF_PP = (-2.37630166566501626084e-05, -5.77027029648944159157e-03, -2.84817495755985104766e-02,
          -3.25042107247001499370e-01, 1.28379167095512558561e-01)
ERF_QQ = (-3.96022827877536812320e-06, 1.32494738004321644526e-04, 5.08130628187576562776e-03,
          6.50222499887672944485e-02, 3.97917223959155352819e-01, 1.0)
ERF_PA = (-2.16637559486879084300e-03, 3.54783043256182359371e-02, -1.10894694282396677476e-01,
          3.18346619901161753674e-01, -3.72207876035701323847e-01, 4.14856118683748331666e-01,
          -2.36211856075265944077e-03)
ERF_QA = (1.19844998467991074170e-02, 1.36370839120290507362e-02, 1.26171219808761642112e-01,
          7.18286544141962662868e-02, 5.40397917702171048937e-01, 1.06420880400844228286e-01, 1.0)
ERF_RA = (-9.81432934416914548592e+00, -8.12874355063065934246e+01, -1.84605092906711035994e+02,
          -1.62396669462573470355e+02, -6.23753324503260060396e+01, -1.05586262253232909814e+01,
          -6.93858572707181764372e-01, -9.86494403484714822705e-03)
ERF_SA = (-6.04244152148580987438e-02, 6.57024977031928170135e+00, 1.08635005541779435134e+02,
          4.29008140027567833386e+02, 6.45387271733267880336e+02, 4.34565877475229228821e+02,
          1.37657754143519042600e+02, 1.96512716674392571292e+01, 1.0)
ERF_RB = (-4.83519191608651397019e+02, -1.02509513161107724954e+03, -6.37566443368389627722e+02,
          -1.60636384855821916062e+02, -1.77579549177547519889e+01, -7.99283237680523006574e-01,
          -9.86494292470009928597e-03)
ERF_SB = (-2.24409524465858183362e+01, 4.74528541206955367215e+02, 2.55305040643316442583e+03,
          3.19985821950859553908e+03, 1.53672958608443695994e+03, 3.25792512996573918826e+02,
          3.03380607434824582924e+01, 1.0)
ERF_ONE = 6.0  # erf(x) rounds to 1 from 5.92 on


def _f64():
    return ir.F64Type.get()


def _i64():
    return ir.IntegerType.get_signless(64)


def _c(value: float) -> ir.Value:
    return arith.constant(_f64(), ir.FloatAttr.get(_f64(), value))


def _ci(value: int) -> ir.Value:
    return arith.constant(_i64(), ir.IntegerAttr.get(_i64(), value))


def _clamp(x, lo, hi):
    """x limited to [lo, hi]; NaN passes (the comparisons are false)."""
    x = arith.select(arith.cmpf(F.OLT, x, _c(lo)), _c(lo), x)
    return arith.select(arith.cmpf(F.OGT, x, _c(hi)), _c(hi), x)


def _reduce(x):
    """(r, n, shifted) with x = r + n ln2, |r| <= ln2 / 2, n integral, and
    `shifted` = n + 1.5 * 2 ** 52, whose low bits hold n as an integer (no
    float -> int conversion, undefined for NaN). |x| must be below 2 ** 51."""
    shifted = _madd(x, _c(LOG2E), _c(ROUNDER))
    n = arith.subf(shifted, _c(ROUNDER))
    r = _madd(n, _c(-LN2_HI), x)
    return _madd(n, _c(-LN2_LO), r), n, shifted


def _em1(r, q=EXPM1_Q):
    """e ** r - 1 = r + r**2 Q(r): exact but for the small product's roundings."""
    return _madd(arith.mulf(r, r), _horner(r, q), r)


def _pow2(k):
    """2 ** k for an i64 k in [-1022, 1023], from its exponent bits."""
    return arith.bitcast(_f64(), arith.shli(arith.addi(k, _ci(1023)), _ci(52)))


def _scale_bits(shifted, one_bits):
    """The f64 bits of 2 ** n * (the f64 whose bits are one_bits): n << 52 is the
    low bits of `shifted` moved up, ROUNDER_BITS << 52 wrapping to 0."""
    return arith.addi(arith.shli(arith.bitcast(_i64(), shifted), _ci(52)), one_bits)


def exp(x: ir.Value) -> ir.Value:
    """e ** x = (1 + em1(r)) 2 ** k, 2 ** k applied as two factors so that results
    from 2 ** -1074 (subnormal) up to overflow round once."""
    r, _, shifted = _reduce(_clamp(x, EXP_LO, EXP_HI))
    p = arith.addf(_em1(r, EXP_Q), _c(1.0))
    k = arith.subi(arith.bitcast(_i64(), shifted), _ci(ROUNDER_BITS))
    k1 = arith.shrsi(k, _ci(1))
    return arith.mulf(arith.mulf(p, _pow2(k1)), _pow2(arith.subi(k, k1)))


def expm1(x: ir.Value) -> ir.Value:
    """e ** x - 1 = 2 ** k em1(r) + (2 ** k - 1); em1(x) itself (k = 0) for
    |x| < ln2. The result has the sign of x (-0 included).

    k reaches 1024, where 2 ** k is no f64: there half the result,
    2 ** (k - 1) em1(r) + (2 ** (k - 1) - 1/2), is computed and doubled."""
    xc = _clamp(x, EXPM1_LO, EXP_HI)
    r, n, shifted = _reduce(xc)
    top = arith.cmpf(F.OGT, n, _c(1023.0))
    scale = arith.bitcast(_f64(), _scale_bits(
        shifted, arith.select(top, _ci(0x3FE0000000000000), _ci(ONE_BITS))))
    near = arith.cmpf(F.OLT, math.absf(xc), _c(LN2))  # NaN: false, and NaN throughout
    r = arith.select(near, xc, r)
    scale = arith.select(near, _c(1.0), scale)
    t = _madd(scale, _em1(r), arith.subf(scale, arith.select(top, _c(0.5), _c(1.0))))
    return math.copysign(arith.mulf(t, arith.select(top, _c(2.0), _c(1.0))), x)


def tanh(x: ir.Value) -> ir.Value:
    """b + n / d, one division for both sides, the sign put back last:

    - below |x| = 0.625, Cephes' rational function |x| + |x| z P(z) / Q(z),
      z = x**2, whose second term is at most a ninth of the result (t / (t + 2)
      there would add its three roundings to em1's: 2.1 ulp);
    - above, 1 - 2 / (t + 2) with t = e ** 2|x| - 1 = 2 ** k em1(r) + (2 ** k - 1)
      (k >= 2: no cancellation); 2 / (t + 2) is below 0.45 of the result.

    Past |x| = 19.1 tanh rounds to 1. Subnormal x and NaN come back from the
    rational side (|x| + |x|**3 ... = |x|)."""
    a = math.absf(x)
    clamped = arith.select(arith.cmpf(F.OGT, a, _c(TANH_CLAMP)), _c(TANH_CLAMP), a)
    r, _, shifted = _reduce(arith.addf(clamped, clamped))
    scale = arith.bitcast(_f64(), _scale_bits(shifted, _ci(ONE_BITS)))
    t = _madd(scale, _em1(r, EXP_Q), arith.subf(scale, _c(1.0)))
    z = arith.mulf(a, a)
    big = arith.cmpf(F.OGE, a, _c(TANH_SMALL))
    base = arith.select(big, _c(1.0), a)
    numerator = arith.select(big, _c(-2.0), arith.mulf(arith.mulf(a, z), _horner(z, TANH_P)))
    denominator = arith.select(big, arith.addf(t, _c(2.0)), _horner(z, TANH_Q))
    return math.copysign(arith.addf(base, arith.divf(numerator, denominator)), x)


def _log_split(u):
    """(f, e) with u = (1 + f) 2 ** e, 1 + f in [sqrt(1/2), sqrt(2)), for a normal
    positive u; e is an f64."""
    bits = arith.bitcast(_i64(), u)
    e = arith.subi(arith.andi(arith.shrui(bits, _ci(52)), _ci(0x7FF)), _ci(1022))
    m = arith.bitcast(_f64(), arith.ori(arith.andi(bits, _ci(0x000FFFFFFFFFFFFF)),
                                        _ci(0x3FE0000000000000)))  # m in [0.5, 1)
    low = arith.cmpf(F.OLT, m, _c(SQRT_HALF))  # use 2m, in [sqrt(1/2), 1), instead
    e = arith.sitofp(_f64(), arith.select(low, arith.subi(e, _ci(1)), e))
    one = _c(1.0)
    return arith.select(low, arith.subf(arith.addf(m, m), one), arith.subf(m, one)), e


def _log_sum(f, e, c=None):
    """ln(1 + f) + e ln2 + c as fdlibm computes it: f - (f**2 / 2 - s (f**2 / 2
    + R)) with s = f / (2 + f), c (a correction far below the result's ulp)
    added with the low part of e ln2."""
    s = arith.divf(f, arith.addf(f, _c(2.0)))
    z = arith.mulf(s, s)
    big_r = arith.mulf(_horner(z, LOG_LG), z)
    hfsq = arith.mulf(arith.mulf(f, f), _c(0.5))
    low = arith.mulf(e, _c(LN2_LO))
    if c is not None:
        low = arith.addf(low, c)
    inner = _madd(s, arith.addf(hfsq, big_r), low)
    return arith.subf(arith.mulf(e, _c(LN2_HI)), arith.subf(arith.subf(hfsq, inner), f))


def _log_specials(x, r, lower):
    """r, but NaN below `lower`, -inf at it, inf at inf, NaN for NaN."""
    r = arith.select(arith.cmpf(F.OLT, x, _c(lower)), _c(pymath.nan), r)
    r = arith.select(arith.cmpf(F.OEQ, x, _c(lower)), _c(-pymath.inf), r)
    r = arith.select(arith.cmpf(F.OEQ, x, _c(pymath.inf)), x, r)
    return arith.select(arith.cmpf(F.UNO, x, x), x, r)


def log(x: ir.Value) -> ir.Value:
    """ln x: x = (1 + f) 2 ** e with 1 + f in [sqrt(1/2), sqrt(2)), subnormals
    scaled by 2 ** 54 first; ln(1 + f) as fdlibm's __ieee754_log computes it."""
    tiny = arith.cmpf(F.OLT, x, _c(DBL_MIN))
    f, e = _log_split(arith.select(tiny, arith.mulf(x, _c(2.0 ** 54)), x))
    e = arith.select(tiny, arith.subf(e, _c(54.0)), e)
    # ln of a negative number is NaN, of +-0 -inf, of inf inf; NaN stays.
    return _log_specials(x, _log_sum(f, e), 0.0)


def log1p(x: ir.Value) -> ir.Value:
    """ln(1 + x) as fdlibm's log1p computes it (mathpoly._log1p_parts): log's
    formula on f, the rounding of 1 + x as a correction. -1 gives -inf, below
    NaN; +-0 comes back with its sign (and any x with 1 + x = 1: x)."""
    f, e, correction = _log1p_parts(x, _log_split, _c)
    r = _log_sum(f, e, correction)
    r = arith.select(arith.cmpf(F.OEQ, x, _c(0.0)), x, r)
    return _log_specials(x, r, -1.0)


def sigmoid(x: ir.Value) -> ir.Value:
    """1 / (1 + e) for x >= 0, e / (1 + e) below, with e = e ** -|x| (never
    overflows, so tiny results keep their precision)."""
    one = _c(1.0)
    e = exp(arith.negf(math.absf(x)))
    numerator = arith.select(arith.cmpf(F.OLT, x, _c(0.0)), e, one)
    return arith.divf(numerator, arith.addf(one, e))


def _pad(coeffs, n):
    return (0.0,) * (n - len(coeffs)) + coeffs


ERF_NUMERATORS = [_pad(c, 8) for c in (ERF_PP, ERF_PA, ERF_RA, ERF_RB)]
ERF_DENOMINATORS = [_pad(c, 9) for c in (ERF_QQ, ERF_QA, ERF_SA, ERF_SB)]


def _horner_by_region(s, tables, regions):
    """A polynomial in s, evaluated once for every lane, whose coefficients
    are selected per lane: `regions` are nested predicates (each implies the
    one before it), and the coefficients are tables[i] where i of them hold."""
    def coefficient(k):
        c = _c(tables[0][k])
        for table, region in zip(tables[1:], regions):
            c = arith.select(region, _c(table[k]), c)
        return c
    r = coefficient(0)
    for k in range(1, len(tables[0])):
        r = _madd(r, s, coefficient(k))
    return r


def erf(x: ir.Value) -> ir.Value:
    """fdlibm's erf on four intervals of |x|, branch-free: the interval picks
    the argument and the coefficients of one rational function P(s) / Q(s)
    (one division for all four), and then how it enters the result.

    On the two outer intervals fdlibm splits e ** -x**2 into two exponentials
    to keep x**2 exact; erf only needs erfc to a few ulp of its own (it is at
    most 0.077 of the result there), so one e ** (-x**2 - 0.5625 + P / Q) will
    do. Past 6 erf rounds to 1 (|x| is clamped); NaN takes the first interval
    and stays NaN; -0 and subnormals keep their sign."""
    a = math.absf(x)
    a = arith.select(arith.cmpf(F.OGT, a, _c(ERF_ONE)), _c(ERF_ONE), a)
    regions = [arith.cmpf(F.OGE, a, _c(v)) for v in (0.84375, 1.25, 1 / 0.35)]
    z = arith.mulf(a, a)
    s = arith.select(regions[1], arith.divf(_c(1.0), z),
                     arith.select(regions[0], arith.subf(a, _c(1.0)), z))
    q = arith.divf(_horner_by_region(s, ERF_NUMERATORS, regions),
                   _horner_by_region(s, ERF_DENOMINATORS, regions))
    e = exp(arith.subf(arith.subf(q, _c(0.5625)), z))
    tail = arith.subf(_c(1.0), arith.divf(e, a))
    r = arith.select(regions[1], tail,
                     arith.select(regions[0], arith.addf(_c(ERF_ERX), q), _madd(a, q, a)))
    return math.copysign(r, x)


# Op name -> expansion, used by the element-wise lowerings for f64.
F64 = {"exp": exp, "expm1": expm1, "log": log, "log1p": log1p, "tanh": tanh, "sigmoid": sigmoid,
       "erf": erf}
