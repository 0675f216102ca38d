"""Batches IR: a function's body, op by op, through the rules of rules.py.

`vmap_into` emits the batched body of a function into a builder's current block
for given batched arguments; `vmap_function` makes a new function of it. Every
value of the original body maps to a `(value, bdim)` pair; an op none of whose
inputs is batched is copied as it is, any other goes through its rule.
"""
from __future__ import annotations

from nxc.runtime.errors import ArgumentError, AxisNameError, DTypeError, ShapeError

from nxc.compiler.ir.builder import Builder, locate
from nxc.compiler.ir.core import TERMINATORS, Block, Function, Operation, walk
from nxc.compiler.ir.types import Dim, TensorType

from .axes import batched_at, results, unbatched_type
from .rules import RULES


class IRBatcher:
    """The rules' context while batching IR into `builder`'s current block."""

    def __init__(self, builder: Builder, size, axis_name=None):
        self.b = builder
        self.size = size
        self.axis_name = axis_name
        # original Value -> (new value, bdim). A value from outside the function
        # (captured by a traced closure, valid where the batched body goes) is
        # shared by every entry.
        self.env = {}

    # -- what rules call ------------------------------------------------------

    def op(self, name, /, *operands, regions=(), **attrs):
        return self.b.op(name, *operands, regions=regions, **attrs)

    def region(self, arg_types, build) -> Block:
        """A new block with arguments of `arg_types`, yielding what `build(*args)` returns."""
        block = Block(arg_types)
        with self.b.at(block):
            self.b.terminate("yield", build(*block.args))
        return block

    def run(self, block: Block, args) -> list:
        """Emit `block` batched at the current insertion point; its yields as pairs."""
        for p, a in zip(block.args, args):
            self.env[p] = a
        for op in block.ops:
            if op.name in TERMINATORS:
                return [self.pair(v) for v in op.operands]
            self.apply(op)
        return []

    def batched_yields(self, block: Block, arg_flags) -> list[bool]:
        """Which results of `block` are batched when the arguments flagged are.

        A dependency analysis that emits nothing. A region op counts as batched
        when anything it reads is, which covers what its rule makes of it.
        """
        local = dict(zip(block.args, arg_flags))
        self._flag_ops(block, local)
        return [local[v] if v in local else self.is_batched(v) for v in block.yielded]

    def _flag_ops(self, block, local):
        for op in block.ops:
            if op.name in TERMINATORS:
                continue
            reads = op.operands + (free_values(op) if op.regions else [])
            flag = any(local[v] if v in local else self.is_batched(v) for v in reads)
            for r in op.results:
                local[r] = flag

    def pair(self, v):
        return self.env.get(v, (v, None))

    def is_batched(self, v) -> bool:
        return self.pair(v)[1] is not None

    # -- one op ---------------------------------------------------------------

    def apply(self, op: Operation):
        args = [self.pair(v) for v in op.operands]
        batched = any(b is not None for _, b in args) or (
            op.regions and any(self.is_batched(v) for v in free_values(op)))
        with self.b.located(op.loc):
            if not batched:
                out = self.copy(op, args)
            else:
                rule = RULES.get(op.name)
                if rule is None:
                    raise locate(ArgumentError(f"op {op.name} has no batching rule, so it "
                                               f"cannot be used under vmap or vectorize"), op.loc)
                kw = dict(op.attrs)
                if op.regions:
                    kw["regions"] = op.regions
                out = rule(self, args, **kw)
                out = [out] if isinstance(out, tuple) else out  # one pair, or a list
        for r, pair in zip(op.results, out):
            self.env[r] = pair

    def copy(self, op: Operation, args):
        regions = [self.region([a.type for a in r.args],
                               lambda *vs, r=r: [x for x, _ in self.run(r, [(v, None) for v in vs])])
                   for r in op.regions]
        out = self.op(op.name, *[x for x, _ in args], regions=regions, **op.attrs)
        return [(v, None) for v in results(out)]


def free_values(op: Operation) -> list:
    """The values an op's regions use but do not define (the ones they capture)."""
    defined, used = set(), []
    for region in op.regions:
        defined.update(region.args)
        for inner in walk(region):
            used.extend(inner.operands)
            defined.update(inner.results)
            for r in inner.regions:
                defined.update(r.args)
    seen = set()
    return [v for v in used if v not in defined and not (v in seen or seen.add(v))]


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------

def per_argument(value, count, what):
    """JAX's convention: one int or None for all, or a tuple/list with one per entry."""
    if value is None or isinstance(value, int) and not isinstance(value, bool):
        return [value] * count
    if isinstance(value, (tuple, list)) and all(
            v is None or isinstance(v, int) and not isinstance(v, bool) for v in value):
        if len(value) != count:
            raise ArgumentError(f"{what} has {len(value)} entries for {count} "
                                f"{'argument' if what == 'in_axes' else 'result'}(s): {value!r}")
        return list(value)
    raise ArgumentError(f"{what} must be an int, None, or a tuple of ints and None "
                        f"(one per entry), got {value!r}")


def normalize_axis(axis, rank, what):
    """A batch axis of a tensor of rank `rank` (which counts the batch axis)."""
    if not -rank <= axis < rank:
        raise ShapeError(f"{what} {axis} is out of range for a batched tensor of rank {rank} "
                         f"(expected {-rank} to {rank - 1})")
    return axis % rank


