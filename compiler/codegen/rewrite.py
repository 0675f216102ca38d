"""Replacing every MLIR op of one name by what a function builds in its place."""
from __future__ import annotations

from mlir import ir


def rewrite_ops(module: ir.Module, name: str, build):
    """Call `build(op)` at each op named `name` (inserting before it, at its
    location), then erase the op. Ops are collected first: the walk must not
    see the IR change under it."""
    found = []

    def visit(op):
        if op.name == name:
            found.append(op)
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit, ir.WalkOrder.POST_ORDER)
    for op in found:
        with ir.InsertionPoint(op), op.location:
            build(op)
        op.erase()
