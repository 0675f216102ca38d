"""Loops on buffers -> GPU kernels and the host code around them.

After `convert-linalg-to-parallel-loops` each function is host code (buffer
allocations, views, index arithmetic) with `scf.parallel` nests doing the work.
`map_to_gpu` turns every top-level `scf.parallel` into a `gpu.launch` of
ceil(N / BLOCK) blocks of BLOCK threads, N being the product of its trip
counts: thread `blockIdx.x * BLOCK + threadIdx.x` runs the iteration with that
row-major linear index (the innermost loop varies fastest, so neighbouring
threads touch neighbouring elements), threads past N do nothing. The loop's
body moves into the kernel unchanged; loops nested in it (a reduction's
`scf.for`) run sequentially in each thread.

Work the loops do not cover (an op on rank-0 buffers, which has no loop) would
otherwise run on the host and touch device memory: consecutive such ops become
a one-thread kernel. Control flow that allocates or frees buffers, yields
buffers or holds loops (a loop over an axis doing whole slices per step) stays
on the host, around the kernels of its body. A value computed from device memory that the host needs
(a tensor predicate of `cond` or `while`) is a CompileError: the host never
reads device memory.

`gpu-kernel-outlining` then makes one `gpu.module` per launch; `merge_modules`
gathers every kernel into the single module KERNEL_MODULE, which becomes one
image per architecture.
"""
from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, func, gpu, memref, scf

from nxc.runtime.errors import CompileError

BLOCK = 256  # threads per block
KERNEL_MODULE = "nxc_kernels"

_MEMORY = {"memref.load", "memref.store", "memref.atomic_rmw", "memref.generic_atomic_rmw",
           "memref.copy"}
# Region ops holding these, or yielding buffers, are host control flow.
_HOST = {"scf.parallel", "memref.alloc", "memref.alloca", "memref.dealloc"}
# Ops without side effects that may stay on the host between kernels.
_PURE_PREFIXES = ("arith.", "index.")
_PURE = {"memref.dim", "memref.subview", "memref.cast", "memref.expand_shape",
         "memref.collapse_shape", "memref.reinterpret_cast", "memref.extract_strided_metadata",
         "memref.rank", "affine.apply", "affine.min", "affine.max", "ub.poison"}


def _nested(op, names) -> bool:
    found = []

    def visit(o):
        if o.name in names:
            found.append(o)
            return ir.WalkResult.INTERRUPT
        return ir.WalkResult.ADVANCE
    op.walk(visit)
    return bool(found)


def _pure(op) -> bool:
    name = op.name
    return not op.regions and (name.startswith(_PURE_PREFIXES) or name in _PURE)


def _index(v: int) -> ir.Value:
    return arith.constant(ir.IndexType.get(), v)


def map_to_gpu(module: ir.Module):
    """Replace the loops of every host function by kernel launches, in place."""
    with module.context, ir.Location.unknown():
        for op in list(module.body.operations):
            if op.operation.name == "func.func" and op.regions[0].blocks:
                _Block(op.regions[0].blocks[0], module).map()


