"""Copying IR: an op, a block, or a whole function's body into another block.

`inline(fn, builder, args)` is how a call is expanded: the frontend inlines the
function that `grad_function` returns where `nx.grad(f)(...)` is called. The
copies keep each op's location, so errors still point at the user's code.
"""
from __future__ import annotations

from nxc.runtime.errors import ArgumentError

from ..ir.builder import Builder
from ..ir.core import TERMINATORS, Block, Function, Operation, Value


def clone_op(op: Operation, vmap: dict) -> Operation:
    """A copy of `op` whose operands go through `vmap` (values not in it stay as they are).

    Its results and the values its regions define are added to `vmap`.
    """
    regions = [clone_block(r, vmap) for r in op.regions]
    new = Operation(op.name, [vmap.get(v, v) for v in op.operands], op.attrs,
                    op.result_types, regions, op.loc)
    for old, r in zip(op.results, new.results):
        r.hint = old.hint
        vmap[old] = r
    return new


def clone_block(block: Block, vmap: dict) -> Block:
    """A copy of `block` with fresh arguments; uses of outer values go through `vmap`."""
    new = Block([a.type for a in block.args], [a.hint for a in block.args])
    vmap.update(zip(block.args, new.args))
    for op in block.ops:
        if op.name in TERMINATORS:
            new.ops.append(Operation(op.name, [vmap.get(v, v) for v in op.operands], {}, [],
                                     (), op.loc))
        else:
            new.ops.append(clone_op(op, vmap))
    return new


def copy_ops(block: Block, builder: Builder, vmap: dict) -> list[Value]:
    """Append copies of `block`'s ops (not its terminator) to the builder's block.

    `vmap` maps the block's arguments (and any outer value) to what replaces
    them; returns the values the terminator gives, mapped.
    """
    for op in block.ops:
        if op.name in TERMINATORS:
            return [vmap.get(v, v) for v in op.operands]
        builder.block.ops.append(clone_op(op, vmap))
    return []


def free_values(blocks) -> list[Value]:
    """The values `blocks` (and the regions inside them) use but do not define,
    in order of first use: what they capture from the blocks around them."""
    defined, out, seen = set(), [], set()

    def visit(block):
        defined.update(block.args)
        for op in block.ops:
            for v in op.operands:
                if v not in defined and v not in seen:
                    seen.add(v)
                    out.append(v)
            for region in op.regions:
                visit(region)
            defined.update(op.results)

    for block in blocks:
        visit(block)
    return [v for v in out if v not in defined]


def inline(fn: Function, builder: Builder, args) -> list[Value]:
    """Copy `fn`'s body into the builder's current block with `args` for its
    parameters; returns the values it returns."""
    args = list(args)
    if len(args) != len(fn.params):
        raise ArgumentError(f"{fn.name} takes {len(fn.params)} argument(s), got {len(args)}")
    for i, (p, a) in enumerate(zip(fn.params, args)):
        if not isinstance(a, Value) or a.type != p.type:
            got = a.type if isinstance(a, Value) else type(a).__name__
            raise ArgumentError(f"{fn.name}: argument {i} must be a value of type {p.type}, "
                                f"got {got}")
    return copy_ops(fn.body, builder, dict(zip(fn.params, args)))
