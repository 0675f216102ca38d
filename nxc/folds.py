"""`nx.reduce` and `nx.window_reduce`: reductions with a reducer function
(compiler/ir/ops/folds.py).

    nx.reduce(t, 0, lambda x, acc: nx.add(x, acc), axes=[1])

The reducer is a `@nx.defn`, a Python function of nx.* calls, or a lambda
(inside a defn, any local function); it is called once, on two scalars of the
result type (element, acc), to build the region that compiled code runs for
every element. The result type is tensor's and acc's promoted (acc may be a
Python number, typed as Nx types numbers next to a tensor). Eagerly, the
function is traced the same way and the region interpreted. Neither op is
differentiable (as in Nx); wrap the value in nx.stop_grad or nx.custom_grad.
"""
from __future__ import annotations

import numpy as np

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.builder import Builder, is_number
from nxc.compiler.ir.core import Block, Module, Value
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.types import TensorType
from nxc.runtime.errors import ArgumentError, ShapeError

from ._dispatch import building, current_builder, host_constant
from ._types import type_of

__all__ = ["reduce", "window_reduce"]


def reduce(tensor, acc, fn, axes=None, keep_axes=False, type=None):
    """Folds the elements of `tensor` over `axes` (all by default) with
    `fn(element, acc)`, starting from the scalar `acc`, in row-major order.
    The result has tensor's and acc's promoted type, or `type` when given."""
    return _fold("reduce", tensor, acc, fn, {"axes": axes, "keep_axes": keep_axes}, type)


def window_reduce(tensor, acc, window_dimensions, fn, strides=1, padding="valid",
                  window_dilations=1):
    """Folds each window of `tensor` with `fn(element, acc)`, starting from the
    scalar `acc`; padding holds acc. Window options as in nx.window_sum."""
    window = tuple(window_dimensions) if isinstance(window_dimensions, list) \
        else window_dimensions
    return _fold("window_reduce", tensor, acc, fn,
                 {"window_dimensions": window, "strides": strides, "padding": padding,
                  "window_dilations": window_dilations})


def _result_dtype(tensor, acc, type=None):
    if type is not None:
        return dtypes.parse(type)
    t = type_of(tensor).dtype
    return dtypes.promote_scalar(t, acc) if is_number(acc) else dtypes.promote(
        t, type_of(acc).dtype)


def _fold(op, tensor, acc, fn, attrs, type=None):
    if not callable(fn):
        raise ArgumentError(f"{op} takes a reducer function (element, acc) -> acc, "
                            f"got {type(fn).__name__}")
    if any(isinstance(v, Value) for v in (tensor, acc)):
        return _build(current_builder(), op, tensor, acc, fn, attrs, type)
    from .tensor import Tensor, to_array
    dt = _result_dtype(tensor, acc, type)
    x = tensor if isinstance(tensor, Tensor) else Tensor(tensor)
    a = np.asarray(acc, dt.numpy) if is_number(acc) else to_array(acc)
    b = Builder()
    f = b.function(Module(), op, [x.type, TensorType(dtypes.from_numpy(a.dtype), a.shape)])
    with building(b), b.at(f.body):
        b.terminate("return", [_build(b, op, *f.params, fn, attrs, dt)])
    (out,) = run_function(f, to_array(x), a)
    return Tensor._wrap(out, f.result_types[0].names)


def _build(b, op, tensor, acc, fn, attrs, type=None):
    dt = _result_dtype(tensor, acc, type)
    x = _as(b, tensor, dt)
    a = b.constant(acc, dt) if is_number(acc) else _as(b, acc, dt)
    scalar = TensorType(dt, ())
    region = Block([scalar, scalar])
    with b.at(region):
        out = fn(*region.args)
        out = b.constant(out, dt) if is_number(out) else _as(b, out, dt)
        if out.type.shape != ():
            raise ShapeError(f"the {op} function must return a scalar, got {out.type}")
        if out.type.names != scalar.names:
            out = b.op("reshape", out, shape=())
        b.terminate("yield", [out])
    return b.op(op, x, a, regions=[region], **attrs)


def _as(b, v, dt):
    if not isinstance(v, Value):
        v = host_constant(b, v)
    return v if v.type.dtype == dt else b.op("as_type", v, type=dt)
