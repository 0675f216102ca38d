"""Large loop nests split across threads.

After bufferization, each `linalg.generic` big enough to be worth threads
(or of symbolic size) is outlined: its outermost parallel loop that every
operand indexes plainly (a bare `dN` in each map that uses it, in every
output) becomes the range [lo, hi) of a new function

    func.func private @__nxc_chunk_<i>(%lo: index, %hi: index, <operands>, <captures>)

which runs the same generic on the slices [lo, hi) of its operands along
that loop (`memref.subview`), and the op is replaced by a call of

    @__nxc_parallel_<i>(%lo, %hi, %work: i64, <operands>, <captures>)

`support.link` defines the latter in LLVM IR once the module is translated
(`dispatch_ir`): it picks a thread count for `work` (loop iterations times
the ops of the body, one thread per GRAIN of it), cuts [lo, hi) into
contiguous chunks and runs `__nxc_chunk_<i>` on each through the thread
support of threads_ir.py (JOBS_PER_THREAD chunks per thread, taken
dynamically). Chunks write disjoint slices of the outputs and
the body's arithmetic is unchanged, so results equal single-threaded ones
bit for bit.

A float sum over every loop into one scalar (`out + f(inputs)`, softmax's
denominator) has no parallel loop: it becomes partial sums of chunks of
loop 0 whose length depends on the sizes only, computed on threads, then
added into the result in chunk order, so it too gives the same bits for any
thread count.

Left single-threaded: other reductions over every axis (max, products),
bodies that read `linalg.index`, complex values captured by the body, and
named ops (fill, copy).
"""
from __future__ import annotations

import re

from mlir import ir
from mlir.dialects import arith, func, linalg, memref, scf

GRAIN = 1 << 18  # loop iterations x body ops per thread, below which one thread runs it
JOBS_PER_THREAD = 4  # chunks per thread, taken dynamically

CHUNK, DISPATCH = "__nxc_chunk_", "__nxc_parallel_"


def outline(module: ir.Module):
    """Outline every large `linalg.generic` of `module` (on buffers) into chunks."""
    found = []

    def visit(op):
        if op.name == "linalg.generic":
            found.append(op)
        return ir.WalkResult.ADVANCE

    module.operation.walk(visit, ir.WalkOrder.POST_ORDER)
    for n, op in enumerate(found):
        plan = _plan(op.opview)
        if plan is not None:
            _outline(module, op.opview, n, *plan)
            continue
        plan = _plan_sum(op.opview)
        if plan is not None:
            with op.location:
                _outline_sum(module, op.opview, n, *plan)


def _dim_positions(amap, d):
    """Result positions of `amap` that are exactly dim d, and whether d occurs
    inside any other result."""
    bare, mixed = [], False
    for r, e in enumerate(amap.results):
        if isinstance(e, ir.AffineDimExpr):
            if e.position == d:
                bare.append(r)
        elif f"d{d}" in re.findall(r"d\d+", str(e)):
            mixed = True
    return bare, mixed


def _plan(op):
    """(split loop, per operand the result position of that loop or None, the
    (operand, position) giving each loop's size, body ops) for an op worth
    outlining, else None."""
    operands = list(op.operands)
    if op.results or not all(isinstance(v.type, ir.MemRefType) for v in operands):
        return None
    maps, iters = _maps(op), [str(a) for a in op.iterator_types]
    n_in = len(op.inputs)
    found = _loop_sizes(op, maps, len(iters))
    if found is None:
        return None
    sizes, body_ops = found

    def static_size(d):
        i, r = sizes[d]
        return operands[i].type.shape[r]
    for d, kind in enumerate(iters):
        if "parallel" not in kind or static_size(d) == 1:
            continue
        cut = []
        for i, m in enumerate(maps):
            bare, mixed = _dim_positions(m, d)
            if mixed or len(bare) > 1 or (i >= n_in and not bare):
                break
            cut.append(bare[0] if bare else None)
        else:
            return d, cut, sizes, body_ops
    return None


