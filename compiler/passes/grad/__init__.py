"""Automatic differentiation as an IR-to-IR transformation (docs/autodiff.md).

`grad_function(fn, argnums)` returns a new function with fn's parameters that
returns the gradients of fn's result with respect to the parameters in
`argnums` (or the result, then the gradients, with `with_value=True`). A
non-scalar result is seeded with ones: the gradient of its sum. The rules are
in vjp_rules.py, the walk in driver.py; the new function is simplified
(constant folding, CSE, DCE) before it is returned.
"""
from __future__ import annotations

from nxc.runtime.errors import ArgumentError, DTypeError

from ...ir.builder import Builder
from ...ir.core import Block, Function, Module
from ..base import Pass
from ..simplify import simplify_function
from .driver import Differentiator


def normalize_argnums(argnums, count, fname="the function"):
    """`argnums` (an int or a tuple of ints, negative counting from the end) as a tuple."""
    single = isinstance(argnums, int) and not isinstance(argnums, bool)
    nums = (argnums,) if single else argnums
    if not isinstance(nums, (tuple, list)) or not nums or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in nums):
        raise ArgumentError(f"argnums must be an int or a non-empty tuple of ints, got {argnums!r}")
    out = []
    for i in nums:
        if not -count <= i < count:
            raise ArgumentError(f"argnums {argnums!r} is out of range: {fname} takes "
                                f"{count} argument(s)")
        out.append(i % count)
    if len(set(out)) != len(out):
        raise ArgumentError(f"argnums {argnums!r} repeats an argument")
    return tuple(out)


def grad_function(fn: Function, argnums=0, with_value=False, *, max_iters=None,
                  segment_size=None, name=None) -> Function:
    """The gradient of `fn`'s result with respect to its parameters `argnums`.

    The new function takes fn's parameters and returns one gradient per entry
    of `argnums`, each of its parameter's type (integer parameters get zeros),
    preceded by fn's result when `with_value`. `max_iters` sizes the buffer
    that saves while-loop states; `segment_size` makes for loops save one state
    per segment of that many iterations and recompute the others (driver.py).
    Neither changes the result.
    """
    nums = normalize_argnums(argnums, len(fn.params), fn.name)
    if len(fn.result_types) != 1:
        raise ArgumentError(f"grad needs a function with one result; {fn.name} returns "
                            f"{len(fn.result_types)}")
    out_t = fn.result_types[0]
    for t, what in [(fn.params[i].type, f"argument {i}") for i in nums] + [(out_t, "its result")]:
        if t.dtype.is_complex:
            raise DTypeError(f"cannot differentiate {fn.name}: {what} is {t}, and nxc's "
                             f"gradients are real (complex numbers are not supported)")
    default = f"{fn.name}_value_and_grad" if with_value else f"{fn.name}_grad"
    new = Function(name or default, Block(fn.param_types, [p.hint for p in fn.params]),
                   fn.loc)
    # The seed, the zeros of parameters the result does not depend on and the
    # return derive from the result: they are located at fn's return.
    end = fn.body.terminator.loc
    b = Builder(new.body, end if end.known else fn.loc)
    d = Differentiator(b, max_iters, segment_size)
    wrt = [new.params[i] for i in nums]
    seed = d.e.full(out_t, 1) if out_t.dtype.is_float else None
    results, grads = d.block(fn.body, new.params, [seed], wrt, set(wrt))
    grads = [d.zeros_or(g, p.type) for g, p in zip(grads, wrt)]
    b.terminate("return", (results[:1] if with_value else []) + grads)
    simplify_function(new)
    return new


class GradPass(Pass):
    """Adds the gradient of each named function (every one by default) to the module,
    as `<name>_grad` (or `<name>_value_and_grad`)."""

    name = "grad"

    def __init__(self, functions=None, argnums=0, with_value=False, **options):
        self.functions = functions
        self.argnums = argnums
        self.with_value = with_value
        self.options = options  # max_iters, segment_size

    def run(self, module: Module) -> Module:
        names = list(module.functions) if self.functions is None else list(self.functions)
        missing = [n for n in names if n not in module.functions]
        if missing:
            raise ArgumentError(f"grad: the module has no function {', '.join(missing)}; it has "
                                f"{', '.join(module.functions) or 'none'}")
        for n in names:
            module.add(grad_function(module[n], self.argnums, self.with_value, **self.options))
        return module
