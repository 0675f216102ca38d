"""IR -> MLIR for the GPU targets: the CPU lowerings, with a few replaced.

The emitter is the CPU's (`codegen/emit.py`) with three differences:

- Every `linalg.generic` lists its parallel loops first: the parallel loops
  become the threads of a kernel, and a loop nest that put a reduction outside
  a parallel loop (dot's i-k-j order, good for CPU caches) would leave one
  thread per row doing a whole matrix row's work. With the parallel loops
  first each thread owns one result element and runs the reduction itself.
- Reductions whose results are few (at most SPLIT_MAX_OUTPUTS elements, all
  static) over many elements (at least SPLIT_MIN_ELEMENTS, or a symbolic
  count) run in two passes: LANES threads per result each reduce every
  LANES-th element into a partial result, then one thread per result combines
  the LANES partials. Other reductions (a softmax's row sums, say) use one
  thread per result element, the reduced axes looping in that thread.
  argmax/argmin always use one thread per result (their ties need the
  elements' order, which the lanes interleave).
- Ops whose CPU lowering reads a tensor element on the host or builds a shape
  in memory are written as data-parallel code instead: take_row/put_row read their index inside the
  kernel, indexed_add/indexed_put visit the index positions from each result
  element, a fill's value read from a tensor is read in the kernel; every
  `tensor.reshape` (whose shape would be a buffer in device memory that the
  host reads) becomes a collapse to one axis and an expansion.
- dot never calls the CPU's host GEMM; print_value (a host callback) is a
  CompileError.
"""
from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, scf, tensor

from nxc.compiler.codegen import scalar as S
from nxc.compiler.codegen.emit import FunctionEmitter
from nxc.compiler.codegen.lowerings import LOWERINGS
from nxc.compiler.codegen.lowerings.indexing import _indexed_positions
from nxc.compiler.codegen.lowerings.linalg import loop_nest
from nxc.compiler.codegen.lowerings.reductions import (_accumulator, _loops,
                                                       divided_by_count, mean_types)
from nxc.compiler.codegen.lowerings.shape import converted
from nxc.compiler.codegen.mlir_types import compute_dtype, element_type
from nxc.compiler.ir import dtypes
from nxc.compiler.ir.types import Dim, TensorType

LANES = 1024
SPLIT_MAX_OUTPUTS = 64
SPLIT_MIN_ELEMENTS = 4096

GPU_LOWERINGS: dict = {}


def gpu_lowering(*names):
    def deco(fn):
        for name in names:
            GPU_LOWERINGS[name] = fn
        return fn
    return deco


class GpuEmitter(FunctionEmitter):
    TARGET = "GPU"
    FUSES = False  # each op is its own kernel (docs/gpu.md)

    def rule(self, name):
        return GPU_LOWERINGS.get(name) or LOWERINGS.get(name)

    def fill(self, t, value):
        """A fill whose value is computed from a tensor element (pad's value, a
        window scatter's init) computes it in the kernel: the host never reads
        device memory."""
        ops = _scalar_slice(value)
        if ops is None:
            return super().fill(t, value)

        def body(_):
            mapping = {}
            for op in ops:
                new = op.clone()
                for i, v in enumerate(new.operands):
                    if v in mapping:
                        new.operands[i] = mapping[v]
                for old, r in zip(op.results, new.results):
                    mapping[old] = r
            return mapping[value]
        rank = t.rank
        return self.generic([], [(self.empty(t), list(range(rank)))], rank, ["parallel"] * rank,
                            body)

    def generic(self, inputs, outputs, n_loops, iterators, body):
        order = ([i for i, k in enumerate(iterators) if k == "parallel"]
                 + [i for i, k in enumerate(iterators) if k != "parallel"])
        if order == list(range(n_loops)):
            return super().generic(inputs, outputs, n_loops, iterators, body)
        new = {old: pos for pos, old in enumerate(order)}
        move = ir.AffineMap.get(n_loops, 0, [ir.AffineDimExpr.get(new[d]) for d in range(n_loops)])

        def remap(exprs):
            return [e if e is None else new[e] if isinstance(e, int) else e.compose(move)
                    for e in exprs]
        result = super().generic([(v, remap(e)) for v, e in inputs],
                                 [(v, remap(e)) for v, e in outputs], n_loops,
                                 [iterators[i] for i in order], body)
        first = result[0] if isinstance(result, list) else result

        def renumber(o):
            if o.name == "linalg.index":
                old = ir.IntegerAttr(o.attributes["dim"]).value
                o.attributes["dim"] = ir.IntegerAttr.get(ir.IntegerType.get_signless(64), new[old])
            return ir.WalkResult.ADVANCE
        first.owner.walk(renumber)
        return result


