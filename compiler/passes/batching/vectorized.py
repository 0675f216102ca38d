"""Nx-style vectorization: tensors whose leading axes are vectorized, ops applied per entry.

Representation: a `Vectorized` pairs an ordinary tensor, its *physical* form,
with the names and sizes of its vectorized axes. The physical tensor holds them
as its leading axes, in order, each named after its vectorized name (so
`devectorize(keep_names=True)` is the physical tensor itself). Its `type` is the
inner type, the one an entry has: axis arguments, ranks and broadcasting refer
to it. The IR never sees vectorization: ops on vectorized tensors are built,
at once, as ops on physical tensors, by the batching rules of rules.py; no
op, type rule or pass knows about it.

Several vectorized axes are several batching levels: a `Level` per name runs
the single-axis rules and emits through the level below it; the lowest level
emits with `base` (nxc's `apply`, eager or traced). Tensors with different
vectorized axes combine over the union of their axes; an axis of size 1
broadcasts against the same name of any size (it is unbatched at that level).
"""
from __future__ import annotations

import numpy as np

from nxc.runtime.errors import ArgumentError, AxisNameError, ShapeError

from nxc.compiler.ir import registry
from nxc.compiler.ir.builder import is_number
from nxc.compiler.ir.core import Block, Value
from nxc.compiler.ir.types import TensorType

from .axes import rank, type_of, unbatched_type
from .rules import REGION_RULES, RULES


class Vectorized:
    """A tensor with vectorized axes. See the module docstring."""

    __slots__ = ("physical", "axes")

    def __init__(self, physical, axes):
        self.physical = physical
        self.axes = tuple(axes)  # ((name, size), ...), leading axes of `physical`

    @property
    def type(self) -> TensorType:
        t = type_of(self.physical)
        k = len(self.axes)
        return TensorType(t.dtype, t.shape[k:], t.names[k:])

    @property
    def vectorized_axes(self):
        return self.axes

    dtype = property(lambda self: self.type.dtype)
    shape = property(lambda self: self.type.shape)
    names = property(lambda self: self.type.names)
    rank = property(lambda self: self.type.rank)

    def __repr__(self):
        axes = "".join(f"[{n}: {s}]" for n, s in self.axes)
        return f"<vectorized{axes} {self.type}>\n{self.physical!r}"

    def __bool__(self):
        raise ShapeError(f"a vectorized tensor ({self!r:.60}) has one truth value per entry; "
                         f"use nx.select, or nx.all / nx.any over the devectorized tensor")

    __hash__ = None  # == builds a tensor
    __array_ufunc__ = None  # numpy defers to the reflected operators


def _operator_methods(cls):
    """Python operators with Nx semantics, as nx.Tensor has them (nxc.operators)."""
    def binary(symbol):
        def method(self, other):
            from nxc import operators
            return operators.binary(symbol, self, other)

        def reflected(self, other):
            from nxc import operators
            return operators.binary(symbol, other, self)
        return method, reflected

    for symbol, name in (("+", "add"), ("-", "sub"), ("*", "mul"), ("/", "truediv"),
                         ("//", "floordiv"), ("%", "mod"), ("**", "pow"), ("@", "matmul")):
        method, reflected = binary(symbol)
        setattr(cls, f"__{name}__", method)
        setattr(cls, f"__r{name}__", reflected)
    for symbol, name in (("<", "lt"), ("<=", "le"), (">", "gt"), (">=", "ge"), ("==", "eq"),
                         ("!=", "ne")):
        setattr(cls, f"__{name}__", binary(symbol)[0])

    def unary(symbol):
        def method(self):
            from nxc import operators
            return operators.unary(symbol, self)
        return method

    cls.__neg__, cls.__abs__ = unary("-"), unary("abs")
    cls.__pos__ = lambda self: self

    def getitem(self, key):
        from nxc import indexing
        return indexing.getitem(self, key)
    cls.__getitem__ = getitem
    return cls


_operator_methods(Vectorized)


# ---------------------------------------------------------------------------
# Levels: one batch axis each, built from the single-axis rules
# ---------------------------------------------------------------------------

