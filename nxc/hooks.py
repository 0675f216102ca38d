"""nx.print_value and nx.print_expr: printing from inside defn, returning the value.

print_value prints the value each time it is computed: eagerly at once, in the
interpreter as it runs, in compiled code through the runtime's print hook
(runtime/hooks.py). print_expr prints, when a defn is traced, the IR that
computes its argument (eagerly, the value itself). Both return their argument
unchanged; gradients flow through them and batching prints whole batches.
"""
from __future__ import annotations

import sys
from types import SimpleNamespace

from nxc.compiler.ir.core import Block, Operation, Value
from nxc.compiler.ir.printer import Namer, _op_lines, _params
from nxc.runtime import hooks
from nxc.runtime.errors import ArgumentError

from ._dispatch import apply
from .tensor import to_array
from ._types import type_of

__all__ = ["print_value", "print_expr"]


def print_value(tensor, label=None):
    """Prints `tensor` (after `label: ` when given) when it is computed; returns it."""
    return apply("print_value", tensor, label=label)


def print_expr(tensor, label=None):
    """Prints the expression that computes `tensor` (its IR, when traced); returns it."""
    if label is not None and not isinstance(label, str):
        raise ArgumentError(f"print_expr label must be a string or None, got {label!r}")
    if isinstance(tensor, Value):
        text = expression(tensor)
    else:
        text = hooks.format_value(to_array(tensor), type_of(tensor).dtype.name)
    print(f"{label}: {text}" if label else text, file=sys.stdout, flush=True)
    return tensor


def expression(value: Value) -> str:
    """The ops `value` depends on, in order, in the IR's text form, and its type."""
    ops, leaves, seen = [], [], set()

    def visit(v):
        if id(v) in seen:
            return
        seen.add(id(v))
        owner = v.owner
        if isinstance(owner, Operation):
            for u in owner.operands:
                visit(u)
            for region in owner.regions:
                for inner in region.ops:  # values a region reads from outside
                    for u in inner.operands:
                        if not _defined_in(u, region):
                            visit(u)
            if all(op is not owner for op in ops):
                ops.append(owner)
        else:
            leaves.append(v)
    visit(value)
    names = Namer(SimpleNamespace(body=SimpleNamespace(args=leaves, ops=ops)))
    lines = [f"({_params(leaves, names)})"]
    for op in ops:
        lines.extend(_op_lines(op, names, 1))
    lines.append(f"  -> {names[value]} : {value.type}")
    return "\n".join(lines)


def _defined_in(v: Value, block: Block) -> bool:
    owner = v.owner
    if owner is block:
        return True
    for op in block.ops:
        if owner is op or any(_defined_in(v, r) for r in op.regions):
            return True
    return False