_SCALAR_DIALECTS = ("arith.", "math.", "complex.")


def _scalar_slice(value):
    """The ops computing the scalar `value` from tensor elements (tensor.extract
    and the arith/math/complex ops after them), in order; None if it reads none."""
    ops, seen, found = [], set(), []

    def visit(v):
        owner = v.owner
        if isinstance(owner, ir.Block):
            return
        op = owner.operation
        if op in seen:
            return
        if op.name == "tensor.extract":
            found.append(op)
        elif op.regions or not op.name.startswith(_SCALAR_DIALECTS):
            return
        else:
            for operand in op.operands:
                visit(operand)
        seen.add(op)
        ops.append(op)
    visit(value)
    return ops if found else None


def emit_module(module, context):
    """`emit.emit_module` with the GPU emitter."""
    from nxc.compiler.codegen import abi
    exports = [abi.export_of(module, fn) for fn in module.functions.values()]
    with context, ir.Location.unknown():
        m = ir.Module.create()
        for fn, ex in zip(module.functions.values(), exports):
            GpuEmitter(fn, ex, m).emit()
        reshapes_without_shape_buffers(m)
    return m, exports


# ---------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------

def _count(em, t: TensorType, axes):
    """(static product or None, index value) of the sizes of `axes` of `t`."""
    static, value = 1, S.index(1)
    for a in axes:
        d = t.shape[a]
        static = None if static is None or isinstance(d, Dim) else static * d
        value = arith.muli(value, em.size(d))
    return static, value


def accumulate(em, op, x, acc_t, init, combine, merge):
    """Reduce op's operand into an accumulator of type `acc_t` (the op's result
    shape), starting from `init`; `combine(acc, element)` takes storage values,
    `merge(acc, partial)` combines two accumulators."""
    xt = op.operands[0].type
    axes = tuple(sorted(op.attrs["axes"]))
    kept = [i for i in range(xt.rank) if i not in axes]
    out_static = [xt.shape[i] for i in kept]
    n_out = None if any(isinstance(d, Dim) for d in out_static) else _prod(out_static)
    reduced, r_count = _count(em, xt, axes)
    split = (n_out is not None and n_out <= SPLIT_MAX_OUTPUTS
             and (reduced is None or reduced >= SPLIT_MIN_ELEMENTS))
    out = op.result.type.with_dtype(acc_t)
    if not split:
        in_exprs, out_exprs, iters = _loops(xt, axes, op.attrs["keep_axes"])
        acc = em.fill(out, S.stored_const(acc_t, init))
        return em.generic([(x, in_exprs)], [(acc, out_exprs)], len(iters), iters,
                          lambda e, a: combine(a, e))
    # Pass 1: partial[kept..., lane] reduces the elements lane, lane + LANES, ...
    n_par = len(kept)
    partial_t = TensorType(acc_t, tuple(out_static) + (LANES,))
    partial = em.fill(partial_t, S.stored_const(acc_t, init))
    sizes = [em.size(xt.shape[a]) for a in axes]
    step = S.index(LANES)

    def lane_body(acc):
        lane = S.loop_index(n_par)
        outer = [S.loop_index(k) for k in range(n_par)]  # linalg.index: not inside the loop
        loop = scf.ForOp(lane, r_count, step, [acc])
        with ir.InsertionPoint(loop.body):
            rest, coords = loop.induction_variable, {}
            for k in reversed(range(len(axes))):  # r < R: the outermost needs no remainder
                coords[axes[k]] = arith.remui(rest, sizes[k]) if k else rest
                if k:
                    rest = arith.divui(rest, sizes[k])
            for k, a in enumerate(kept):
                coords[a] = outer[k]
            e = tensor.ExtractOp(x, [coords[i] for i in range(xt.rank)]).result
            scf.YieldOp([combine(loop.inner_iter_args[0], e)])
        return loop.results[0]
    rank = n_par + 1
    partial = em.generic([], [(partial, list(range(rank)))], rank, ["parallel"] * rank,
                         lane_body)
    # Pass 2: one thread per result merges its LANES partials.
    keep = op.attrs["keep_axes"]
    out_exprs = ([None if i in axes else kept.index(i) for i in range(xt.rank)] if keep
                 else list(range(n_par)))
    acc = em.fill(out, S.stored_const(acc_t, init))
    return em.generic([(partial, list(range(rank)))], [(acc, out_exprs)], rank,
                      ["parallel"] * n_par + ["reduction"], lambda p, a: merge(a, p))


