"""Conversions follow Nx: integers wrap, float -> int truncates and saturates, NaN -> 0."""
import numpy as np
import pytest

from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir.ops.cast import convert


def test_integers_wrap():
    assert convert(np.array([300, -129, 255]), T.s8).tolist() == [44, 127, -1]
    assert convert(np.array([-1, 256]), T.u8).tolist() == [255, 0]


def test_float_to_int_truncates_and_saturates():
    x = np.array([1.9, -1.9, np.inf, -np.inf, np.nan, 1e10, -1e10, 127.5, -128.9])
    assert convert(x, T.s8).tolist() == [1, -1, 127, -128, 0, 127, -128, 127, -128]
    assert convert(x, T.u8).tolist() == [1, 0, 255, 0, 0, 255, 0, 127, 0]
    big = np.array([2.0**63, -2.0**63, 2.0**64, np.nan])
    assert convert(big, T.s64).tolist() == [2**63 - 1, -2**63, 2**63 - 1, 0]
    assert convert(big, T.u64).tolist() == [2**63, 0, 2**64 - 1, 0]


def test_half_precision_sources_saturate_too():
    x = np.array([np.inf, -np.inf, np.nan, 3.7], dtype=np.float16)
    assert convert(x, T.s16).tolist() == [32767, -32768, 0, 3]
    xb = x.astype(T.bf16.numpy)
    assert convert(xb, T.s32).tolist() == [2**31 - 1, -2**31, 0, 3]


def test_complex_to_real_keeps_real_part():
    z = np.array([1.5 + 2j, -3.25 - 1j])
    assert convert(z, T.f32).tolist() == [1.5, -3.25]
    assert convert(z, T.s32).tolist() == [1, -3]


def test_real_to_complex_and_bf16():
    assert convert(np.array([1, 2], np.int32), T.c64).tolist() == [1 + 0j, 2 + 0j]
    b = convert(np.array([1.0 + 2**-9, 3]), T.bf16)  # rounds to nearest even
    assert b.dtype == T.bf16.numpy and b.astype(np.float64).tolist() == [1.0, 3.0]
    assert convert(np.array([7], np.int64), T.bf16).astype(np.float32).tolist() == [7.0]


@pytest.mark.parametrize("t", T.ALL)
def test_every_type_is_reachable(t):
    out = convert(np.arange(4), t)
    assert out.dtype == t.numpy
    assert np.real(out.astype(np.complex128)).tolist() == [0, 1, 2, 3]