def _maps(op):
    return [ir.AffineMapAttr(a).value for a in op.indexing_maps]


def _loop_sizes(op, maps, n_loops):
    """((operand, result position) giving each loop's size, body ops) of a
    generic worth threads (large or of symbolic size, no `linalg.index`), else None."""
    operands = list(op.operands)
    sizes = {}
    for i, m in enumerate(maps):
        for r, e in enumerate(m.results):
            if isinstance(e, ir.AffineDimExpr):
                sizes.setdefault(e.position, (i, r))
    if len(sizes) < n_loops or any(o.name == "linalg.index" for o in _flat(op)):
        return None
    total = 1
    for d in range(n_loops):
        i, r = sizes[d]
        s = operands[i].type.shape[r]
        total = None if total is None or s < 0 else total * s
    body_ops = max(1, len(list(op.regions[0].blocks[0].operations)) - 1)
    if total is not None and total * body_ops < 2 * GRAIN:
        return None
    return sizes, body_ops


def _plan_sum(op):
    """(sizes, body ops, per operand the position of loop 0 or None, the
    accumulator's operand index) for a float sum over every loop into one
    scalar (`out + f(inputs)`), worth threads; else None. Other outputs must
    index loop 0 plainly (values written element by element as they are
    summed, fusion.py): each chunk writes its slice of them."""
    operands = list(op.operands)
    if op.results or not all(isinstance(v.type, ir.MemRefType) for v in operands):
        return None
    iters = [str(a) for a in op.iterator_types]
    scalars = [j for j, o in enumerate(op.outputs) if o.type.rank == 0]
    if len(scalars) != 1 or not iters or any("reduction" not in k for k in iters):
        return None
    j = scalars[0]
    acc = len(op.inputs) + j
    if not isinstance(op.outputs[j].type.element_type, (ir.F32Type, ir.F64Type)):
        return None
    block = op.regions[0].blocks[0]
    body = list(block.operations)
    out = block.arguments[acc]
    add = body[-1].operands[j].owner if len(body) >= 2 else None
    if add is None or getattr(add, "name", None) != "arith.addf":
        return None
    uses = [o for o in body for v in o.operands if v == out]
    if len(uses) != 1 or not any(v == out for v in add.operands):
        return None
    maps = _maps(op)
    found = _loop_sizes(op, maps, len(iters))
    if found is None:
        return None
    cut = []
    for i, m in enumerate(maps):
        if i == acc:
            continue
        bare, mixed = _dim_positions(m, 0)
        if mixed or len(bare) > 1 or (i >= len(op.inputs) and not bare):
            return None
        cut.append(bare[0] if bare else None)
    return found[0], found[1], cut, acc


def _captures(op):
    """Values the body uses that are defined outside the op, in first-use order."""
    body = [o for b in op.regions[0].blocks for o in b.operations]
    inside = [a for b in op.regions[0].blocks for a in b.arguments]
    nested = [n for o in body for n in _flat(o)]
    for o in nested:
        inside.extend(o.results)
        for region in o.regions:
            for block in region.blocks:
                inside.extend(block.arguments)
    outside = []
    for o in nested:
        for v in o.operands:
            if not any(v == w for w in inside) and not any(v == w for w in outside):
                outside.append(v)
    return outside


_SCALAR = (ir.IndexType, ir.IntegerType, ir.F16Type, ir.F32Type, ir.F64Type)


def _constant(v):
    """The arith.constant that defines `v`, or None."""
    owner = v.owner
    return owner if getattr(owner, "name", None) == "arith.constant" else None