class Tracer:
    """A value at one level: `x`, a value of the level below, with this level's axis at `bdim`."""

    __slots__ = ("level", "x", "bdim")

    def __init__(self, level, x, bdim):
        self.level, self.x, self.bdim = level, x, bdim

    @property
    def type(self) -> TensorType:
        return unbatched_type(type_of(self.x), self.bdim)


class Level:
    """Batching over one vectorized axis; the rules' context, emitting through `lower`."""

    def __init__(self, lower, name, size):
        self.lower = lower
        self.axis_name = name
        self.size = size

    def op(self, name, /, *operands, **attrs):
        """Emit `name` on the lower level (what rules call)."""
        return self.lower(name, *operands, **attrs)

    def apply(self, name, /, *operands, **attrs):
        """Apply op `name` to values of this level."""
        pairs = [(x.x, x.bdim) if isinstance(x, Tracer) and x.level is self else (x, None)
                 for x in operands]
        if all(b is None for _, b in pairs):
            return self.lower(name, *operands, **attrs)
        # Options are given for one entry: canonical and checked against the entry types,
        # so that errors name the types the user sees.
        opdef = registry.get(name)
        types = _entry_types(opdef, operands)
        attrs = opdef.canonicalize(types, attrs)
        opdef.result_types(types, attrs)
        rule = RULES.get(name)
        if rule is None or name in REGION_RULES:
            raise ArgumentError(f"{name} cannot be applied to vectorized tensors here"
                                + (" (control flow on vectorized tensors goes through vmap)"
                                   if name in REGION_RULES else ": it has no batching rule"))
        x, bdim = rule(self, pairs, **attrs)
        return Tracer(self, x, bdim)


def _entry_types(opdef, operands):
    """Operand types of one entry; Python numbers typed by Nx's rules beside the tensors."""
    numbers = opdef.scalar_dtypes(operands, lambda x: not is_number(x),
                                  lambda x: type_of(x).dtype)
    return [TensorType(d, ()) if d is not None else type_of(x) for x, d in zip(operands, numbers)]


def _axes(x):
    return x.axes if isinstance(x, Vectorized) else ()


def _union(groups):
    """The union of groups of vectorized axes: names in order of appearance, sizes merged."""
    sizes = {}
    for group in groups:
        for name, size in group:
            seen = sizes.setdefault(name, size)
            if seen == 1:
                sizes[name] = size
            elif size != 1 and size != seen:
                raise ShapeError(f"cannot combine the vectorized axis {name!r} of size {seen} "
                                 f"with one of size {size}: sizes must be equal or 1")
    return sizes


def _enter(base, x: Vectorized, levels, sizes):
    """`x` as a value of the top level: its axes in union order, wrapped level by level."""
    names = [n for n, _ in x.axes]
    order = [n for n in sizes if n in names]
    phys = x.physical
    perm = [names.index(n) for n in order]
    if perm != list(range(len(perm))):
        phys = base("transpose", phys, axes=tuple(perm) + tuple(range(len(perm), rank(phys))))
    own = dict(x.axes)
    # A size-1 axis against a larger one of the same name broadcasts: unbatched there.
    ones = [i for i, n in enumerate(order) if own[n] == 1 and sizes[n] != 1]
    if ones:
        phys = base("squeeze", phys, axes=tuple(ones))
        order = [n for i, n in enumerate(order) if i not in ones]
    obj = phys
    for level in levels:
        if level.axis_name in order:
            obj = Tracer(level, obj, 0)
    return obj


def _leave(base, out, levels):
    """A top-level result as a Vectorized (or a plain tensor when nothing is vectorized)."""
    bdims = []
    for level in reversed(levels):
        if isinstance(out, Tracer) and out.level is level:
            bdims.append(out.bdim)
            out = out.x
        else:
            bdims.append(None)
    phys, taken, present = out, [], []
    # The lowest level's axis indexes the physical tensor, each next one what is left.
    for level, b in zip(levels, reversed(bdims)):
        if b is None:
            continue
        free = [p for p in range(rank(phys)) if p not in taken]
        taken.append(free[b])
        present.append(level.axis_name)
    perm = taken + [p for p in range(rank(phys)) if p not in taken]
    if perm != list(range(len(perm))):
        phys = base("transpose", phys, axes=tuple(perm))
    if not present:
        return phys
    t = type_of(phys)
    k = len(present)
    if t.names[:k] != tuple(present):
        phys = base("reshape", phys, shape=t.shape, names=tuple(present) + t.names[k:])
    return Vectorized(phys, zip(present, t.shape[:k]))


