"""Per-entry gradients of a vectorized result with respect to inputs shared by the entries.

nxc's rule (docs/batching.md, "Gradients"): vectorize means "this computation
runs once per entry", and so does its gradient. The gradient of a result
vectorized over axes A with respect to an input that is not vectorized is one
gradient per entry, vectorized over A: what JAX's `vmap(grad(f))` gives, and
not the sum over the entries that Nx returns (Nx issue #1533). The sum is one
`nx.sum` away; the per-entry gradients cannot be recovered from it.

An input that is vectorized over A already has one value per entry, so its
ordinary gradient is per entry; this module is for the others. It computes,
for each entry e, the gradient of result[e]: the gradient of
sum(result * seed_e), with seed_e one-hot on entry e, batched over e with vmap
(reverse-mode rows of the Jacobian, one per entry). An input vectorized over
only some of A (or with size-1 axes that A broadcasts) is treated the same way,
its own vectorized axes summed out of each entry's gradient (they are zero
except at the entry's own row); `vectorized_grad_function` picks the rule per
input, and is what `nx.grad` calls.
"""
from __future__ import annotations

import numpy as np

from nxc.runtime.errors import ArgumentError, ShapeError

from ...ir.builder import Builder
from ...ir.core import Block, Function
from ..grad import grad_function, normalize_argnums
from ..inline import inline
from ..simplify import simplify_function
from .driver import vmap_function


def vectorized_grad_function(fn: Function, argnums, with_value=False, arg_axes=None,
                             result_axes=(), **options):
    """The gradient of `fn` where its parameters and result hold vectorized axes.

    `arg_axes[i]` are the vectorized axes `((name, size), ...)` that lead
    parameter i (empty: not vectorized); `result_axes` those that lead the
    result. Returns (the function, the vectorized axes of each of its results):
    the result first when `with_value`, then one gradient per `argnums` entry.
    Without vectorized result axes this is `grad_function`: the gradient of
    the sum, vectorized like its parameter. Otherwise a parameter vectorized
    over exactly the result's axes takes its ordinary gradient (each entry's
    result depends on its own entry only) and any other gets one gradient per
    entry of the result (`per_entry_grad_function`). `options` go to
    `grad_function` (max_iters, segment_size).
    """
    nums = normalize_argnums(argnums, len(fn.params), fn.name)
    arg_axes = [tuple(a) for a in (arg_axes or [()] * len(fn.params))]
    result_axes = tuple(result_axes)
    ordinary = [i for i in nums if not result_axes or dict(arg_axes[i]) == dict(result_axes)]
    if ordinary == list(nums):
        g = grad_function(fn, nums, with_value, **options)
        return g, ([result_axes] if with_value else []) + [arg_axes[i] for i in nums]
    entry = [i for i in nums if i not in ordinary]
    default = f"{fn.name}_value_and_grad" if with_value else f"{fn.name}_grad"
    new = Function(default, Block(fn.param_types, [p.hint for p in fn.params]), fn.loc)
    b = Builder(loc=fn.loc)
    k = len(result_axes)
    with b.at(new.body):
        params = list(new.params)
        grads = {}
        if ordinary:
            grads.update(zip(ordinary, inline(grad_function(fn, ordinary, **options), b,
                                              params)))
        per_entry = inline(per_entry_grad_function(fn, entry, k, **options), b, params)
        for i, g in zip(entry, per_entry):
            own = len(arg_axes[i])  # the parameter's own vectorized axes, after the entry's
            if own:
                summed = b.op("sum", g, axes=tuple(range(k, k + own)))
                # sum widens small integers; an integer parameter's gradient is zeros
                g = summed if summed.type.dtype == g.type.dtype else b.op(
                    "as_type", summed, type=g.type.dtype)
            grads[i] = g
        value = inline(fn, b, params) if with_value else []
        b.terminate("return", value + [grads[i] for i in nums], loc=fn.body.terminator.loc)
    simplify_function(new)
    axes = [arg_axes[i] if i in ordinary else result_axes for i in nums]
    return new, ([result_axes] if with_value else []) + axes


def per_entry_grad_function(fn: Function, argnums, entry_axes: int, *, name=None,
                            **options) -> Function:
    """Gradients of each entry of `fn`'s result with respect to the parameters `argnums`.

    `fn` has one result whose first `entry_axes` axes (static sizes S) are the
    vectorized ones. The new function takes fn's parameters and returns, per
    entry of `argnums`, a tensor of shape S + the parameter's shape: at index e,
    the gradient of result[e] (summed over its inner elements) with respect to
    the parameter. `options` go to `grad_function` (max_iters, segment_size).
    """
    nums = normalize_argnums(argnums, len(fn.params), fn.name)
    if len(fn.result_types) != 1:
        raise ArgumentError(f"per-entry gradients need one result; {fn.name} returns "
                            f"{len(fn.result_types)}")
    out_t = fn.result_types[0]
    entries = out_t.shape[:entry_axes]
    if len(entries) != entry_axes or not all(isinstance(d, int) for d in entries):
        raise ShapeError(f"per-entry gradients need {entry_axes} leading vectorized axes of "
                         f"static size in the result {out_t}")
    count = int(np.prod(entries, dtype=np.int64))

    # seeded(params, seed) = sum(result * seed): its gradient is result[e]'s for a one-hot seed.
    b = Builder(loc=fn.loc)
    seeded = Function(f"{fn.name}_seeded", Block(fn.param_types + [out_t]), fn.loc)
    with b.at(seeded.body):
        *params, seed = seeded.params
        (out,) = inline(fn, b, params)
        b.terminate("return", [b.op("sum", b.op("multiply", out, seed))])
    rows = vmap_function(grad_function(seeded, nums, **options),
                         (None,) * len(fn.params) + (0,), axis_size=count)

    new = Function(name or f"{fn.name}_entry_grad", Block(fn.param_types,
                                                          [p.hint for p in fn.params]), fn.loc)
    with b.at(new.body):
        onehot = np.eye(count, dtype=out_t.dtype.numpy).reshape((count,) + entries)
        seeds = b.op("broadcast", b.constant(onehot), shape=(count,) + out_t.shape,
                     axes=tuple(range(1 + entry_axes)), names=(None,) + out_t.names)
        grads = inline(rows, b, list(new.params) + [seeds])
        shaped = []
        for g, i in zip(grads, nums):
            p = fn.param_types[i]
            names = out_t.names[:entry_axes] + p.names
            shaped.append(b.op("reshape", g, shape=entries + p.shape, names=names))
        b.terminate("return", shaped)
    return new