def _outline(module, op, n, d, cut, sizes, body_ops):
    operands = list(op.operands)
    captured = _captures(op)
    passed = [v for v in captured if _constant(v) is None]
    if not all(isinstance(v.type, _SCALAR) for v in passed):
        return
    entry, lo, hi, args = _chunk_function(module, n, [v.type for v in operands + passed])
    with ir.InsertionPoint(entry), op.location:
        length = arith.subi(hi, lo)
        views = [_slice(v, r, lo, length) if r is not None else v
                 for v, r in zip(args[:len(operands)], cut)]
        _clone_body(op, views, captured, passed, args[len(operands):])
        func.ReturnOp([])
    with ir.InsertionPoint(op), op.location:
        extent = _size(operands, sizes[d])
        _dispatch(n, _index(0), extent, _work(operands, sizes, body_ops), operands + passed)
    op.erase()


def _outline_sum(module, op, n, sizes, body_ops, cut, acc):
    """A sum into one scalar: partial sums of fixed chunks of loop 0 (fixed by
    the sizes alone, so the result does not depend on the thread count), each
    chunk on a thread, then added into the result in chunk order."""
    operands = list(op.operands)
    inputs, out = operands[:acc] + operands[acc + 1:], operands[acc]
    captured = _captures(op)
    passed = [v for v in captured if _constant(v) is None]
    if not all(isinstance(v.type, _SCALAR) for v in passed):
        return
    index, elem = ir.IndexType.get(), out.type.element_type
    dyn = ir.ShapedType.get_dynamic_size()
    partial_t = ir.MemRefType.get([dyn], elem)
    types = [v.type for v in inputs] + [partial_t, index, index] + [v.type for v in passed]
    entry, lo, hi, args = _chunk_function(module, n, types)
    ins, partials, per, extent = args[:len(inputs)], *args[len(inputs):len(inputs) + 3]
    with ir.InsertionPoint(entry), op.location:
        # Each chunk sums into a stack cell, which no operand can alias: LLVM
        # keeps the sum in registers even where the body also stores outputs.
        cell = memref.alloca(ir.MemRefType.get([], elem), [], [])
        loop = scf.ForOp(lo, hi, _index(1))
        with ir.InsertionPoint(loop.body):
            c = loop.induction_variable
            start = arith.muli(c, per)
            length = arith.minui(per, arith.subi(extent, start))
            views = [_slice(v, r, start, length) if r is not None else v
                     for v, r in zip(ins, cut)]
            memref.store(arith.constant(elem, 0.0), cell, [])
            _clone_body(op, views[:acc] + [cell] + views[acc:], captured, passed,
                        args[len(inputs) + 3:])
            memref.store(memref.load(cell, []), partials, [c])
            scf.YieldOp([])
        func.ReturnOp([])
    with ir.InsertionPoint(op), op.location:
        total = _size(operands, sizes[0])
        work = _work(operands, sizes, body_ops)
        # Chunks of about GRAIN: per = max(1, GRAIN / (work / total)).
        inner = arith.divui(work, arith.maxui(total, _index(1)))
        per = arith.maxui(arith.divui(_index(GRAIN), arith.maxui(inner, _index(1))), _index(1))
        count = arith.ceildivui(total, per)
        buf = memref.alloc(partial_t, [count], [])
        _dispatch(n, _index(0), count, work, inputs + [buf, per, total] + passed)
        combine = linalg.GenericOp(
            [], [buf], [out], ir.ArrayAttr.get([
                ir.AffineMapAttr.get(ir.AffineMap.get(1, 0, [ir.AffineDimExpr.get(0)])),
                ir.AffineMapAttr.get(ir.AffineMap.get(1, 0, []))]),
            ir.ArrayAttr.get([ir.Attribute.parse("#linalg.iterator_type<reduction>")]))
        blk = combine.regions[0].blocks.append(elem, elem)
        with ir.InsertionPoint(blk):
            linalg.YieldOp([arith.addf(blk.arguments[1], blk.arguments[0])])
        memref.dealloc(buf)
    op.erase()


