"""Builds IR: every op is created through its registry entry, so its type rule runs
at creation and a bad op never enters a module.

Python numbers among the operands become `constant` ops of the type Nx gives
them next to the other operands (u8 tensor + 1 is u8, + 256 is u16).
"""
from __future__ import annotations

import contextlib

import numpy as np

from nxc.runtime.errors import NxcError, CompileError

from . import dtypes, registry
from .core import UNKNOWN, Block, Function, Loc, Module, Operation, Value


def is_number(x):
    """A Python number, which takes its type from the tensors beside it.

    numpy scalars are not numbers here: they carry a type and act as 0-d tensors.
    """
    # np.float64 and np.complex128 subclass float and complex: excluded explicitly.
    return isinstance(x, (bool, int, float, complex)) and not isinstance(x, np.generic)


class Builder:
    """Appends ops to the current block; `loc` is attached to every op it makes."""

    def __init__(self, block: Block | None = None, loc: Loc = UNKNOWN):
        self.block = block
        self.loc = loc

    # -- blocks and functions -------------------------------------------------

    @contextlib.contextmanager
    def at(self, block: Block):
        saved, self.block = self.block, block
        try:
            yield block
        finally:
            self.block = saved

    @contextlib.contextmanager
    def located(self, loc: Loc):
        saved, self.loc = self.loc, loc
        try:
            yield
        finally:
            self.loc = saved

    def function(self, module: Module, name, param_types, hints=None, loc=None, **attrs):
        fn = Function(name, Block(param_types, hints), loc or self.loc, attrs)
        module.add(fn)
        return fn

    # -- ops --------------------------------------------------------------------

    def op(self, name, /, *operands, regions=(), loc=None, **attrs):
        """Create op `name`; returns its result Value, or a list when it has several."""
        op = self.make(name, operands, attrs, regions, loc)
        return op.results[0] if len(op.results) == 1 else list(op.results)

    def make(self, name, operands, attrs, regions=(), loc=None) -> Operation:
        loc = loc or self.loc
        opdef = registry.get(name)
        try:
            values = self._operands(opdef, operands, loc)
            types = [v.type for v in values]
            attrs = opdef.canonicalize(types, attrs)
            region_types = [([a.type for a in r.args], r.result_types) for r in regions]
            result_types = opdef.result_types(types, attrs, region_types)
        except CompileError:
            raise
        except NxcError as e:
            raise locate(e, loc) from None
        op = Operation(name, values, attrs, result_types, regions, loc)
        self.block.ops.append(op)
        return op

    def _operands(self, opdef, operands, loc):
        scalar_types = opdef.scalar_dtypes(
            operands, lambda x: isinstance(x, Value), lambda v: v.type.dtype)
        out = []
        for x, t in zip(operands, scalar_types):
            if isinstance(x, Value):
                out.append(x)
            elif is_number(x):
                out.append(self.constant(x, t, loc=loc))
            else:
                raise CompileError(f"{opdef.name} expected a tensor or a number, "
                                   f"got {type(x).__name__}", loc)
        return out

    def constant(self, value, dtype=None, loc=None) -> Value:
        arr = np.asarray(value)
        dt = dtypes.parse(dtype) if dtype is not None else (
            dtypes.scalar_type(value) if is_number(value) else dtypes.from_numpy(arr.dtype))
        arr = cast_array(arr, dt)
        return self.op("constant", value=arr, loc=loc)

    def terminate(self, kind, values, loc=None):
        """End the current block with `return` (functions) or `yield` (regions)."""
        op = Operation(kind, values, {}, [], (), loc or self.loc)
        self.block.ops.append(op)
        return op

    def region(self, arg_types=(), hints=None) -> Block:
        return Block(arg_types, hints)


def locate(err: NxcError, loc: Loc) -> NxcError:
    """Turn an unlocated type-rule error into a CompileError at `loc` when it is known."""
    if not loc.known:
        return err
    ce = CompileError(str(err), loc)
    ce.kind = type(err)
    return ce


def cast_array(arr: np.ndarray, dt) -> np.ndarray:
    """Cast host data to an Nx type with Nx semantics (wrap ints; saturate floats to ints)."""
    from .ops.cast import convert
    return convert(np.asarray(arr), dt)
