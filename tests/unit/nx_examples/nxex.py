"""Nx's documented examples (the doctests of nx/lib/nx.ex and nx/lib/nx/constants.ex)
reproduced in Python.

An example is a function of tensors, its arguments, and what the doctest
shows: the values (nested lists; NaN and infinities as Python floats), the
type's name and the axis names. `check` runs the function eagerly and as an
`@nx.defn` compiled for the CPU through the JIT; both must show the doctest's
values, type and names. Floats are compared with a relative tolerance: the
doctests print f32 values that two math libraries may round one ulp apart.
"""
from dataclasses import dataclass

import numpy as np
import pytest

import nxc as nx


@dataclass(frozen=True)
class Example:
    fn: object
    args: tuple
    want: object
    type: str
    names: tuple | None = None
    rtol: float = 1e-6


def example(id, fn, args, want, type, names=None, rtol=1e-6):
    """One doctest as a pytest parameter: `fn(*args)` shows `want` of `type` and `names`."""
    return pytest.param(Example(fn, tuple(args), want, type,
                                None if names is None else tuple(names), rtol), id=id)


def assert_shows(got, ex: Example, how: str):
    assert isinstance(got, nx.Tensor), f"{how}: got {type(got).__name__}, not a tensor"
    assert got.dtype.name == ex.type, f"{how}: type {got.dtype.name}, Nx shows {ex.type}"
    names = ex.names if ex.names is not None else (None,) * got.rank
    assert tuple(got.names) == names, f"{how}: names {got.names}, Nx shows {names}"
    want = np.array(ex.want, dtype=object if got.dtype.is_int else None)
    value = np.asarray(got)
    assert value.shape == want.shape, f"{how}: shape {value.shape}, Nx shows {want.shape}"
    if got.dtype.is_int:
        assert value.astype(object).tolist() == want.tolist(), how
        return
    wide = np.complex128 if got.dtype.is_complex else np.float64
    np.testing.assert_allclose(value.astype(wide), want.astype(wide), rtol=ex.rtol, atol=0,
                               equal_nan=True, err_msg=how)
    # Signed zeros and infinities are part of what the doctest shows.
    for part in ("real", "imag") if got.dtype.is_complex else ("real",):
        g, w = getattr(value.astype(wide), part), getattr(want.astype(wide), part)
        exact = (w == 0) | np.isinf(w)
        assert (np.signbit(g[exact]) == np.signbit(w[exact])).all(), f"{how}: signed zero"


def check(ex: Example):
    assert_shows(ex.fn(*ex.args), ex, "eager")
    assert_shows(nx.defn(ex.fn)(*ex.args), ex, "compiled")