def _prod(xs):
    n = 1
    for x in xs:
        n *= x
    return n


def _finish(em, op, r, acc_t):
    out = op.result.type
    if acc_t == out.dtype:
        return r
    return em.elementwise(out, [(r, out.with_dtype(acc_t))],
                          lambda a: S.convert(a, acc_t, out.dtype))


def _sum_like(identity, fold):
    def lower(em, op, x):
        src = op.operands[0].type.dtype
        out_t = op.result.type.dtype
        acc_t = out_t if out_t.is_int else _accumulator(out_t)
        r = accumulate(em, op, x, acc_t, identity,
                       lambda acc, e: fold(acc_t, acc, S.convert(e, src, acc_t)),
                       lambda a, b: fold(acc_t, a, b))
        return _finish(em, op, r, acc_t)
    return lower


gpu_lowering("sum")(_sum_like(0, S.add))
gpu_lowering("product")(_sum_like(1, S.mul))


def _extremum(pick, identity):
    def lower(em, op, x):
        t = op.operands[0].type.dtype
        acc_t = _accumulator(t)
        r = accumulate(em, op, x, acc_t, identity(t),
                       lambda acc, e: pick(acc_t, acc, S.convert(e, t, acc_t)),
                       lambda a, b: pick(acc_t, a, b))
        return _finish(em, op, r, acc_t)
    return lower


gpu_lowering("reduce_max")(_extremum(S.maximum, lambda t: t.min_value()))
gpu_lowering("reduce_min")(_extremum(S.minimum, lambda t: t.max_value()))


def _truth_reduce(identity, fold):
    def lower(em, op, x):
        t = op.operands[0].type.dtype
        u8 = dtypes.u8
        r = accumulate(em, op, x, u8, identity,
                       lambda acc, e: fold(acc, S.convert(S.truth(e, t), S.BOOL, u8)), fold)
        return _finish(em, op, r, u8)
    return lower


gpu_lowering("all")(_truth_reduce(1, arith.andi))
gpu_lowering("any")(_truth_reduce(0, arith.ori))


@gpu_lowering("mean")
def _mean(em, op, x):
    xt = op.operands[0].type
    src = xt.dtype
    acc_t, div_t = mean_types(src)
    total = accumulate(em, op, x, acc_t, 0,
                       lambda acc, e: S.add(acc_t, acc, S.convert(e, src, acc_t)),
                       lambda a, b: S.add(acc_t, a, b))
    _, count = _count(em, xt, op.attrs["axes"])
    return divided_by_count(em, op.result.type, total, acc_t, div_t, count)


# ---------------------------------------------------------------------------
# Shapes and rows
# ---------------------------------------------------------------------------

def reshapes_without_shape_buffers(module: ir.Module):
    """Replace each `tensor.reshape` whose shape is a `tensor.from_elements` by a
    collapse to one axis (a rank-0 tensor: an expansion to one) and an
    expansion to the result: a shape tensor would become a buffer in device
    memory that the host reads sizes from."""
    found = []

    def visit(o):
        if o.name == "tensor.reshape":
            found.append(o)
        return ir.WalkResult.ADVANCE
    module.operation.walk(visit)
    for op in found:
        source, shape = op.operands
        if isinstance(shape.owner, ir.Block) or shape.owner.operation.name != "tensor.from_elements":
            continue
        sizes = list(shape.owner.operation.operands)
        src, dst = ir.RankedTensorType(source.type), ir.RankedTensorType(op.results[0].type)
        dyn = ir.ShapedType.get_dynamic_size()
        with ir.InsertionPoint(op), op.location:
            n = dyn if not src.has_static_shape else _prod(src.shape)
            flat_ty = ir.RankedTensorType.get([n], src.element_type)
            if src.rank == 0:
                flat = tensor.ExpandShapeOp(flat_ty, source, ir.ArrayAttr.get([]), [], [1]).result
            else:
                flat = tensor.CollapseShapeOp(flat_ty, source, _group(src.rank)).result
            # expand_shape wants the flat size static exactly when the result's is
            want = ir.RankedTensorType.get([_prod(dst.shape) if dst.has_static_shape else dyn],
                                           src.element_type)
            if want != flat_ty:
                flat = tensor.CastOp(want, flat).result
            dynamic = [sizes[i] for i, d in enumerate(dst.shape) if d == dyn]
            if dst.rank == 0:
                out = tensor.CollapseShapeOp(dst, flat, ir.ArrayAttr.get([])).result
            elif len(dynamic) <= 1:
                out = tensor.ExpandShapeOp(dst, flat, _group(dst.rank), dynamic,
                                           list(dst.shape)).result
            else:  # memref lowering takes one dynamic size per expanded group: copy
                out = _unflatten(flat, dst, sizes, dynamic)
        op.results[0].replace_all_uses_with(out)
        op.erase()


