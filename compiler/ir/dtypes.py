"""Nx tensor types and the promotion rules between them, in one table.

Every rule that decides the type of a result lives here: binary promotion,
promotion with Python numbers, the float type of math on integers, the widened
types of sum/product, and the index type of argmax/argmin.
"""
from __future__ import annotations

from dataclasses import dataclass

import ml_dtypes
import numpy as np

from nxc.runtime.errors import DTypeError

# Kind precedence of Nx: c > f > bf > s > u.
_KIND_RANK = {"u": 0, "s": 1, "bf": 2, "f": 3, "c": 4}


@dataclass(frozen=True)
class DType:
    kind: str  # "u", "s", "f", "bf" or "c"
    bits: int

    @property
    def name(self) -> str:
        return f"{self.kind}{self.bits}"

    def __repr__(self):
        return self.name

    __str__ = __repr__

    @property
    def is_int(self):
        return self.kind in ("u", "s")

    @property
    def is_unsigned(self):
        return self.kind == "u"

    @property
    def is_signed_int(self):
        return self.kind == "s"

    @property
    def is_float(self):
        """Real floating point (f16, bf16, f32, f64)."""
        return self.kind in ("f", "bf")

    @property
    def is_complex(self):
        return self.kind == "c"

    @property
    def is_inexact(self):
        return self.kind in ("f", "bf", "c")

    @property
    def numpy(self) -> np.dtype:
        return _NUMPY[self]

    @property
    def itemsize(self):
        return self.bits // 8

    @property
    def real(self) -> "DType":
        """The real type of a complex type (c64 -> f32); other types are their own."""
        return DType("f", self.bits // 2) if self.is_complex else self

    def min_value(self):
        if self.is_int:
            return int(np.iinfo(self.numpy).min)
        return -float("inf")

    def max_value(self):
        if self.is_int:
            return int(np.iinfo(self.numpy).max)
        return float("inf")

    def __getitem__(self, key):
        """An annotation, `f32[3, 4]`, `f32["n", 4]` or `f32["features": 784]`: a TensorType
        (see nxc.annotations)."""
        from nxc.annotations import annotation_type
        return annotation_type(self, key)

    # __getitem__ would otherwise make a DType iterable without end.
    __iter__ = None


u8, u16, u32, u64 = (DType("u", b) for b in (8, 16, 32, 64))
s8, s16, s32, s64 = (DType("s", b) for b in (8, 16, 32, 64))
f16, bf16, f32, f64 = DType("f", 16), DType("bf", 16), DType("f", 32), DType("f", 64)
c64, c128 = DType("c", 64), DType("c", 128)

ALL = (u8, u16, u32, u64, s8, s16, s32, s64, f16, bf16, f32, f64, c64, c128)
BY_NAME = {t.name: t for t in ALL}
UNSIGNED = tuple(t for t in ALL if t.is_unsigned)
SIGNED = tuple(t for t in ALL if t.is_signed_int)
INTEGER = UNSIGNED + SIGNED
FLOAT = (f16, bf16, f32, f64)
COMPLEX = (c64, c128)
REAL = INTEGER + FLOAT
INEXACT = FLOAT + COMPLEX

_NUMPY = {
    u8: np.dtype(np.uint8), u16: np.dtype(np.uint16), u32: np.dtype(np.uint32),
    u64: np.dtype(np.uint64), s8: np.dtype(np.int8), s16: np.dtype(np.int16),
    s32: np.dtype(np.int32), s64: np.dtype(np.int64), f16: np.dtype(np.float16),
    bf16: np.dtype(ml_dtypes.bfloat16), f32: np.dtype(np.float32),
    f64: np.dtype(np.float64), c64: np.dtype(np.complex64), c128: np.dtype(np.complex128),
}
_FROM_NUMPY = {v: k for k, v in _NUMPY.items()}

# The index type of argmax, argmin (and later argsort): s32 as in Nx.
INDEX = s32


def parse(name) -> DType:
    """A DType from a DType, an Nx name ("f32"), a numpy dtype, or Nx's tuple form."""
    if isinstance(name, DType):
        return name
    if isinstance(name, tuple) and len(name) == 2:
        name = f"{name[0]}{name[1]}"
    if isinstance(name, str):
        t = BY_NAME.get(name)
        if t is None:
            raise DTypeError(
                f"unknown type {name!r}; expected one of {', '.join(BY_NAME)}")
        return t
    if name is None:
        raise DTypeError(f"expected a type, got None; expected one of {', '.join(BY_NAME)}")
    try:
        return from_numpy(np.dtype(name))
    except TypeError:
        raise DTypeError(f"unknown type {name!r}; expected one of {', '.join(BY_NAME)}") from None


def from_numpy(dt: np.dtype) -> DType:
    dt = np.dtype(dt)
    if dt == np.bool_:
        return u8
    t = _FROM_NUMPY.get(dt)
    if t is None:
        raise DTypeError(f"numpy type {dt} has no Nx equivalent")
    return t


# ---------------------------------------------------------------------------
# Promotion: the one table.
# ---------------------------------------------------------------------------

def promote(a: DType, b: DType) -> DType:
    """The type of a binary operation between two tensors (Nx's merge)."""
    if a == b:
        return a
    if a.kind == b.kind:
        return a if a.bits >= b.bits else b
    ka, kb = _KIND_RANK[a.kind], _KIND_RANK[b.kind]
    hi, lo = (a, b) if ka > kb else (b, a)
    if hi.kind == "s" and lo.kind == "u":
        return DType("s", max(min(2 * lo.bits, 64), hi.bits))
    if hi.kind == "c" and lo.kind in ("f", "bf"):
        return DType("c", max(2 * lo.bits, hi.bits))
    if hi.kind == "f" and lo.kind == "bf":
        # f16 + bf16 = f16: the higher kind keeps its own size.
        return hi
    return hi


def promote_all(types) -> DType:
    types = list(types)
    out = types[0]
    for t in types[1:]:
        out = promote(out, t)
    return out


def _int_bits(value: int, signed: bool) -> int:
    for bits in (8, 16, 32, 64):
        lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
        if lo <= value <= hi:
            return bits
    return 64


def scalar_type(value) -> DType:
    """The type of a Python literal: bool -> u8, int -> s32, float -> f32, complex -> c64.

    Ints that do not fit s32 still give s32 (they wrap), as in Nx.
    """
    if isinstance(value, (bool, np.bool_)):
        return u8
    if isinstance(value, (int, np.integer)):
        return s32
    if isinstance(value, (float, np.floating)):
        return f32
    if isinstance(value, (complex, np.complexfloating)):
        return c64
    raise DTypeError(f"expected a number, got {type(value).__name__}")


def promote_scalar(t: DType, value) -> DType:
    """The type of a binary operation between a tensor of type `t` and a Python number.

    The tensor keeps its type when the number fits; an int that does not fit
    widens (u8 + 256 -> u16); a negative int makes unsigned signed (u8 + -1 -> s16);
    an int tensor with a float gives f32; complex numbers give complex.
    """
    if isinstance(value, (bool, np.bool_)):
        value = int(value)
    if isinstance(value, (int, np.integer)):
        value = int(value)
        if t.kind == "u":
            if value >= 0:
                return DType("u", max(t.bits, _int_bits(value, False)))
            return promote_scalar(DType("s", min(2 * t.bits, 64)), value)
        if t.kind == "s":
            return DType("s", max(t.bits, _int_bits(value, True)))
        return t
    if isinstance(value, (float, np.floating)):
        return t if t.is_inexact else f32
    if isinstance(value, (complex, np.complexfloating)):
        if t.is_complex:
            return t
        if t == f64:
            return c128
        return c64
    raise DTypeError(f"expected a number, got {type(value).__name__}")


def to_float(t: DType) -> DType:
    """The result type of divide and unary math: integers become f32."""
    return f32 if t.is_int else t


def to_real(t: DType) -> DType:
    """The result type of abs/real/imag: complex becomes its real type."""
    return t.real


def reduction_type(t: DType) -> DType:
    """sum/product widen small integers: s8/s16 -> s32, u8/u16/u32 -> u32, u64 -> s64."""
    if t in (s8, s16):
        return s32
    if t in (u8, u16, u32):
        return u32
    if t == u64:
        return s64
    return t


def to_complex(t: DType) -> DType:
    """The complex type with `t`'s precision (f64 -> c128, others -> c64)."""
    if t.is_complex:
        return t
    return c128 if t == f64 else c64