class _Block:
    """One block of host code: loops become launches, stray memory work one-thread kernels."""

    def __init__(self, block, module):
        self.block = block
        self.module = module
        self.group = []  # consecutive ops bound for one one-thread kernel

    def map(self):
        for op in list(self.block.operations):
            o = op.operation
            if o.name == "scf.parallel":
                self.flush()
                launch_loop(o)
            elif o.regions and (_nested(o, _HOST) or any(
                    isinstance(r.type, ir.MemRefType) for r in o.results)):
                self.flush()  # host control flow around kernels or buffers
                for region in o.regions:
                    for blk in region.blocks:
                        _Block(blk, self.module).map()
            elif (_nested(o, _MEMORY) or self._uses_group(o) or o.name == "func.call"
                  and any(isinstance(v.type, ir.MemRefType) for v in o.operands)):
                # a call on buffers runs in the kernel too: the host never
                # touches device memory (a callee without a GPU body fails
                # to link into the kernels, loudly)
                self.group.append(o)
            elif not _pure(o):
                self.flush()
        self.flush()

    def _uses_group(self, op) -> bool:
        return any(_defined_by(v, self.group) for v in _used_values(op))

    def flush(self):
        group, self.group = self.group, []
        if not group:
            return
        # Values the host needs after the kernel (a cond's predicate, a while
        # loop's condition) go through a one-element device buffer and a read.
        escaping = []
        for o in group:
            for r in o.results:
                if any(not _in(use.owner, group) for use in r.uses):
                    escaping.append(r)
        with ir.InsertionPoint(group[-1]):
            cells = [memref.AllocOp(ir.MemRefType.get([], _cell_type(v.type)), [], []).result
                     for v in escaping]
            one = _index(1)
            launch = gpu.LaunchOp((one, one, one), (one, one, one))
            reads = [(v, _read(self.module, cell, v.type)) for v, cell in zip(escaping, cells)]
            for cell in cells:
                memref.DeallocOp(cell)
        body = launch.regions[0].blocks[0]
        with ir.InsertionPoint(body):
            end = gpu.TerminatorOp()
        for o in group:
            o.move_before(end.operation)
        with ir.InsertionPoint(end):
            for v, cell in zip(escaping, cells):
                memref.StoreOp(_to_cell(v), cell, [])
        for v, host in reads:
            for use in [u for u in v.uses if not _in(u.owner, [launch.operation])]:
                use.owner.operands[use.operand_number] = host


READ_PREFIX = "__nxc_gpu_read_"


def _cell_type(t):
    if isinstance(t, ir.IntegerType) and t.width == 1:
        return ir.IntegerType.get_signless(8)
    if isinstance(t, ir.IndexType):
        return ir.IntegerType.get_signless(64)
    if isinstance(t, (ir.IntegerType, ir.F16Type, ir.F32Type, ir.F64Type)):
        return t
    raise CompileError(f"the host would need a {t} value from device memory, which GPU "
                       f"targets do not read back")


def _to_cell(v):
    cell = _cell_type(v.type)
    if cell == v.type:
        return v
    if isinstance(v.type, ir.IndexType):
        return arith.index_cast(cell, v)
    return arith.extui(cell, v)


def _read(module, cell, t):
    """The host value of the one-element device buffer `cell`, as type `t`."""
    ct = _cell_type(t)
    name = READ_PREFIX + str(ct)
    if name not in ir.SymbolTable(module.operation):
        with ir.InsertionPoint(module.body):
            f = func.FuncOp(name, ir.FunctionType.get([cell.type], [ct]))
            f.attributes["sym_visibility"] = ir.StringAttr.get("private")
    value = func.CallOp([ct], ir.FlatSymbolRefAttr.get(name), [cell]).result
    if ct == t:
        return value
    if isinstance(t, ir.IndexType):
        return arith.index_cast(t, value)
    return arith.trunci(t, value)


def _used_values(op):
    """Operands of `op` and of every op nested in it."""
    out = []

    def visit(o):
        out.extend(o.operands)
        return ir.WalkResult.ADVANCE
    op.walk(visit)
    return out


def _defined_by(value, ops) -> bool:
    owner = value.owner
    if isinstance(owner, ir.Block):
        return False
    owner = owner.operation if hasattr(owner, "operation") else owner
    return any(owner == o for o in ops)


def _in(op, ops) -> bool:
    return any(_contains(g, op) for g in ops)


def _contains(op, other) -> bool:
    """`other` is `op` or nested in it."""
    o = other.operation if hasattr(other, "operation") else other
    while o is not None:
        if o == op:
            return True
        o = o.parent
    return False


