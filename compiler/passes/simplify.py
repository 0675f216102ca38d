"""Simplification: constant folding, exact identities, CSE and DCE, to a fixpoint.

- Folding runs an op whose operands are all constants through its reference
  rule (the interpreter's semantics, so folding never changes a result), when
  the results are unnamed, static and no larger than the largest input: a
  broadcast of a scalar stays a broadcast. A cond on a constant predicate
  becomes the branch it takes.
- Identities replace an op by its operand where that is exact for every input
  (NaN and signed zeros included): x * 1, x / 1, x - 0, real x ** 1, -(-x), a reshape,
  broadcast, conversion, transpose, slice or pad that changes nothing, a
  reduction over no axes, select on a constant predicate. x + 0 is kept: it
  turns -0.0 into 0.0.
- CSE merges ops without regions that have the same name, operands, attributes
  and result types; an op in a region may reuse one from an enclosing block.
- DCE removes ops whose results are unused, results of cond that are unused,
  and loop state that no used result or loop condition depends on (which
  drops the state-saving buffers a gradient did not need). Every op is pure;
  an op with side effects would have to be kept here.
"""
from __future__ import annotations

import numpy as np

from nxc.runtime.errors import NxcError

from ..ir import registry
from ..ir.core import TERMINATORS, Block, Function, Module, Operation, Value
from .base import Pass
from .inline import free_values

MAX_ROUNDS = 10


def simplify_function(fn: Function) -> Function:
    for _ in range(MAX_ROUNDS):
        rewrite = _Rewrite()
        rewrite.block(fn.body, {})
        if not (dce(fn.body) | rewrite.changed):
            break
    return fn


class Simplify(Pass):
    name = "simplify"

    def run(self, module: Module) -> Module:
        for fn in module.functions.values():
            simplify_function(fn)
        return module


# ---------------------------------------------------------------------------
# Constants
# ---------------------------------------------------------------------------

def constant_of(v: Value):
    """The array `v` holds when it is a constant, else None."""
    op = v.owner
    return op.attrs["value"] if isinstance(op, Operation) and op.name == "constant" else None


def _fill(v: Value):
    """The elements of a constant, or of a broadcast constant (same values), else None."""
    op = v.owner
    if isinstance(op, Operation) and op.name == "broadcast":
        return constant_of(op.operands[0])
    return constant_of(v)


def _all(v: Value, value) -> bool:
    a = _fill(v)
    return a is not None and bool(np.all(a == value))


# ---------------------------------------------------------------------------
# Identities: the value an op's single result always equals, or None.
# ---------------------------------------------------------------------------

def _identity(op: Operation):
    if len(op.results) != 1 or not op.operands:
        return None
    t = op.results[0].type
    x = op.operands[0]

    def same(v):
        return v if v.type == t else None

    a = op.attrs
    name = op.name
    if name in ("reshape", "broadcast", "as_type", "squeeze"):
        return same(x)
    if name == "transpose" and a["axes"] == tuple(range(x.type.rank)):
        return same(x)
    if name in ("sum", "product", "mean", "reduce_max", "reduce_min") and not a["axes"]:
        return same(x)
    if name == "slice" and not any(a["start_indices"]) and set(a["strides"]) <= {1} \
            and tuple(a["lengths"]) == x.type.shape:
        return same(x)
    if name == "pad" and all(c == (0, 0, 0) for c in a["config"]):
        return same(x)
    if name == "multiply":
        y = op.operands[1]
        return (same(x) if _all(y, 1) else None) or (same(y) if _all(x, 1) else None)
    if name == "divide" and _all(op.operands[1], 1):
        return same(x)
    # pow(x, 1) is x for every real x (IEEE pow, NaN and -0 included); a complex
    # power is computed through log and exp, which may round.
    if name == "pow" and not t.dtype.is_complex and _all(op.operands[1], 1):
        return same(x)
    if name == "subtract" and _all(op.operands[1], 0):
        return same(x)
    if name == "negate" and isinstance(x.owner, Operation) and x.owner.name == "negate":
        return same(x.owner.operands[0])
    if name == "select":
        p = _fill(x)
        if p is not None and (np.all(p != 0) or np.all(p == 0)):
            return same(op.operands[1] if np.all(p != 0) else op.operands[2])
    return None


# ---------------------------------------------------------------------------
# Folding, identities and CSE in one forward walk
# ---------------------------------------------------------------------------

def _frozen(v):
    if isinstance(v, np.ndarray):
        return ("array", str(v.dtype), v.shape, v.tobytes())
    if isinstance(v, tuple):
        return tuple(_frozen(e) for e in v)
    return v


