"""Fusion of element-wise ops into the loops of their consumers.

Lowered one by one, `tanh(a * b + c)` is three loops and two temporaries, and
softmax's `exp(t) / sum(exp(t))` writes `exp(t)` out and reads it twice. Here
an element-wise result whose every consumer can compute it element by element
is never materialized: its lowering gives a `Lazy` value (its operands and its
one-element body), and each consumer's `linalg.generic` reads the operands of
the whole lazy tree and evaluates the bodies inline. `tanh(a * b + c)` is one
loop; a cheap value read by two loops (`x - max` in a stable softmax) is
computed in both instead of being written out.

This runs on tensors, before bufferization, on the IR the emitter lowers, so
that the fused loop is an ordinary `linalg.generic` (later passes, the
threading pass included, see one op). The rule (`plan`):

- producers: the ops in ELEMENTWISE (their lowering is one `em.elementwise`),
  and BROADCASTS read by materialized element-wise ops only (`x * w[:, None]`
  reads `w` through the broadcast's map, no copy);
- consumers: an ELEMENTWISE op reading the value at its own shape (never
  broadcast: a lazy value read along a broadcast axis would be recomputed for
  each repeat), or a reduction in REDUCTIONS (each element read once), in the
  same block; a value that is returned, yielded or read by anything else is
  materialized;
- recomputation is bounded: a lazy value is computed in every loop it
  reaches; counting each path of lazy consumers (an overestimate where two
  paths meet in one loop), at most MAX_EVALUATIONS times, and only once for
  the COSTLY ops (transcendental math): recomputing softmax's `exp` in the
  sum's loop and the division's costs more than writing `exp(t)` once and
  reading it back (docs/performance.md, section Kernels, measures the trade).

A value read twice inside one loop (`x * x`, diamonds) is computed once there:
`flatten` shares each lazy value and each operand read within one generic.

Two rules cut passes over materialized values:

- written by its reduction: an element-wise result that is materialized and
  whose first consumer is a reduction reading it element by element is
  computed in that reduction's loop, which writes it as a second output (one
  `linalg.generic`, two outputs) while it reduces it; later consumers read
  the written tensor. Softmax's `exp(t)` is written by the sum's loop, not by
  a loop of its own that the sum reads back. Only into float sums and means
  over every axis (`_writes_well` says why).
- in place: an element-wise op whose operand is a fresh tensor of the
  result's type (computed by an element-wise op or a reduction in the same
  block) that nothing reads afterwards writes its result into that tensor's
  buffer: softmax's division overwrites `exp(t)`, which bufferization then
  places in the function's output buffer.
"""
from __future__ import annotations

from nxc.compiler.ir.core import Block, Function, Operation, Value

# Filled by the lowerings: ops lowered as one `em.elementwise` whose body reads
# nothing but its element arguments, and reductions that read their operand
# through `em.generic` once per element.
ELEMENTWISE: set[str] = set()
REDUCTIONS: set[str] = set()

# Ops whose result is their operand read along other axes (no arithmetic): a
# materialized element-wise consumer reads the operand through the composed
# map instead of a copy, however many consumers there are. Their operand is
# never lazy (it would be recomputed for each repeat): they are no fusible use.
BROADCASTS = frozenset({"broadcast"})

MAX_EVALUATIONS = 2

# Ops whose element costs far more than reading it back from memory.
COSTLY = frozenset("""
    exp expm1 log log1p log2 log10 tanh sigmoid erf erfc erf_inv sin cos tan atan2 pow
    cosh sinh acos asin atan acosh asinh atanh cbrt
""".split())


class Lazy:
    """An element-wise result left unmaterialized: `operands` are (tensor or
    Lazy, loop exprs over this value's axes) and `body` maps their elements to
    this value's element; `location` is the producer's MLIR location.

    A result that the first loop reading it writes (Plan.written) is a Lazy
    whose `written` is the empty tensor to write it into; that loop sets
    `tensor` to the written tensor, which later consumers read."""

    __slots__ = ("operands", "body", "location", "written", "tensor")

    def __init__(self, operands, body, location, written=None):
        self.operands = list(operands)
        self.body = body
        self.location = location
        self.written = written
        self.tensor = None


class Plan:
    """What fusion does in one function: `lazy`, the results left lazy;
    `written`, materialized results that the loop of a reduction (the op they
    map to) writes; `in_place`, element-wise ops that write their result into
    the buffer of their operand at that position."""

    __slots__ = ("lazy", "written", "in_place")

    def __init__(self):
        self.lazy: set[Value] = set()
        self.written: dict[Value, Operation] = {}
        self.in_place: dict[Operation, int] = {}


def plan(fn: Function) -> Plan:
    """The fusion plan of `fn` (every block)."""
    p = Plan()
    _plan_block(fn.body, p)
    return p