def _unflatten(flat, dst, sizes, dynamic):
    """A new tensor of type `dst` whose element i..k is flat[row-major index]."""
    from mlir.dialects import linalg
    rank = dst.rank
    empty = tensor.EmptyOp.build_generic(results=[dst], operands=dynamic).result
    ident = ir.AffineMapAttr.get(ir.AffineMap.get_identity(rank))
    op = linalg.GenericOp([dst], [], [empty], ir.ArrayAttr.get([ident]),
                          ir.ArrayAttr.get([ir.Attribute.parse("#linalg.iterator_type<parallel>")]
                                           * rank))
    blk = op.regions[0].blocks.append(dst.element_type)
    with ir.InsertionPoint(blk):
        pos = S.index(0)
        for k in range(rank):
            pos = arith.addi(arith.muli(pos, sizes[k]), S.loop_index(k))
        linalg.YieldOp([tensor.ExtractOp(flat, [pos]).result])
    return op.result


def _group(rank):
    i64 = ir.IntegerType.get_signless(64)
    return ir.ArrayAttr.get([ir.ArrayAttr.get([ir.IntegerAttr.get(i64, i) for i in range(rank)])])


def _row_index(em, op, index, rows):
    """(row as index, in-range flag), read from the scalar tensor `index` inside a kernel."""
    it = op.operands[1].type.dtype
    i64 = element_type(dtypes.s64)
    # u64 indices past 2**63 become negative here, out of range either way.
    i = S.convert(tensor.ExtractOp(index, []).result, it, dtypes.s64)
    n = arith.index_cast(i64, rows)
    in_range = arith.andi(arith.cmpi(arith.CmpIPredicate.sge, i, S.constant(i64, 0)),
                          arith.cmpi(arith.CmpIPredicate.slt, i, n))
    safe = arith.select(in_range, i, S.constant(i64, 0))
    return arith.index_cast(ir.IndexType.get(), safe), in_range


@gpu_lowering("take_row")
def _take_row(em, op, buffer, index):
    bt = op.operands[0].type
    out = op.result.type
    rows = em.size(bt.shape[0])
    zero = S.stored_const(out.dtype, 0)

    def body(_):
        at, in_range = _row_index(em, op, index, rows)
        coords = [at] + [S.loop_index(k) for k in range(out.rank)]
        v = tensor.ExtractOp(buffer, coords).result
        return arith.select(in_range, v, zero)
    return em.generic([], [(em.empty(out), list(range(out.rank)))], out.rank,
                      ["parallel"] * out.rank, body)


@gpu_lowering("put_row")
def _put_row(em, op, buffer, index, row):
    bt = op.operands[0].type
    rows = em.size(bt.shape[0])

    def body(old):
        at, in_range = _row_index(em, op, index, rows)
        here = arith.andi(in_range, arith.cmpi(arith.CmpIPredicate.eq, S.loop_index(0), at))
        coords = [S.loop_index(k) for k in range(1, bt.rank)]
        new = tensor.ExtractOp(row, coords).result
        return arith.select(here, new, old)
    return em.generic([(buffer, list(range(bt.rank)))], [(em.empty(bt), list(range(bt.rank)))],
                      bt.rank, ["parallel"] * bt.rank, lambda old, _: body(old))


