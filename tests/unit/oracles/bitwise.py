"""Oracles for the bitwise ops and bitcast, on Python ints (two's complement by
hand) and on the bytes of each element (struct)."""
import struct

import numpy as np

from nxc.compiler.ir import dtypes as T

from .numbers import py, wrap


def _type(a):
    return T.from_numpy(np.asarray(a).dtype)


def _ints(fn, arity):
    """fn(*python ints, bits, signed) on operands converted to their promoted type."""
    def oracle(*xs):
        t = _type(xs[0]) if arity == 1 else T.promote(_type(xs[0]), _type(xs[1]))
        conv = [np.frompyfunc(lambda v: wrap(int(v), t), 1, 1)(py(x)) for x in xs]
        out = np.frompyfunc(lambda *vs: wrap(fn(*vs, t.bits), t), arity, 1)(*conv)
        return np.asarray(out, dtype=object).astype(t.numpy)
    return oracle


def _left(a, b, bits):
    return a << b if 0 <= b < bits else 0


def _right(a, b, bits):
    if 0 <= b < bits:
        return a >> b  # Python's >> is arithmetic; unsigned values are non-negative
    return -1 if a < 0 else 0


def _popcount(a, bits):
    return bin(a % (1 << bits)).count("1")


def _clz(a, bits):
    return bits - (a % (1 << bits)).bit_length()


_FORMAT = {T.u8: "B", T.u16: "H", T.u32: "I", T.u64: "Q", T.s8: "b", T.s16: "h",
           T.s32: "i", T.s64: "q", T.f16: "e", T.f32: "f", T.f64: "d"}


def _to_bytes(v, t):
    if t == T.bf16:  # the high half of the f32 holding the value exactly
        return struct.pack("<f", float(v))[2:]
    return struct.pack("<" + _FORMAT[t], v)


def _from_bytes(b, t):
    if t == T.bf16:
        return struct.unpack("<f", b"\0\0" + b)[0]
    return struct.unpack("<" + _FORMAT[t], b)[0]


def _bitcast(x, *, type):
    src = _type(x)
    vals = [_from_bytes(_to_bytes(v, src), type) for v in py(x).ravel().tolist()]
    kind = object if type.is_int else np.float64
    return np.array(vals, dtype=kind).reshape(x.shape)


ORACLES = {
    "bitwise_and": _ints(lambda a, b, bits: a & b, 2),
    "bitwise_or": _ints(lambda a, b, bits: a | b, 2),
    "bitwise_xor": _ints(lambda a, b, bits: a ^ b, 2),
    "left_shift": _ints(_left, 2),
    "right_shift": _ints(_right, 2),
    "bitwise_not": _ints(lambda a, bits: ~a, 1),
    "population_count": _ints(_popcount, 1),
    "count_leading_zeros": _ints(_clz, 1),
    "bitcast": _bitcast,
}