def _chunk_function(module, n, arg_types):
    """Declare `__nxc_parallel_<n>` and define the empty `__nxc_chunk_<n>(lo, hi,
    args)`; returns its entry block, lo, hi and args."""
    index, i64 = ir.IndexType.get(), ir.IntegerType.get_signless(64)
    with ir.InsertionPoint(module.body), ir.Location.unknown():
        f = func.FuncOp(f"{CHUNK}{n}", ir.FunctionType.get([index, index] + arg_types, []))
        f.attributes["sym_visibility"] = ir.StringAttr.get("private")
        entry = f.add_entry_block()
        g = func.FuncOp(f"{DISPATCH}{n}",
                        ir.FunctionType.get([index, index, i64] + arg_types, []))
        g.attributes["sym_visibility"] = ir.StringAttr.get("private")
    args = list(entry.arguments)
    return entry, args[0], args[1], args[2:]


def _clone_body(op, operands, captured, passed, passed_args):
    """Clone `op` here on `operands`, its body reading the chunk's arguments (or
    clones of constants) for the values it captured."""
    mapping = list(zip(passed, passed_args))
    for v in captured:
        if _constant(v) is not None:
            mapping.append((v, _constant(v).operation.clone().results[0]))
    clone = op.operation.clone()
    for i, v in enumerate(operands):
        clone.operands[i] = v
    _remap(op, clone, mapping)


def _index(value):
    return arith.constant(ir.IndexType.get(), value)


def _size(operands, where):
    i, r = where
    return memref.dim(operands[i], _index(r))


def _work(operands, sizes, body_ops):
    """Loop iterations times body ops (index)."""
    work = _index(body_ops)
    for loop in sorted(sizes):
        work = arith.muli(work, _size(operands, sizes[loop]))
    return work


def _dispatch(n, lo, hi, work, args):
    i64 = ir.IntegerType.get_signless(64)
    func.CallOp([], ir.FlatSymbolRefAttr.get(f"{DISPATCH}{n}"),
                [lo, hi, arith.index_cast(i64, work)] + args)


def _slice(buf, r, lo, length):
    """`buf` restricted to [lo, lo + length) along axis r."""
    shape = buf.type.shape
    dyn = ir.ShapedType.get_dynamic_size()
    offsets = [lo if i == r else 0 for i in range(len(shape))]
    sizes = [length if i == r else (memref.dim(buf, arith.constant(ir.IndexType.get(), i))
                                    if s == dyn else s) for i, s in enumerate(shape)]
    strides, _ = buf.type.get_strides_and_offset()
    result = ir.MemRefType.get([dyn if i == r else s for i, s in enumerate(shape)],
                               buf.type.element_type, ir.StridedLayoutAttr.get(
                                   ir.ShapedType.get_dynamic_stride_or_offset(), strides))
    return memref.subview(buf, offsets, sizes, [1] * len(shape), result_type=result)


def _remap(original, clone, mapping):
    """In `clone`'s body, use the chunk's values for the captured ones."""
    a = [o for b in original.regions[0].blocks for o in b.operations]
    c = [o for b in clone.regions[0].blocks for o in b.operations]
    for x, y in zip(a, c):
        xs, ys = _flat(x), _flat(y)
        for ox, oy in zip(xs, ys):
            for i, v in enumerate(ox.operands):
                for old, new in mapping:
                    if v == old:
                        oy.operands[i] = new
                        break


def _flat(op):
    out = []

    def visit(o):
        out.append(o)
        return ir.WalkResult.ADVANCE
    getattr(op, "operation", op).walk(visit, ir.WalkOrder.PRE_ORDER)
    return out


# -- the dispatchers, in LLVM IR ------------------------------------------------

_DECLARED = re.compile(rf"^declare\b[^\n]*@{DISPATCH}(\d+)\(([^\n]*)\)[^\n]*\n?", re.M)


def dispatch_ir(text: str) -> tuple[str, list[str]]:
    """`text` without the declarations of the dispatchers, and their definitions."""
    bodies = []
    for m in _DECLARED.finditer(text):
        bodies.append(_dispatcher(m.group(1), [t.strip() for t in m.group(2).split(",")]))
    return _DECLARED.sub("", text), bodies