def apply(base, name, operands, attrs, regions=()):
    """Op `name` applied per entry to operands some of which are Vectorized."""
    if regions:
        raise ArgumentError(f"{name} with regions cannot be applied to vectorized tensors here; "
                            f"use vmap for control flow that depends on them")
    sizes = _union([_axes(x) for x in operands])
    levels = []
    for n, s in sizes.items():
        levels.append(Level(levels[-1].apply if levels else base, n, s))
    objs = [_enter(base, x, levels, sizes) if isinstance(x, Vectorized) else x for x in operands]
    out = levels[-1].apply(name, *objs, **attrs)
    if isinstance(out, list):
        return [_leave(base, o, levels) for o in out]
    return _leave(base, out, levels)


def vectorize(base, x, names):
    """`x` with its leading inner axes vectorized as `names` (one name or a list of them)."""
    names = [names] if isinstance(names, str) else list(names)
    phys, axes = (x.physical, x.axes) if isinstance(x, Vectorized) else (x, ())
    for name in names:
        if not isinstance(name, str):
            raise ArgumentError(f"vectorize takes axis names (strings), got {name!r}")
        t = type_of(phys)
        k = len(axes)
        if t.rank == k:
            inner = TensorType(t.dtype, ())
            raise ShapeError(f"cannot vectorize {inner}: it has no axis left to vectorize as "
                             f"{name!r}")
        if name in dict(axes):
            raise AxisNameError(f"{name!r} is already a vectorized axis of this tensor "
                                f"(its vectorized axes are {[n for n, _ in axes]})")
        names_now = t.names[:k] + (name,) + t.names[k + 1:]
        phys = base("reshape", phys, shape=t.shape, names=names_now)
        axes = axes + ((name, t.shape[k]),)
    return Vectorized(phys, axes)


def devectorize(base, x, keep_names=True):
    """The physical tensor: vectorized axes lead, named after them when `keep_names`."""
    if not isinstance(x, Vectorized):
        return x
    if keep_names:
        return x.physical
    t = type_of(x.physical)
    k = len(x.axes)
    return base("reshape", x.physical, shape=t.shape, names=(None,) * k + t.names[k:])


# ---------------------------------------------------------------------------
# Control flow on vectorized tensors
#
# Branches and loop bodies are given as callables that build their ops at the
# current insertion point and return their results (the frontend lowers a
# branch or a body this way); they may be called more than once. With
# `builder` None (eager tensors) they run at once.
# ---------------------------------------------------------------------------

def _merge_axes(*groups):
    return tuple(_union(groups).items())


def _widen(base, x, axes):
    """`x`'s physical tensor with exactly the vectorized axes `axes`, in that order."""
    t = type_of(x)  # the inner type
    if isinstance(x, Vectorized):
        own = [n for n, _ in x.axes]
        perm = [own.index(n) for n, _ in axes if n in own]
        phys = x.physical
        if perm != list(range(len(perm))):
            phys = base("transpose", phys, axes=tuple(perm) + tuple(range(len(own), rank(phys))))
        placed = [n for n, _ in axes if n in own]
    else:
        phys, placed = x, []
    target = _physical_type(t, axes)
    if type_of(phys) == target:
        return phys
    where = [i for i, (n, _) in enumerate(axes) if n in placed]
    k = len(axes)
    return base("broadcast", phys, shape=target.shape,
                axes=tuple(where) + tuple(range(k, k + t.rank)), names=target.names)


def _traced(builder, x):
    """`x` as IR: host data (numbers, tensors, arrays) becomes a constant."""
    if isinstance(x, Vectorized):
        return Vectorized(_traced(builder, x.physical), x.axes)
    if isinstance(x, Value):
        return x
    return builder.constant(x if is_number(x) else np.asarray(x))


