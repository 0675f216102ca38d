"""`nx.grad`, `nx.value_and_grad`, `nx.stop_grad` and `nx.custom_grad` (docs/autodiff.md).

    def loss(w, x):
        return nx.sum(nx.tanh(nx.dot(x, w)))

    dw = nx.grad(loss)(w, x)                       # the gradient for w
    l, (dw, dx) = nx.value_and_grad(loss, (0, 1))(w, x)

`f` is a `@nx.defn` function, a Python function written with `nx.*` calls, or
another transformed function (grad, vmap); it is called once per argument
types on values being traced to build its IR (a defn is lowered by the
frontend where it is called). argnums follows JAX: an int gives one gradient,
a tuple gives a tuple. Called with tensors, arrays or numbers, the gradient is
computed (by the interpreter for now); called with values being traced (inside
a defn being built, or inside another grad), the gradient IR is inlined where
it is called, so grads nest: `nx.grad(nx.grad(f))`.

Vectorized arguments (`nx.vectorize`) and results follow docs/batching.md
("Gradients"): the gradient with respect to an input that is not vectorized
like the result is one gradient per entry of the result.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.builder import Builder, cast_array, is_number
from nxc.compiler.ir.core import Block, Function, Module, Operation, Value
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.types import TensorType
from nxc.compiler.passes.batching.entry_grad import vectorized_grad_function
from nxc.compiler.passes.batching.vectorized import Vectorized
from nxc.compiler.passes.grad.driver import fit
from nxc.compiler.passes.inline import inline
from nxc.runtime.errors import ArgumentError

from ._dispatch import (apply, building, current_builder, function_loc, host_constant,
                        parameter_names)
from ._types import type_of


def grad(f, argnums=0, *, max_iters=None, segment_size=None):
    """A function that returns the gradient of `f`'s result with respect to the
    arguments `argnums` (the gradient of the sum when the result is not a scalar).

    `max_iters` sizes the buffer that saves while-loop states for the backward
    pass; `segment_size` makes for loops save one state per segment of that many
    iterations and recompute the rest (docs/autodiff.md). Gradients are exact
    whatever they are.
    """
    return GradFunction(f, argnums, False, max_iters=max_iters, segment_size=segment_size)


def value_and_grad(f, argnums=0, *, max_iters=None, segment_size=None):
    """Like `grad`, but the function returns `(f's result, gradients)`."""
    return GradFunction(f, argnums, True, max_iters=max_iters, segment_size=segment_size)


def stop_grad(tensor):
    """`tensor`, unchanged; gradients do not flow through it."""
    return apply("stop_grad", tensor)


def custom_grad(value, inputs, fn):
    """`value`, whose gradient with respect to each of `inputs` is given by `fn`.

    `fn` receives the gradient flowing into `value` and returns one gradient per
    input (summed over broadcast axes and converted to the input's type). What
    computed `value` is not differentiated. Outside a function being traced
    this just returns `value`.
    """
    if not isinstance(inputs, (list, tuple)):
        raise ArgumentError(f"custom_grad takes a list of inputs, got {type(inputs).__name__}")
    if any(isinstance(v, Vectorized) for v in (value, *inputs)):
        raise ArgumentError("custom_grad of vectorized tensors is not supported; give it the "
                            "devectorized tensors (nx.devectorize) and vectorize its result")
    if not any(isinstance(v, Value) for v in (value, *inputs)):
        from .tensor import Tensor
        return value if isinstance(value, Tensor) else Tensor(value)
    b = current_builder()
    value = _traced(b, value)
    inputs = [_traced(b, x) for x in inputs]
    region = Block([value.type])
    with b.at(region):
        grads = fn(region.args[0])
        grads = list(grads) if isinstance(grads, (list, tuple)) else [grads]
        if len(grads) != len(inputs):
            raise ArgumentError(f"the custom_grad function must return one gradient per input "
                                f"({len(inputs)}), got {len(grads)}")
        b.terminate("yield", [fit(b, _traced(b, g), x.type) for g, x in zip(grads, inputs)])
    return b.op("custom_grad", value, *inputs, regions=[region])


def _traced(b: Builder, x):
    """`x` as an IR value of the function being built (host data becomes a constant)."""
    if isinstance(x, Value):
        return x
    return b.constant(x) if is_number(x) else host_constant(b, x)


@dataclass
class Specialization:
    """A gradient function for given argument types, how its flat results nest, and
    the vectorized axes ((name, size), ...) that lead each of its results."""

    function: Function
    result_tree: object
    result_axes: list


class GradFunction:
    """The callable that `grad` and `value_and_grad` return."""

    def __init__(self, f, argnums, with_value, **options):
        if not callable(f):
            raise ArgumentError(f"grad takes a function, got {type(f).__name__}")
        if not isinstance(argnums, (int, tuple, list)) or isinstance(argnums, bool):
            raise ArgumentError(f"argnums must be an int or a tuple of ints, got {argnums!r}")
        self.f = f
        self.argnums = tuple(argnums) if isinstance(argnums, list) else argnums
        self.with_value = with_value
        self.options = options
        name = getattr(f, "__name__", None) or "function"
        self.__name__ = f"{'value_and_grad' if with_value else 'grad'}({name})"
        self._cache = {}

    def __repr__(self):
        kind = "value_and_grad" if self.with_value else "grad"
        return f"<{kind} of {getattr(self.f, '__name__', self.f)!r}, argnums={self.argnums!r}>"

    @property
    def loc(self):
        """Where the differentiated function is defined, when nxc knows it."""
        return function_loc(self.f)

    @property
    def parameter_names(self):
        return parameter_names(self.f)

    def __call__(self, *args, **options):
        axes = tuple(a.axes if isinstance(a, Vectorized) else () for a in args)
        args = [a.physical if isinstance(a, Vectorized) else a for a in args]
        if any(isinstance(a, Value) for a in args):
            b = current_builder()
            values = [_traced(b, a) for a in args]
            spec = self._specialize(tuple(v.type for v in values), options, axes)
            outs = inline(spec.function, b, values)
        else:
            from .tensor import Tensor
            arrays, types = zip(*(_argument(a) for a in args)) if args else ((), ())
            spec = self._specialize(tuple(types), options, axes)
            fn = spec.function
            outs = [Tensor._wrap(o, t.names)
                    for o, t in zip(run_function(fn, *arrays), fn.result_types)]
        outs = [Vectorized(o, a) if a else o for o, a in zip(outs, spec.result_axes)]
        grads = outs[1:] if self.with_value else outs
        grads = tuple(grads) if isinstance(self.argnums, tuple) else grads[0]
        return (outs[0], grads) if self.with_value else grads

    def specialize(self, *types, **options) -> Specialization:
        """The gradient IR function for arguments of these types (TensorTypes) and
        options of `f`: `.function` is its IR, `.result_tree` how its results nest
        (the value, then one gradient, or a tuple of them)."""
        types = tuple(t if isinstance(t, TensorType) else type_of(t) for t in types)
        return self._specialize(types, options, ((),) * len(types))

    def _specialize(self, types, options, axes) -> Specialization:
        """For arguments of physical `types` whose leading `axes` are vectorized."""
        key = (types, tuple(sorted(options.items())), axes)
        if key not in self._cache:
            fn, result_axes = self._forward(types, options, axes)
            g, out_axes = vectorized_grad_function(fn, self.argnums, self.with_value, axes,
                                                   result_axes, **self.options)
            tree = tuple([None] * len(self.argnums)) if isinstance(self.argnums, tuple) else None
            self._cache[key] = Specialization(g, (None, tree) if self.with_value else tree,
                                              out_axes)
        return self._cache[key]

    def _forward(self, types, options, axes):
        """`f` traced on parameters of `types` (vectorized over `axes`): the function
        to differentiate, and the vectorized axes of its result."""
        name = getattr(self.f, "__name__", "f")
        b = Builder(loc=function_loc(self.f))
        fn = b.function(Module(), name if name.isidentifier() else "f", list(types),
                        parameter_names(self.f, len(types)))
        with building(b), b.at(fn.body):
            params = [Vectorized(p, a) if a else p for p, a in zip(fn.params, axes)]
            try:
                out = self.f(*params, **options)
            except TypeError as e:
                if "Value" not in str(e):
                    raise
                raise ArgumentError(
                    f"{name} was called on values being traced and failed ({e}); a Python "
                    f"function given to grad must use nx.* functions, not operators on its "
                    f"arguments. Mark it @nx.defn to write operators") from None
            if isinstance(out, (tuple, list)):
                raise ArgumentError(f"grad needs a function with one result; {name} returns "
                                    f"{len(out)}")
            result_axes = out.axes if isinstance(out, Vectorized) else ()
            out = _traced(b, out.physical if isinstance(out, Vectorized) else out)
            b.terminate("return", [out], loc=_loc_of(out))
        return fn, result_axes


def _loc_of(v: Value):
    """Where a traced result is computed (None for a parameter: the builder's location)."""
    return v.owner.loc if isinstance(v.owner, Operation) else None


def _argument(a):
    """(array, type) of an eager argument; Python numbers take their Nx literal type."""
    from .tensor import Tensor, to_array
    if is_number(a):
        t = dtypes.scalar_type(a)
        return cast_array(np.asarray(a), t), TensorType(t, ())
    if isinstance(a, (Tensor, np.ndarray, np.generic)):
        array = to_array(a)
        return array, TensorType(dtypes.from_numpy(array.dtype), array.shape,
                                 getattr(a, "names", None))
    raise ArgumentError(f"grad: arguments must be tensors, numpy arrays or numbers, "
                        f"got {type(a).__name__}")