def _dispatcher(n: str, types: list[str]) -> str:
    """Define `__nxc_parallel_<n>(i64 lo, i64 hi, i64 work, args...)`."""
    args = types[3:]
    job = "{ i64, i64" + "".join(f", {t}" for t in args) + " }"
    params = ", ".join(f"{t} %a{i}" for i, t in enumerate(args))
    lines = [
        f"define internal ptr @__nxc_thunk_{n}(ptr %job) {{",
        "entry:",
        f"  %lo.p = getelementptr inbounds {job}, ptr %job, i32 0, i32 0",
        "  %lo = load i64, ptr %lo.p, align 8",
        f"  %hi.p = getelementptr inbounds {job}, ptr %job, i32 0, i32 1",
        "  %hi = load i64, ptr %hi.p, align 8"]
    for i, t in enumerate(args):
        lines += [f"  %a{i}.p = getelementptr inbounds {job}, ptr %job, i32 0, i32 {i + 2}",
                  f"  %a{i} = load {t}, ptr %a{i}.p"]
    call_args = ", ".join(["i64 %lo", "i64 %hi"] + [f"{t} %a{i}" for i, t in enumerate(args)])
    lines += [f"  call void @{CHUNK}{n}({call_args})", "  ret ptr null", "}", "",
              f"define internal void @{DISPATCH}{n}(i64 %lo, i64 %hi, i64 %work"
              f"{', ' + params if params else ''}) {{",
              "entry:",
              "  %ext = sub i64 %hi, %lo",
              f"  %threads = call i64 @__nxc_threads_for(i64 %work, i64 {GRAIN})",
              f"  %n0 = mul i64 %threads, {JOBS_PER_THREAD}",
              "  %n1 = call i64 @llvm.umin.i64(i64 %n0, i64 %ext)",
              "  %n = call i64 @llvm.umax.i64(i64 %n1, i64 1)",
              "  %one = icmp eq i64 %threads, 1",
              "  br i1 %one, label %alone, label %split",
              "alone:",
              f"  call void @{CHUNK}{n}({call_args})",
              "  ret void",
              "split:",
              f"  %jobs = alloca {job}, i64 %n, align 8",
              "  %nm1 = sub i64 %n, 1",
              "  %e1 = add i64 %ext, %nm1",
              "  %per = udiv i64 %e1, %n",
              "  br label %fill",
              "fill:",
              "  %t = phi i64 [0, %split], [%t.next, %fill]",
              "  %off0 = mul i64 %t, %per",
              "  %off = call i64 @llvm.umin.i64(i64 %off0, i64 %ext)",
              "  %end0 = add i64 %off, %per",
              "  %end = call i64 @llvm.umin.i64(i64 %end0, i64 %ext)",
              "  %clo = add i64 %lo, %off",
              "  %chi = add i64 %lo, %end",
              f"  %job = getelementptr inbounds {job}, ptr %jobs, i64 %t",
              f"  %jlo = getelementptr inbounds {job}, ptr %job, i32 0, i32 0",
              "  store i64 %clo, ptr %jlo, align 8",
              f"  %jhi = getelementptr inbounds {job}, ptr %job, i32 0, i32 1",
              "  store i64 %chi, ptr %jhi, align 8"]
    for i, t in enumerate(args):
        lines += [f"  %j{i} = getelementptr inbounds {job}, ptr %job, i32 0, i32 {i + 2}",
                  f"  store {t} %a{i}, ptr %j{i}"]
    lines += ["  %t.next = add i64 %t, 1",
              "  %t.more = icmp ult i64 %t.next, %n",
              "  br i1 %t.more, label %fill, label %run",
              "run:",
              f"  call void @__nxc_run_jobs(ptr @__nxc_thunk_{n}, ptr %jobs, i64 ptrtoint "
              f"(ptr getelementptr ({job}, ptr null, i32 1) to i64), i64 %n, i64 %threads)",
              "  ret void", "}"]
    return "\n".join(lines)