def _wrap(value, axes):
    return Vectorized(value, axes) if axes else value


def _physical_type(t: TensorType, axes) -> TensorType:
    return TensorType(t.dtype, tuple(s for _, s in axes) + t.shape,
                      tuple(n for n, _ in axes) + t.names)


def cond(base, builder, pred, on_true, on_false) -> list:
    """The results of `on_true()` where `pred` holds, else of `on_false()`, per entry.

    A vectorized predicate runs both branches and selects per entry (a select
    of each pair of results); a shared one builds a `cond` whose branches
    yield their results vectorized alike.
    """
    if isinstance(pred, Vectorized):
        return [base("select", pred, t, e) for t, e in zip(on_true(), on_false())]
    if builder is None:
        return list(on_true() if bool(pred) else on_false())
    blocks, leaves = [Block(), Block()], []
    for block, branch in zip(blocks, (on_true, on_false)):
        with builder.at(block):
            leaves.append([_traced(builder, x) for x in branch()])
    axes = [_merge_axes(_axes(t), _axes(e)) for t, e in zip(*leaves)]
    for block, values in zip(blocks, leaves):
        with builder.at(block):
            builder.terminate("yield", [_widen(base, v, a) if a else v
                                        for v, a in zip(values, axes)])
    out = builder.op("cond", pred, regions=blocks)
    out = out if isinstance(out, list) else [out]
    return [_wrap(v, a) for v, a in zip(out, axes)]


def while_loop(base, builder, init, test, body) -> list:
    """The state after `while test(*state): state = body(*state)`, per entry.

    A vectorized condition runs until every entry is done; an entry that is
    done keeps its state (a select on its condition). State the body or a
    vectorized condition makes vectorized is vectorized from the start.
    """
    init = list(init)
    if builder is None:
        return _eager_while(base, init, test, body)
    init = [_traced(builder, x) for x in init]
    inner = [type_of(x) for x in init]
    axes = [_axes(x) for x in init]
    while True:  # until the vectorized axes of the state stop growing
        scratch = Block([_physical_type(t, a) for t, a in zip(inner, axes)])
        with builder.at(scratch):
            state = [_wrap(v, a) for v, a in zip(scratch.args, axes)]
            c = test(*state)
            new = [_traced(builder, x) for x in body(*state)]
        grown = [_merge_axes(a, _axes(n), _axes(c) if n is not s else ())
                 for a, n, s in zip(axes, new, state)]
        for i, (t, n) in enumerate(zip(inner, new)):
            if type_of(n) != t:
                raise ShapeError(f"the loop body turns state entry {i} of type {t} into "
                                 f"{type_of(n)}; each entry must keep its type")
        if grown == axes:
            break
        axes = grown
    per_entry = isinstance(c, Vectorized)
    types = [_physical_type(t, a) for t, a in zip(inner, axes)]

    test_block = Block(types)
    with builder.at(test_block):
        c = test(*[_wrap(v, a) for v, a in zip(test_block.args, axes)])
        builder.terminate("yield", [base("any", c.physical) if per_entry else c])
    body_block = Block(types)
    with builder.at(body_block):
        state = [_wrap(v, a) for v, a in zip(body_block.args, axes)]
        new = [_traced(builder, x) for x in body(*state)]
        if per_entry:
            c = test(*state)
            new = [n if n is s else base("select", c, n, s) for n, s in zip(new, state)]
        builder.terminate("yield", [_widen(base, n, a) if a else n for n, a in zip(new, axes)])
    start = [_widen(base, x, a) if a else x for x, a in zip(init, axes)]
    out = builder.op("while", *start, regions=[test_block, body_block])
    out = out if isinstance(out, list) else [out]
    return [_wrap(v, a) for v, a in zip(out, axes)]


def _eager_while(base, state, test, body):
    while True:
        c = test(*state)
        if not isinstance(c, Vectorized):
            if not bool(c):
                return state
            state = list(body(*state))
            continue
        if not bool(base("any", c.physical)):
            return state
        new = list(body(*state))
        state = [n if n is s else base("select", c, n, s) for n, s in zip(new, state)]