def launch_loop(loop):
    """Replace the `scf.parallel` `loop` by a `gpu.launch` running one iteration per thread."""
    p = loop.opview
    body = p.regions[0].blocks[0]
    ivs = list(body.arguments)
    lbs, ubs, steps = list(p.lowerBound), list(p.upperBound), list(p.step)
    with ir.InsertionPoint(loop):
        trips = [arith.ceildivsi(arith.subi(u, lb), s) for lb, u, s in zip(lbs, ubs, steps)]
        total = trips[0]
        for t in trips[1:]:
            total = arith.muli(total, t)
        block = _index(BLOCK)
        # A grid of zero blocks is an invalid launch; an empty loop gets one idle block.
        blocks = arith.maxui(arith.ceildivui(total, block), _index(1))
        one = _index(1)
        launch = gpu.LaunchOp((blocks, one, one), (block, one, one))
    kernel = launch.regions[0].blocks[0]
    with ir.InsertionPoint(kernel):
        bid, tid = kernel.arguments[0], kernel.arguments[3]
        linear = arith.addi(arith.muli(bid, block), tid)
        guard = scf.IfOp(arith.cmpi(arith.CmpIPredicate.ult, linear, total))
        with ir.InsertionPoint(guard.then_block):
            rest, values = linear, [None] * len(ivs)
            for k in reversed(range(len(ivs))):
                i = arith.remui(rest, trips[k]) if k else rest
                values[k] = arith.addi(lbs[k], arith.muli(i, steps[k]))
                if k:
                    rest = arith.divui(rest, trips[k])
            end = scf.YieldOp([])
        gpu.TerminatorOp()
    for op in list(body.operations)[:-1]:  # all but the scf.reduce terminator
        op.operation.move_before(end.operation)
    for old, new in zip(ivs, values):
        old.replace_all_uses_with(new)
    loop.erase()


def merge_modules(module: ir.Module) -> list[str]:
    """Move every outlined kernel into one gpu.module named KERNEL_MODULE, renaming
    each kernel after the module it came from (those names are unique), and point
    the launches at it. Returns the kernel names."""
    with module.context:
        mods = [op for op in module.body.operations if op.operation.name == "gpu.module"]
        if not mods:
            return []
        target = mods[0]
        tblock = target.regions[0].blocks[0]
        have = set()
        kernels = []
        for gm in mods:
            mname = ir.StringAttr(gm.attributes["sym_name"]).value
            for op in list(gm.regions[0].blocks[0].operations):
                o = op.operation
                sym = ir.StringAttr(o.attributes["sym_name"]).value if "sym_name" in o.attributes else None
                if o.name == "gpu.func":
                    o.attributes["sym_name"] = ir.StringAttr.get(mname)
                    kernels.append(mname)
                    sym = mname
                elif sym is None or sym in have:  # a declaration another kernel brought too
                    if gm is not target:
                        continue
                if gm is not target:
                    o.move_after(list(tblock.operations)[-1].operation)
                have.add(sym)
            if gm is not target:
                gm.operation.erase()
        target.attributes["sym_name"] = ir.StringAttr.get(KERNEL_MODULE)

        def repoint(o):
            if o.name == "gpu.launch_func":
                ref = ir.SymbolRefAttr(o.attributes["kernel"])
                o.attributes["kernel"] = ir.SymbolRefAttr.get([KERNEL_MODULE, ref.value[0]])
            return ir.WalkResult.ADVANCE
        module.operation.walk(repoint)
    return kernels


def sink_globals(module: ir.Module):
    """Constant tensors are `memref.global`s, which live in the host library;
    a kernel reading one would read host memory. Each launch gets its own
    `memref.get_global` of the constants it reads, so that outlining copies the
    globals into the kernel module (device memory)."""
    launches = []

    def visit(o):
        if o.name == "gpu.launch":
            launches.append(o)
            return ir.WalkResult.SKIP
        return ir.WalkResult.ADVANCE
    with module.context, ir.Location.unknown():
        module.operation.walk(visit, ir.WalkOrder.PRE_ORDER)
        for launch in launches:
            body = launch.regions[0].blocks[0]
            sunk = {}
            for v in _used_values(launch):
                if isinstance(v.owner, ir.Block):
                    continue
                owner = v.owner.operation
                if owner.name != "memref.get_global" or _contains(launch, owner) or owner in sunk:
                    continue
                sunk[owner] = owner.clone(ip=ir.InsertionPoint.at_block_begin(body))
            for old, new in sunk.items():
                for use in [u for u in old.result.uses if _contains(launch, u.owner)]:
                    use.owner.operands[use.operand_number] = new.result