def _scatter(add):
    """indexed_add / indexed_put as one thread per result element: it starts from
    x's element and visits every index position in row-major order, applying
    the update that lands on it (so repeated indices add up, or the last one
    wins, as in the reference), instead of the CPU's loop over positions
    writing slices at indices only the device knows."""
    def lower(em, op, x, indices, updates):
        xt, it, ut = (v.type for v in op.operands)
        out = op.result.type
        dt = out.dtype
        acc = converted(em, x, xt, dt)
        upd = converted(em, updates, ut, dt)
        lead = it.rank - 1
        window = ut.shape[lead:]
        if any(d == 0 for d in window):
            return acc
        _, count = _count(em, it, tuple(range(lead)))
        lead_sizes = [em.size(it.shape[i]) for i in range(lead)]

        def body(old):
            here = [S.loop_index(i) for i in range(out.rank)]
            loop = scf.ForOp(S.index(0), count, S.index(1), [old])
            with ir.InsertionPoint(loop.body):
                rest, ivs = loop.induction_variable, [None] * lead
                for i in reversed(range(lead)):
                    ivs[i] = arith.remui(rest, lead_sizes[i]) if i else rest
                    rest = arith.divui(rest, lead_sizes[i])
                pos = _indexed_positions(em, op, indices, ivs, xt)
                hit, coords, k = S.true(), list(ivs), 0
                for a, p in enumerate(pos):
                    if p is not None:
                        hit = arith.andi(hit, arith.cmpi(arith.CmpIPredicate.eq, here[a], p))
                    else:  # a window axis: updates cover [0, window[k])
                        size = em.size(window[k])
                        hit = arith.andi(hit, arith.cmpi(arith.CmpIPredicate.ult, here[a], size))
                        coords.append(arith.minui(here[a], arith.subi(size, S.index(1))))
                        k += 1
                v = tensor.ExtractOp(upd, coords).result
                cur = loop.inner_iter_args[0]
                if add:
                    v = S.store(S.add(dt, S.load(cur, dt), S.load(v, dt)), dt)
                scf.YieldOp([arith.select(hit, v, cur)])
            return loop.results[0]
        return em.generic([(acc, list(range(out.rank)))], [(em.empty(out), list(range(out.rank)))],
                          out.rank, ["parallel"] * out.rank, lambda a, _: body(a))
    return lower


gpu_lowering("indexed_add")(_scatter(True))
gpu_lowering("indexed_put")(_scatter(False))


@gpu_lowering("dot")
def _dot(em, op, x, y):
    """The CPU's loop-nest contraction (never its host GEMM call): one thread
    per result element, summing its products in increasing k."""
    return loop_nest(em, op, x, y, reduction_last=True)


# Ops the GPU targets reject, and why (docs/ops.md's cuda column reads this).
UNSUPPORTED = {
    "print_value": "its hook calls back into the host, which kernels cannot do; print on "
                   "the cpu target",
}


@gpu_lowering(*UNSUPPORTED)
def _unsupported(em, op, *operands):
    raise em.error(f"{op.name} is not supported on GPU targets: {UNSUPPORTED[op.name]}")


def _elementwise_kernel(kernel):
    """An element-wise lowering like element_kernels.kernel_op's, for GPU_LOWERINGS."""
    def lower(em, op, *xs):
        types = [v.type for v in op.operands]
        t = dtypes.promote_all([tt.dtype for tt in types])
        c = compute_dtype(t)
        out = op.result.type

        def body(*values):
            values = [S.load(S.convert(v, tt.dtype, t), t) for v, tt in zip(values, types)]
            return S.convert(kernel(c, *values), c, out.dtype)
        return em.elementwise(out, list(zip(xs, types)), body)
    return lower


def _shift(shift, fill):
    """A shift by the count y, or `fill(x)` when y is out of range. The count is
    first clamped to the width (unsigned: negative counts are huge): LLVM's
    NVPTX back end turns the range check into PTX's clamping shift, whose count
    is 32 bits, and would drop a 64-bit count's high bits (x << 2**63 gave x)."""
    def kernel(c, x, y):
        width = S.const(c, c.bits)
        y = arith.minui(y, width)
        ok = arith.cmpi(arith.CmpIPredicate.ult, y, width)
        return arith.select(ok, shift(c, x, arith.select(ok, y, S.const(c, 0))), fill(c, x))
    return _elementwise_kernel(kernel)


def _sign_fill(c, x):
    zero = S.const(c, 0)
    if c.is_unsigned:
        return zero
    return arith.select(S.compare(c, "lt", x, zero), S.const(c, -1), zero)


gpu_lowering("left_shift")(_shift(lambda c, x, y: arith.shli(x, y), lambda c, x: S.const(c, 0)))
gpu_lowering("right_shift")(_shift(
    lambda c, x, y: arith.shrui(x, y) if c.is_unsigned else arith.shrsi(x, y), _sign_fill))
