"""`nx.grad`, `nx.value_and_grad`, `nx.stop_grad` and `nx.custom_grad` (docs/autodiff.md).

    def loss(w, x):
        return nx.sum(nx.tanh(nx.dot(x, w)))

    dw = nx.grad(loss)(w, x)                       # the gradient for w
    l, (dw, dx) = nx.value_and_grad(loss, (0, 1))(w, x)

`f` is a `@nx.defn` function (the frontend lowers it for the call's argument
types and options) or a Python function written with `nx.*` calls, which is
called once per argument types on values being traced to build its IR.
argnums follows JAX: an int gives one gradient, a tuple gives a tuple. Called
with tensors, arrays or numbers, the gradient is computed (by the interpreter
for now); called with values being traced (inside a defn being built, or
inside another grad), the gradient IR is inlined where it is called, so grads
nest: `nx.grad(nx.grad(f))`.
"""
from __future__ import annotations

import numpy as np

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.builder import Builder, cast_array, is_number
from nxc.compiler.ir.core import Block, Module, Value
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.types import TensorType
from nxc.compiler.passes.grad import grad_function
from nxc.compiler.passes.grad.driver import fit
from nxc.compiler.passes.inline import inline
from nxc.runtime.errors import ArgumentError

from ._dispatch import apply, building, current_builder


def grad(f, argnums=0, *, max_iters=None):
    """A function that returns the gradient of `f`'s result with respect to the
    arguments `argnums` (the gradient of the sum when the result is not a scalar).

    `max_iters` sizes the buffer that saves while-loop states for the backward
    pass (docs/autodiff.md); gradients are exact whatever it is.
    """
    return GradFunction(f, argnums, False, max_iters)


def value_and_grad(f, argnums=0, *, max_iters=None):
    """Like `grad`, but the function returns `(f's result, gradients)`."""
    return GradFunction(f, argnums, True, max_iters)


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
    from .tensor import to_array
    return b.constant(x) if is_number(x) else b.constant(np.asarray(to_array(x)))


class GradFunction:
    """The callable that `grad` and `value_and_grad` return."""

    def __init__(self, f, argnums, with_value, max_iters):
        if not callable(f):
            raise ArgumentError(f"grad takes a function, got {type(f).__name__}")
        if not isinstance(argnums, (int, tuple, list)) or isinstance(argnums, bool):
            raise ArgumentError(f"argnums must be an int or a tuple of ints, got {argnums!r}")
        self.f = f
        self.argnums = tuple(argnums) if isinstance(argnums, list) else argnums
        self.with_value = with_value
        self.max_iters = max_iters
        self._cache = {}

    def __repr__(self):
        kind = "value_and_grad" if self.with_value else "grad"
        return f"<{kind} of {getattr(self.f, '__name__', self.f)!r}, argnums={self.argnums!r}>"

    def __call__(self, *args, **options):
        if any(isinstance(a, Value) for a in args):
            b = current_builder()
            values = [_traced(b, a) for a in args]
            outs = inline(self.function([v.type for v in values], options), b, values)
        else:
            from .tensor import Tensor
            arrays, types = zip(*(_argument(a) for a in args)) if args else ((), ())
            fn = self.function(list(types), options)
            outs = [Tensor._wrap(o, t.names)
                    for o, t in zip(run_function(fn, *arrays), fn.result_types)]
        grads = outs[1:] if self.with_value else outs
        grads = tuple(grads) if isinstance(self.argnums, tuple) else grads[0]
        return (outs[0], grads) if self.with_value else grads

    def function(self, types, options):
        """The gradient IR function for arguments of `types` (built once per types and options)."""
        key = (tuple(types), tuple(sorted(options.items())))
        if key not in self._cache:
            self._cache[key] = grad_function(self._forward(types, options), self.argnums,
                                             self.with_value, max_iters=self.max_iters)
        return self._cache[key]

    def _forward(self, types, options):
        from .defn import DefnFunction
        if isinstance(self.f, DefnFunction):
            return self.f.specialize(*types, **options).function
        name = getattr(self.f, "__name__", "f")
        b = Builder()
        fn = b.function(Module(), name if name.isidentifier() else "f", types)
        with building(b), b.at(fn.body):
            try:
                out = self.f(*fn.params, **options)
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
            b.terminate("return", [_traced(b, out)])
        return fn


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
