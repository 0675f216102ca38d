"""Auto-batching: vmap as an IR-to-IR transformation, and Nx-style vectorize.

- `vmap_function(fn, in_axes=0, out_axes=0, axis_size=None)`: a new function
  that applies `fn` to every entry of a batch (JAX's conventions).
- `vmap_into(builder, fn, args, ...)`: the same, emitted inline for given values.
- `BatchingPass`: adds vmapped functions to a module (`VmapRequest`s).
- `vectorized`: the machinery behind `nx.vectorize` (vectorized axes carried
  as leading axes of ordinary tensors).

The rules, one per op, are the table `rules.RULES`; docs/batching.md explains them.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..base import Pass
from .driver import vmap_function, vmap_into
from .rules import RULES


@dataclass(frozen=True)
class VmapRequest:
    """Add function `name` to the module: `source` vmapped with these options."""

    source: str
    name: str
    in_axes: object = 0
    out_axes: object = 0
    axis_size: object = None
    axis_name: str | None = None


class BatchingPass(Pass):
    """Adds the vmapped functions the requests ask for (sources first, in order)."""

    name = "vectorize"

    def __init__(self, requests=()):
        self.requests = list(requests)

    def run(self, module):
        from nxc.runtime.errors import ArgumentError
        for r in self.requests:
            if r.source not in module.functions:
                raise ArgumentError(f"vmap of @{r.source}: the module has no such function; "
                                    f"it has {sorted(module.functions)}")
            module.add(vmap_function(module[r.source], r.in_axes, r.out_axes,
                                     axis_size=r.axis_size, axis_name=r.axis_name, name=r.name))
        return module


__all__ = ["vmap_function", "vmap_into", "BatchingPass", "VmapRequest", "RULES"]