def _plan_block(block: Block, p: Plan):
    users: dict[Value, list] = {}  # value -> the ops of this block reading it, in order
    for op in block.ops:
        for v in op.operands:
            users.setdefault(v, []).append(op)
        for region in op.regions:
            _plan_block(region, p)
            for inner in _free_values(region):
                users.setdefault(inner, []).append(op)  # a region's read is no fusible use
    _plan_lazy(block, users, p.lazy)
    for op in block.ops:
        if op.name not in ELEMENTWISE or len(op.results) != 1 or op.results[0] in p.lazy:
            continue
        first = users.get(op.results[0], [None])[0]
        if first is not None and first.name in REDUCTIONS and _writes_well(first):
            p.written[op.results[0]] = first
    here = {id(op) for op in block.ops}
    for op in block.ops:
        if op.name not in ELEMENTWISE or len(op.results) != 1:
            continue
        r = op.results[0]
        if r in p.lazy or r in p.written:
            continue
        for k, v in enumerate(op.operands):
            if (_fresh(v) and id(v.owner) in here and v not in p.lazy
                    and users[v][-1] is op and v.type.dtype == r.type.dtype
                    and tuple(v.type.shape) == tuple(r.type.shape)):
                p.in_place[op] = k
                break


def _fresh(v: Value) -> bool:
    """Whether `v` is a tensor of its own, which its consumer may overwrite: the
    result of an element-wise op or a reduction (never a parameter, nor a view)."""
    return isinstance(v.owner, Operation) and v.owner.name in ELEMENTWISE | REDUCTIONS


def _writes_well(reduction) -> bool:
    """Whether the loop of `reduction` may also write its operand: a real float
    sum or mean over every axis. parallel.py splits these into chunks that sum
    in a stack cell, which LLVM keeps in a register beside the stores. Other
    reductions stay out: one over every axis runs on one thread (it would take
    the operand's loop off the threads), and one that keeps an axis adds into
    an output element that LLVM cannot tell apart from the written operand, so
    its loop would not vectorize."""
    if reduction.results[0].type.rank != 0:  # axes kept, or kept as size 1
        return False
    if reduction.name == "sum":
        return reduction.results[0].type.dtype.is_float
    return reduction.name == "mean" and reduction.operands[0].type.dtype.is_float


def _plan_lazy(block: Block, users, fused: set[Value]):
    evaluations: dict[Value, int] = {}  # lazy value -> loops that compute it
    for op in reversed(block.ops):  # consumers before producers
        if (op.name not in ELEMENTWISE and op.name not in BROADCASTS) or len(op.results) != 1:
            continue
        v = op.results[0]
        consumers = list({id(u): u for u in users.get(v, [])}.values())
        if not all(_fusible_use(u, v) for u in consumers):
            continue
        if op.name in BROADCASTS:
            # A read costs what reading a copy costs. Only a loop that writes
            # every element (a materialized element-wise op) may read it: in
            # a reduction's loop, an axis the broadcast adds would be indexed
            # by no operand, and the loop would have no bound.
            if all(u.name in ELEMENTWISE and u.results[0] not in fused for u in consumers):
                fused.add(v)
            continue
        count = sum(evaluations.get(u.results[0], 1) if u.results else 1 for u in consumers)
        if count <= (1 if op.name in COSTLY else MAX_EVALUATIONS):
            fused.add(v)
            evaluations[v] = count


def _fusible_use(user, v: Value) -> bool:
    if user.name in REDUCTIONS:
        return True
    return user.name in ELEMENTWISE and user.results[0].type.shape == v.type.shape


def _free_values(block: Block):
    """Values a region reads (operands of its ops, nested regions included)."""
    for op in block.ops:
        yield from op.operands
        for region in op.regions:
            yield from _free_values(region)


def flatten(inputs):
    """The operand reads of a generic whose inputs (value, exprs) may be lazy.

    Returns the distinct (tensor, exprs) reads and `evaluate(element_args)`,
    which gives one element per input (computing the lazy ones inline, each
    lazy value once). Loop exprs compose through lazy operands: a lazy value's
    axis i is the consumer's expression i.
    """
    reads: list = []

    def read(tensor, exprs):
        for k, (t, e) in enumerate(reads):
            if t == tensor and e == exprs:
                return k
        reads.append((tensor, exprs))
        return len(reads) - 1

    def tree(v, exprs):
        """A read's index, or (lazy, subtrees, key): the key names the lazy value
        and what it reads, so that equal computations are shared."""
        if isinstance(v, Lazy):
            subtrees = [tree(u, [None if e is None else exprs[e] for e in u_exprs])
                        for u, u_exprs in v.operands]
            return v, subtrees, (id(v),) + tuple(_key(s) for s in subtrees)
        return read(v, list(exprs))

    trees = [tree(v, exprs) for v, exprs in inputs]

    def evaluate(args):
        done = {}

        def value(t):
            if isinstance(t, int):
                return args[t]
            lazy, subtrees, key = t
            if key not in done:
                operands = [value(s) for s in subtrees]
                with lazy.location:
                    done[key] = lazy.body(*operands)
            return done[key]
        return [value(t) for t in trees]
    return reads, evaluate


def _key(t):
    return t if isinstance(t, int) else t[2]
