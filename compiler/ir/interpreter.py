"""Evaluates IR on numpy with the ops' reference rules.

The interpreter is the semantic oracle for every other stage and the eager
backend: compiled code must agree with it.
"""
from __future__ import annotations

import numpy as np

from nxc.runtime.errors import ArgumentError, DTypeError, ShapeError

from . import registry
from .core import Block, Function, Module
from .ops.shape import symbolic_sizes
from .types import Dim, TensorType


def run_function(fn: Function, *args, module: Module | None = None):
    """Run `fn` on numpy arrays; returns a list of arrays, one per result."""
    if len(args) != len(fn.params):
        raise ArgumentError(f"{fn.name} takes {len(fn.params)} argument(s), got {len(args)}")
    dims: dict[str, int] = {}
    env = {}
    for i, (p, a) in enumerate(zip(fn.params, args)):
        env[p] = check_argument(fn.name, i, p.type, np.asarray(a), dims)
    with symbolic_sizes(dims):  # shape ops read the sizes of symbolic dims here
        return run_block(fn.body, env, module)


def run_block(block: Block, env: dict, module: Module | None = None):
    for op in block.ops:
        if op.name in ("return", "yield"):
            return [env[v] for v in op.operands]
        opdef = registry.get(op.name)
        arrays = [env[v] for v in op.operands]
        regions = [_region_fn(r, env, module) for r in op.regions] if op.regions else None
        outs = registry.execute(opdef, arrays, op.attrs, op.result_types, regions)
        for r, a in zip(op.results, outs):
            env[r] = a
    return []


def _region_fn(block: Block, env: dict, module):
    def call(*args):
        for p, a in zip(block.args, args):
            env[p] = a
        return run_block(block, env, module)
    return call


def check_argument(fname, index, t: TensorType, a: np.ndarray, dims: dict):
    """Check an argument against its parameter type; binds symbolic dims in `dims`."""
    if a.dtype != t.dtype.numpy:
        raise DTypeError(f"{fname}: argument {index} must be {t}, got an array of "
                         f"{a.dtype} (convert it with nx.as_type or numpy's astype)")
    if a.ndim != t.rank:
        raise ShapeError(f"{fname}: argument {index} must be {t} (rank {t.rank}), "
                         f"got shape {a.shape}")
    for axis, (d, n) in enumerate(zip(t.shape, a.shape)):
        if isinstance(d, Dim):
            seen = dims.setdefault(d.name, n)
            if seen != n:
                raise ShapeError(f"{fname}: argument {index} axis {axis} is dimension "
                                 f"{d.name!r}, bound to {seen} by an earlier argument, got {n}")
        elif d != n:
            raise ShapeError(f"{fname}: argument {index} must be {t}, got shape {a.shape}")
    return a
