"""One entry point for every op call, eager or traced.

`apply("add", x, 1)` runs the op's reference rule on host data when no operand
is an IR value (eager mode), and appends an op to the IR being built when one is
(inside `defn`, where the frontend installs a builder with `building`). The Nx
API in `nxc` is written once against `apply`, so eager and compiled code share
every rule: promotion, broadcasting, names, options.

In traced mode, host data among the operands (numpy arrays, numpy scalars,
`nx.Tensor`s) becomes `constant` ops of its own type (a Tensor's axis names
kept), so a Python function traced by `nx.grad` or `nx.vmap` may mix arrays it
holds with the values being traced. Python numbers stay numbers: they take
their type from the tensors beside them (Nx's rule), as in eager mode.
"""
from __future__ import annotations

import contextlib
import contextvars
import inspect

import numpy as np

from nxc.compiler.ir import registry
from nxc.compiler.ir.builder import Builder, cast_array, is_number
from nxc.compiler.ir.core import UNKNOWN, Loc, Value
from nxc.compiler.ir.types import TensorType
from nxc.compiler.ir import dtypes
from nxc.compiler.passes.batching import vectorized
from nxc.runtime.errors import ArgumentError

_BUILDER: contextvars.ContextVar[Builder | None] = contextvars.ContextVar("nxc_builder", default=None)


@contextlib.contextmanager
def building(builder: Builder):
    """Within this block, ops on IR values are appended through `builder`."""
    token = _BUILDER.set(builder)
    try:
        yield builder
    finally:
        _BUILDER.reset(token)


def current_builder() -> Builder | None:
    return _BUILDER.get()


def apply(name, /, *operands, regions=(), **attrs):
    """Apply op `name`; returns one result, or a list when the op has several."""
    if any(isinstance(x, vectorized.Vectorized) for x in operands):  # nx.vectorize
        return vectorized.apply(apply, name, operands, attrs, regions)
    if any(isinstance(x, Value) for x in operands) or (not operands and _BUILDER.get()):
        b = _BUILDER.get()
        if b is None:
            raise ArgumentError(f"{name}: an IR value was used outside of a defn being built")
        operands = [host_constant(b, x) if is_host_data(x) else x for x in operands]
        return b.op(name, *operands, regions=regions, **attrs)
    return _eager(name, operands, attrs)


def is_host_data(x) -> bool:
    """A tensor's data on the host: a numpy array or scalar, or an `nx.Tensor`."""
    from .tensor import Tensor
    return isinstance(x, (np.ndarray, np.generic, Tensor))


def host_constant(b: Builder, x) -> Value:
    """Host data as a constant of the function being built (a Tensor keeps its names)."""
    from .tensor import to_array
    value = b.constant(to_array(x))
    names = _names_of(x)
    if names is not None and any(names):
        value = b.op("reshape", value, shape=value.type.shape, names=names)
    return value


def _eager(name, operands, attrs):
    from .tensor import Tensor, to_array

    opdef = registry.get(name)
    # Tensors become arrays; Python numbers take the type Nx gives them beside
    # the tensors (the tensor's type when the number fits).
    mixed = [x if is_number(x) else to_array(x) for x in operands]
    scalar_types = opdef.scalar_dtypes(
        mixed, lambda x: isinstance(x, np.ndarray), lambda a: dtypes.from_numpy(a.dtype))
    arrays = [cast_array(np.asarray(x), t) if t is not None else x
              for x, t in zip(mixed, scalar_types)]
    types = [TensorType(dtypes.from_numpy(a.dtype), a.shape, _names_of(x))
             for a, x in zip(arrays, operands)]
    attrs = opdef.canonicalize(types, attrs)
    result_types = opdef.result_types(types, attrs)
    outs = registry.execute(opdef, arrays, attrs, result_types)
    res = [Tensor._wrap(o, t.names) for o, t in zip(outs, result_types)]
    return res[0] if len(res) == 1 else res


def _names_of(x):
    names = getattr(x, "names", None)
    return tuple(names) if names is not None else None


def function_loc(f) -> Loc:
    """Where a function given to a transformation (grad, vmap) is defined, when nxc
    knows it: a defn's `def` or lambda, through its `loc`; unknown otherwise. The
    IR function traced from `f` is located there, and so are the ops the
    transformation derives from its parameters and result."""
    loc = getattr(f, "loc", None)
    return loc if isinstance(loc, Loc) else UNKNOWN


def parameter_names(f, count=None) -> list:
    """The names of `f`'s positional parameters, as far as they are known: its
    `parameter_names` (defns, transformed functions), else its Python
    signature's. With `count`, exactly that many, None where unknown: the
    names of the parameters of an IR function traced from `f`."""
    names = getattr(f, "parameter_names", None)
    if names is None:
        try:
            params = inspect.signature(f).parameters.values()
        except (TypeError, ValueError):  # no signature to read
            params = []
        kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        names = [p.name for p in params if p.kind in kinds]
    if count is None:
        return list(names)
    names = list(names)[:count]
    return names + [None] * (count - len(names))
