"""Arguments of a compiled function: accepted forms, and the checks they must pass.

An argument is a numpy array, an object with `__array__` (an `nx.Tensor`) or
`__dlpack__` (a CPU tensor of another library), a numpy scalar, or a Python
number for a scalar parameter (typed as Nx types literals: int -> s32,
float -> f32, bool -> u8, complex -> c64). The dtype must be the parameter's
exactly: nothing is cast (a numpy bool array stands for u8, and non-native
byte order is swapped, which keep every value). Rank, static sizes and the
sizes of symbolic dimensions (equal wherever they appear, and at least what
the function needs) are checked. Non-contiguous or unaligned data is copied
into a contiguous buffer, never read with the wrong strides.
"""
from __future__ import annotations

import numpy as np

from .dtypes import NUMPY, name_of
from .errors import ArgumentError

_LITERAL = ((bool, "u8"), (int, "s32"), (float, "f32"), (complex, "c64"))


def _describe(x) -> str:
    a = getattr(x, "dtype", None)
    shape = getattr(x, "shape", None)
    if a is not None and shape is not None:
        return f"{type(x).__name__} of {name_of(a) if isinstance(a, np.dtype) else a} " \
               f"with shape {tuple(shape)}"
    return f"{type(x).__name__} {x!r}"[:120]


def as_array(fn: str, name: str, spec, x) -> np.ndarray:
    """`x` as a numpy array, or an ArgumentError naming the parameter."""
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, (bool, int, float, complex)):
        literal = next(t for kind, t in _LITERAL if isinstance(x, kind))
        if spec.shape or literal != spec.dtype:
            raise ArgumentError(f"{fn}: argument {name} must be {spec}, got the Python "
                                f"{type(x).__name__} {x!r} (a {literal} literal); pass an "
                                f"array of {spec.dtype}")
        return np.asarray(x, dtype=NUMPY[literal])
    if isinstance(x, np.generic):
        return np.asarray(x)
    errors = []
    if hasattr(x, "__array__"):
        try:
            return np.asarray(x)
        except Exception as e:  # e.g. a GPU tensor that will not copy to the host
            errors.append(str(e))
    if hasattr(x, "__dlpack__"):
        try:
            return np.from_dlpack(x)
        except Exception as e:
            errors.append(str(e))
    why = f" ({'; '.join(errors)})" if errors else ""
    raise ArgumentError(f"{fn}: argument {name} must be {spec} (a numpy array, a tensor "
                        f"or an object with __array__ or __dlpack__), got {_describe(x)}{why}")


def check(fn: str, name: str, spec, a: np.ndarray, dims: dict, owner: dict) -> np.ndarray:
    """Check `a` against `spec`, binding symbolic sizes in `dims` (first binder in
    `owner`); returns a C-contiguous, aligned array of exactly the parameter's dtype."""
    want = NUMPY[spec.dtype]
    if a.dtype != want:
        if a.dtype == np.bool_ and spec.dtype == "u8":
            a = a.view(np.uint8)
        elif a.dtype.newbyteorder("=") == want:
            a = a.astype(want)
        else:
            raise ArgumentError(
                f"{fn}: argument {name} must be {spec}, got an array of {name_of(a.dtype)} "
                f"with shape {a.shape}; nxc does not cast arguments (use astype)")
    check_shape(fn, name, spec, a.shape, dims, owner)
    return np.require(a, requirements=("C", "A"))


def check_shape(fn: str, name: str, spec, shape: tuple, dims: dict, owner: dict):
    """Check rank and sizes of `shape` against `spec`, binding symbolic sizes."""
    if len(shape) != len(spec.shape):
        raise ArgumentError(f"{fn}: argument {name} must be {spec} (rank {len(spec.shape)}), "
                            f"got an array of rank {len(shape)} with shape {shape}")
    for axis, (d, n) in enumerate(zip(spec.shape, shape)):
        if isinstance(d, str):
            seen = dims.setdefault(d, n)
            if seen != n:
                raise ArgumentError(
                    f"{fn}: argument {name} axis {axis} is dimension ?{d}, which argument "
                    f"{owner[d]} set to {seen}, but it has size {n} (shape {shape})")
            owner.setdefault(d, name)
        elif d != n:
            raise ArgumentError(f"{fn}: argument {name} must be {spec}, got shape {shape} "
                                f"(axis {axis} has size {n}, expected {d})")


def check_constraints(fn: str, constraints, dims: dict, owner: dict):
    for dim, minimum, reason in constraints:
        if dims[dim] < minimum:
            raise ArgumentError(f"{fn}: dimension ?{dim} (from argument {owner[dim]}) is "
                                f"{dims[dim]}, but the function needs at least {minimum}: "
                                f"{reason}")


def result_shape(spec, dims: dict) -> tuple:
    return tuple(dims[d] if isinstance(d, str) else d for d in spec.shape)