def _cse_key(op: Operation):
    if op.regions:
        return None
    attrs = tuple(sorted((k, _frozen(v)) for k, v in op.attrs.items()))
    return (op.name, tuple(op.operands), attrs, tuple(op.result_types))


class _Rewrite:
    def __init__(self):
        self.rename: dict = {}
        self.changed = False

    def value(self, v):
        while v in self.rename:
            v = self.rename[v]
        return v

    def replace(self, old: Value, new: Value):
        self.rename[old] = new
        self.changed = True

    def block(self, block: Block, table: dict):
        out = []
        for op in block.ops:
            op.operands = [self.value(v) for v in op.operands]
            if op.name in TERMINATORS:
                out.append(op)
                continue
            for region in op.regions:
                self.block(region, dict(table))
            same = _identity(op)
            if same is not None:
                self.replace(op.results[0], same)
                continue
            if op.name == "cond" and constant_of(op.operands[0]) is not None:
                taken = op.regions[0 if constant_of(op.operands[0]) != 0 else 1]
                out.extend(taken.ops[:-1])
                for r, y in zip(op.results, taken.yielded):
                    self.replace(r, y)
                continue
            for new in self.fold(op) or [op]:
                key = _cse_key(new)
                if key in table:
                    for r, s in zip(new.results, table[key].results):
                        self.replace(r, s)
                    continue
                if key is not None:
                    table[key] = new
                out.append(new)
        block.ops = out

    def fold(self, op: Operation):
        """Constant ops for the results of `op` when its operands are all constants."""
        if op.regions or not op.operands:
            return None
        arrays = [constant_of(v) for v in op.operands]
        if any(a is None for a in arrays):
            return None
        types = op.result_types
        limit = max(a.size for a in arrays)
        if any(not t.is_static or t.size > limit or any(t.names) for t in types):
            return None
        try:
            outs = registry.execute(registry.get(op.name), arrays, op.attrs, types)
        except NxcError:
            return None
        consts = [Operation("constant", [], {"value": np.array(a)}, [t], (), op.loc)
                  for a, t in zip(outs, types)]
        for r, c in zip(op.results, consts):
            self.replace(r, c.results[0])
        return consts


# ---------------------------------------------------------------------------
# DCE
# ---------------------------------------------------------------------------

def dce(block: Block) -> bool:
    """Remove what `block`'s terminator does not depend on; True when it changed."""
    term = block.terminator
    live = set(term.operands) if term is not None else set()
    kept, changed = [], False
    for op in reversed(block.ops[:-1] if term is not None else block.ops):
        if not any(r in live for r in op.results):
            changed = True
            continue
        if op.name == "cond":
            changed |= _shrink_cond(op, live)
        elif op.name in ("for", "while"):
            changed |= _shrink_loop(op, live)
        for region in op.regions:
            changed |= dce(region)
        live.update(op.operands)
        live.update(free_values(op.regions))
        kept.append(op)
    block.ops = kept[::-1] + ([term] if term is not None else [])
    return changed


def _reindex(values):
    for i, v in enumerate(values):
        v.index = i
    return values


def _shrink_cond(op: Operation, live: set) -> bool:
    used = [i for i, r in enumerate(op.results) if r in live]
    if len(used) == len(op.results):
        return False
    for region in op.regions:
        t = region.terminator
        t.operands = [t.operands[i] for i in used]
    op.results = _reindex([op.results[i] for i in used])
    return True


def _arg_dependencies(block: Block, yields, offset) -> set:
    """The state entries (arguments from `offset` on) the chosen yields depend on."""
    live = {block.yielded[i] for i in yields}
    for op in reversed(block.ops[:-1]):
        if any(r in live for r in op.results):
            live.update(op.operands)
            live.update(free_values(op.regions))
    return {j for j, a in enumerate(block.args[offset:]) if a in live}


def _shrink_loop(op: Operation, live: set) -> bool:
    offset = 1 if op.name == "for" else 0
    body = op.regions[-1]
    keep = {j for j, r in enumerate(op.results) if r in live}
    if op.name == "while":
        keep |= _arg_dependencies(op.regions[0], [0], 0)
    while True:
        more = _arg_dependencies(body, sorted(keep), offset) - keep
        if not more:
            break
        keep |= more
    if len(keep) == len(op.results):
        return False
    keep = sorted(keep)
    op.operands = [op.operands[j] for j in keep]
    op.results = _reindex([op.results[j] for j in keep])
    for region in op.regions:
        region.args = _reindex(region.args[:offset] + [region.args[offset + j] for j in keep])
    t = body.terminator
    t.operands = [t.operands[j] for j in keep]
    return True
