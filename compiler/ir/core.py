"""The IR's data structures: locations, SSA values, operations, blocks, functions, modules.

An operation has operands (values), static attributes, results (values it
defines), nested regions (blocks, for cond/while/for) and a location. A block has
typed arguments, a list of operations and a terminator (`return` in a function,
`yield` in a region). Regions may use values of the blocks that enclose them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .types import TensorType


@dataclass(frozen=True)
class Loc:
    """A 1-based line and column in a source file, absolute in that file."""

    file: str | None = None
    line: int = 0
    col: int = 0

    @property
    def known(self):
        return self.file is not None

    def __str__(self):
        return f"{self.file}:{self.line}:{self.col}" if self.known else "<unknown>"


UNKNOWN = Loc()


class Value:
    """An SSA value: defined once, by an operation result or a block argument."""

    __slots__ = ("type", "owner", "index", "hint")

    def __init__(self, type: TensorType, owner=None, index: int = 0, hint: str | None = None):
        self.type = type
        self.owner = owner  # the Operation or Block that defines it
        self.index = index
        self.hint = hint  # preferred name when printed (a user variable name)

    def __repr__(self):
        return f"<Value {self.hint or ''}: {self.type}>"


class Operation:
    __slots__ = ("name", "operands", "attrs", "results", "regions", "loc")

    def __init__(self, name: str, operands, attrs: dict, result_types, regions=(), loc: Loc = UNKNOWN):
        self.name = name
        self.operands = list(operands)
        self.attrs = dict(attrs)
        self.results = [Value(t, self, i) for i, t in enumerate(result_types)]
        self.regions = list(regions)
        self.loc = loc

    @property
    def result(self) -> Value:
        assert len(self.results) == 1, f"{self.name} has {len(self.results)} results"
        return self.results[0]

    @property
    def result_types(self):
        return [r.type for r in self.results]

    def __repr__(self):
        return f"<Operation {self.name}>"


class Block:
    """A list of operations with typed arguments, ended by a terminator."""

    __slots__ = ("args", "ops")

    def __init__(self, arg_types=(), arg_hints=None):
        hints = arg_hints or [None] * len(arg_types)
        self.args = [Value(t, self, i, h) for i, (t, h) in enumerate(zip(arg_types, hints))]
        self.ops: list[Operation] = []

    @property
    def terminator(self) -> Operation | None:
        return self.ops[-1] if self.ops and self.ops[-1].name in TERMINATORS else None

    @property
    def yielded(self):
        """The values the terminator returns."""
        t = self.terminator
        return list(t.operands) if t is not None else []

    @property
    def result_types(self):
        return [v.type for v in self.yielded]


TERMINATORS = ("return", "yield")


@dataclass
class Function:
    name: str
    body: Block
    loc: Loc = UNKNOWN
    attrs: dict[str, Any] = field(default_factory=dict)  # e.g. doc

    @property
    def params(self):
        return self.body.args

    @property
    def param_types(self):
        return [a.type for a in self.body.args]

    @property
    def result_types(self):
        return self.body.result_types


@dataclass
class Module:
    functions: dict[str, Function] = field(default_factory=dict)
    name: str | None = None

    def add(self, fn: Function) -> Function:
        self.functions[fn.name] = fn
        return fn

    def __getitem__(self, name):
        return self.functions[name]


def walk(block: Block):
    """Every operation in a block and its nested regions, outer before inner."""
    for op in block.ops:
        yield op
        for region in op.regions:
            yield from walk(region)
