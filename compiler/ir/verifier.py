"""Checks the invariants of the IR (docs/ir.md lists them).

Passes and front ends build IR in memory; the verifier runs between passes in
tests and debug mode and on every module `nxc opt` reads. A broken invariant
raises `VerifyError` naming the function, the op, its location and the problem;
the exception also carries `function`, `op` and `loc`.
"""
from __future__ import annotations

import struct

import numpy as np

from nxc.runtime.errors import NxcError, VerifyError

from . import registry
from .core import TERMINATORS, Block, Function, Module, Operation
from .printer import Namer, attr_kind_error, format_attr, format_type, format_types


def verify(module: Module) -> Module:
    """Raise VerifyError at the first broken invariant; return the module otherwise."""
    for key, fn in module.functions.items():
        if key != fn.name:
            raise _error(fn, None, f"is listed in its module under the name @{key}")
        _Checker(fn).run()
    return module


def verify_function(fn: Function) -> Function:
    _Checker(fn).run()
    return fn


def same_attr(a, b) -> bool:
    """Exact equality of attribute values: same Python types, floats and arrays bit for bit."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if isinstance(a, tuple):
        return len(a) == len(b) and all(map(same_attr, a, b))
    if isinstance(a, float):
        return struct.pack(">d", a) == struct.pack(">d", b)
    return a == b


def _error(fn: Function, op: Operation | None, problem: str) -> VerifyError:
    where = f"op {op.name} at {op.loc}" if op is not None else f"at {fn.loc}"
    err = VerifyError(f"function @{fn.name}: {where}: {problem}")
    err.function, err.op = fn.name, op
    err.loc = op.loc if op is not None else fn.loc
    return err


class _Checker:
    def __init__(self, fn: Function):
        self.fn = fn
        self.names = Namer(fn)
        self.defined = set()  # every value defined so far, visible or not

    def fail(self, op, problem):
        return _error(self.fn, op, problem)

    def run(self):
        self.block(self.fn.body, set(), "return", None)

    def define(self, value, op, visible):
        if value in self.defined:
            raise self.fail(op, f"defines {self.names[value]} a second time")
        self.defined.add(value)
        visible.add(value)

    def block(self, block: Block, outer: set, terminator: str, owner: Operation | None):
        visible = set(outer)
        for arg in block.args:
            self.define(arg, owner, visible)
        where = "the function body" if owner is None else f"a region of {owner.name}"
        if not block.ops or block.ops[-1].name not in TERMINATORS:
            raise self.fail(owner, f"{where} does not end with {terminator}")
        for i, op in enumerate(block.ops):
            self.operands(op, visible)
            if op.name in TERMINATORS:
                self.terminator(op, i == len(block.ops) - 1, terminator, where)
                continue
            self.op(op, visible)
            for r in op.results:
                self.define(r, op, visible)

    def operands(self, op: Operation, visible: set):
        for i, v in enumerate(op.operands):
            if v in visible:
                continue
            if v in self.defined:
                problem = "is defined inside a region and not visible here"
            elif v in self.names:
                problem = "is used before it is defined"
            else:
                problem = "is not defined in this function"
            name = self.names[v] if v in self.names else f"(a value of type {format_type(v.type)})"
            raise self.fail(op, f"operand {i} {name} {problem}")

    def terminator(self, op: Operation, last: bool, expected: str, where: str):
        if not last:
            raise self.fail(op, f"a terminator must be the last op of its block, in {where}")
        if op.name != expected:
            raise self.fail(op, f"{where} must end with {expected}, not {op.name}")
        if op.attrs or op.results or op.regions:
            raise self.fail(op, f"{op.name} takes no attributes, results or regions")

    def op(self, op: Operation, visible: set):
        opdef = registry.all_ops().get(op.name)
        if opdef is None:
            raise self.fail(op, f"unknown op {op.name!r}: it is not in the op registry")
        if len(op.regions) != opdef.regions:
            raise self.fail(op, f"has {len(op.regions)} region(s), {op.name} takes {opdef.regions}")
        for region in op.regions:
            self.block(region, visible, "yield", op)
        for key, value in op.attrs.items():
            problem = attr_kind_error(value)
            if problem:
                raise self.fail(op, f"attribute {key} holds {problem}, which the IR cannot hold")
        types = [v.type for v in op.operands]
        try:
            canonical = opdef.canonicalize(types, op.attrs)
        except NxcError as e:
            raise self.fail(op, str(e)) from None
        for key, value in canonical.items():
            if key not in op.attrs:
                raise self.fail(op, f"attribute {key} is missing (canonical: {format_attr(value)})")
            if not same_attr(op.attrs[key], value):
                raise self.fail(op, f"attribute {key} = {format_attr(op.attrs[key])} is not "
                                    f"canonical: expected {format_attr(value)}")
        region_types = [([a.type for a in r.args], r.result_types) for r in op.regions]
        try:
            inferred = opdef.result_types(types, canonical, region_types)
        except NxcError as e:
            raise self.fail(op, str(e)) from None
        if inferred != op.result_types:
            raise self.fail(op, f"result types ({format_types(op.result_types)}) differ from "
                                f"its type rule's ({format_types(inferred)})")
        for i, r in enumerate(op.results):
            if r.owner is not op or r.index != i:
                raise self.fail(op, f"result {i} {self.names[r]} does not record this op "
                                    "as its owner")