def batch_size(axis_size):
    """The batch size asked for: an int, or a symbolic Dim (a name gives one)."""
    if isinstance(axis_size, str):
        return Dim(axis_size)
    if isinstance(axis_size, Dim) or (isinstance(axis_size, int) and not isinstance(axis_size, bool)
                                      and axis_size >= 0):
        return axis_size
    raise ArgumentError(f"axis_size must be a size >= 0, a symbolic dimension name or a Dim, "
                        f"got {axis_size!r}")


def vmap_into(builder: Builder, fn: Function, args, in_axes=0, out_axes=0, *,
              axis_size=None, axis_name=None) -> list:
    """Emit `fn` applied to every entry of `args` into `builder`'s current block.

    `args` are values of the builder's function; `in_axes` says, per argument,
    which of its axes is the batch axis (None: the same for every entry).
    Returns the results, with the batch axis at `out_axes` (None: a result that
    is the same for every entry, an error when it is not).
    """
    in_axes = per_argument(in_axes, len(fn.params), "in_axes")
    if len(args) != len(fn.params):
        raise ArgumentError(f"{fn.name} takes {len(fn.params)} argument(s), got {len(args)}")
    pairs, sizes, names = [], set(), set()
    for i, (p, a, ax) in enumerate(zip(fn.params, args, in_axes)):
        t = a.type
        if ax is not None:
            ax = normalize_axis(ax, t.rank, f"in_axes entry {i}")
            sizes.add(t.shape[ax])
            names.add(t.names[ax])
        entry = unbatched_type(t, ax)
        if entry.dtype != p.type.dtype:
            raise DTypeError(f"{fn.name}: argument {i} is {t}; each entry must be {p.type}")
        if entry.shape != p.type.shape:
            where = "without" if ax is None else f"without axis {ax},"
            raise ShapeError(f"{fn.name}: argument {i} is {t}, {where} {entry}; each entry "
                             f"must be {p.type}")
        pairs.append((a, ax))
    if axis_size is not None:
        sizes.add(batch_size(axis_size))
    if not sizes:
        raise ArgumentError(f"vmap of {fn.name}: no argument is batched (every in_axes entry "
                            f"is None); give axis_size to say how many entries to make")
    if len(sizes) > 1:
        raise ShapeError(f"vmap of {fn.name}: the batched axes have different sizes "
                         f"{sorted(map(str, sizes))}")
    names.discard(None)
    if axis_name is None and len(names) > 1:
        raise AxisNameError(f"vmap of {fn.name}: the batched axes have different names "
                            f"{sorted(names)}")
    batcher = IRBatcher(builder, sizes.pop(), axis_name if axis_name is not None else
                        next(iter(names), None))
    for p, pair in zip(fn.params, pairs):
        batcher.env[p] = pair
    outs = batcher.run(fn.body, [])
    out_axes = per_argument(out_axes, len(outs), "out_axes")
    final = []
    for i, ((x, b), ax) in enumerate(zip(outs, out_axes)):
        if ax is None:
            if b is not None:
                raise ShapeError(f"vmap of {fn.name}: result {i} differs between entries "
                                 f"(it depends on a batched argument), but out_axes gives None "
                                 f"for it")
            final.append(x)
            continue
        ax = normalize_axis(ax, x.type.rank + (b is None), f"out_axes entry {i}")
        with builder.located(fn.body.terminator.loc):
            final.append(batched_at(batcher, x, b, ax))
    return final


def vmap_function(fn: Function, in_axes=0, out_axes=0, *, axis_size=None, axis_name=None,
                  name=None) -> Function:
    """A new function that applies `fn` to every entry of a batch.

    Each parameter gains a batch axis at its `in_axes` entry (None: it stays
    as it is, shared by all entries); each result has the batch axis at its
    `out_axes` entry. The batch axis has size `axis_size`: an int, or a
    symbolic dimension (a name or a `Dim`); by default a new symbolic
    dimension `?batch` (renamed if `fn` already uses it). `axis_name` names the
    batch axis. Nested vmap is vmap of the result.
    """
    in_axes = per_argument(in_axes, len(fn.params), "in_axes")
    size = batch_size(axis_size) if axis_size is not None else Dim(fresh_dim(fn, "batch"))
    if isinstance(size, Dim) and all(ax is None for ax in in_axes):
        raise ArgumentError(f"vmap of {fn.name}: the batch size {size} is symbolic, but no "
                            f"argument is batched to give it a value; give an int axis_size")
    types = []
    for i, (t, ax) in enumerate(zip(fn.param_types, in_axes)):
        if ax is not None:
            ax = normalize_axis(ax, t.rank + 1, f"in_axes entry {i}")
            t = TensorType(t.dtype, t.shape[:ax] + (size,) + t.shape[ax:],
                           t.names[:ax] + (axis_name,) + t.names[ax:])
        types.append(t)
    out = Function(name or fn.name, Block(types, [p.hint for p in fn.params]), fn.loc,
                   dict(fn.attrs))
    b = Builder(loc=fn.loc)
    with b.at(out.body):
        outs = vmap_into(b, fn, out.params, in_axes, out_axes, axis_size=size,
                         axis_name=axis_name)
        b.terminate("return", outs, loc=fn.body.terminator.loc)
    return out


def fresh_dim(fn: Function, base: str) -> str:
    """`base`, or `base_1`, `base_2`, ...: a symbolic dimension name `fn` does not use."""
    used = set()
    types = list(fn.param_types)
    for op in walk(fn.body):
        types += op.result_types
        for r in op.regions:
            types += [a.type for a in r.args]
    for t in types:
        used.update(d.name for d in t.shape if isinstance(d, Dim))
    name, k = base, 0
    while name in used:
        k += 1
        name = f"{base}_{k}"
    return name

