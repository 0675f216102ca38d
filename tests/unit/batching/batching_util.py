"""Helpers of the batching tests: one-op functions, random data, and the loop oracle.

The oracle runs the unbatched function on each entry (a slice of every batched
argument) with the interpreter and stacks the results: it never sees a
batching rule.
"""
import numpy as np

from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir.builder import Builder
from nxc.compiler.ir.core import Module
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.types import TensorType
from oracles.inputs import random_array

TOLERANCE = {T.f16: 4e-3, T.bf16: 2e-2, T.f32: 2e-5, T.f64: 1e-11, T.c64: 2e-5, T.c128: 1e-11}


def function(types, body, names=None, fname="f"):
    """A function of `types` whose body is `body(builder, *params)` (a value or a list)."""
    b = Builder()
    fn = b.function(Module(), fname, list(types), names)
    with b.at(fn.body):
        out = body(b, *fn.params)
        b.terminate("return", out if isinstance(out, list) else [out])
    return fn


def one_op(name, types, attrs):
    return function(types, lambda b, *xs: b.op(name, *xs, **attrs))


def batched_input(t: TensorType, axis, size, rng):
    """Random data for an argument of entry type `t` batched at `axis` (None: unbatched)."""
    if axis is None:
        return random_array(t, rng)
    shape = t.shape[:axis] + (size,) + t.shape[axis:]
    return random_array(TensorType(t.dtype, shape), rng)


def loop_oracle(fn, args, in_axes, size, out_axes=0):
    """Run `fn` on entry i of each batched argument, for every i; stack each result."""
    if in_axes is None or isinstance(in_axes, int):
        in_axes = [in_axes] * len(args)
    per_entry = []
    for i in range(size):
        entry = [a if ax is None else np.take(a, i, axis=ax) for a, ax in zip(args, in_axes)]
        per_entry.append(run_function(fn, *entry))
    outs = []
    for k in range(len(fn.result_types)):
        ax = out_axes if isinstance(out_axes, int) else out_axes[k]
        outs.append(np.stack([r[k] for r in per_entry], axis=ax))
    return outs


def assert_same(got, want, dtype, what=""):
    assert got.dtype == want.dtype, f"{what}: dtype {got.dtype}, loop gives {want.dtype}"
    assert got.shape == want.shape, f"{what}: shape {got.shape}, loop gives {want.shape}"
    if dtype.is_int:
        np.testing.assert_array_equal(got, want, err_msg=what)
        return
    wide = np.complex128 if dtype.is_complex else np.float64
    tol = TOLERANCE[dtype]
    np.testing.assert_allclose(got.astype(wide), want.astype(wide), rtol=tol, atol=tol,
                               equal_nan=True, err_msg=what)
