"""Per-entry gradients of a vectorized result with respect to inputs shared by the entries.

nxc's rule (docs/batching.md, "Gradients"): vectorize means "this computation
runs once per entry", and so does its gradient. The gradient of a result
vectorized over axes A with respect to an input that is not vectorized is one
gradient per entry, vectorized over A: what JAX's `vmap(grad(f))` gives, and
not the sum over the entries that Nx returns (Nx issue #1533). The sum is one
`nx.sum` away; the per-entry gradients cannot be recovered from it.

An input that is vectorized over A already has one value per entry, so its
ordinary gradient is per entry; this module is for the shared ones. It
computes, for each entry e, the gradient of result[e]: the gradient of
sum(result * seed_e), with seed_e one-hot on entry e, batched over e with vmap
(reverse-mode rows of the Jacobian, one per entry).
"""
from __future__ import annotations

import numpy as np

from nxc.runtime.errors import ArgumentError, ShapeError

from ...ir.builder import Builder
from ...ir.core import Block, Function
from ..grad import grad_function, normalize_argnums
from ..inline import inline
from .driver import vmap_function


def per_entry_grad_function(fn: Function, argnums, entry_axes: int, *, name=None) -> Function:
    """Gradients of each entry of `fn`'s result with respect to the parameters `argnums`.

    `fn` has one result whose first `entry_axes` axes (static sizes S) are the
    vectorized ones. The new function takes fn's parameters and returns, per
    entry of `argnums`, a tensor of shape S + the parameter's shape: at index e,
    the gradient of result[e] (summed over its inner elements) with respect to
    the parameter.
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
    rows = vmap_function(grad_function(seeded, nums), (None,) * len(fn.params) + (0,),
                         axis_size=count)

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

