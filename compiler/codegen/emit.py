"""IR module -> MLIR module (linalg, tensor, arith, math, scf, complex on tensors).

Each IR function becomes one private `func.func` in destination-passing style:
it takes a memref per parameter and a memref per result, the buffers the
runtime (or a C caller) owns, and writes its results into the latter. Inside,
everything is on tensors; `bufferization.to_tensor` opens the inputs and
`bufferization.materialize_in_destination` writes the results, so bufferization
can compute straight into the caller's buffers. Symbolic dimensions are read
with `tensor.dim` from the first parameter that binds them.

Ops are lowered one by one through the table in `lowerings`; the emitter gives
them helpers for the structures they share (empty tensors with dynamic sizes,
element-wise `linalg.generic` with broadcasting, regions). Element-wise results
that fusion.py leaves lazy are computed inside their consumers' generics; one
that a reduction's loop writes is an extra output of that generic, and an
element-wise op may write into its operand's tensor (fusion.Plan).
"""
from __future__ import annotations

from mlir import ir
from mlir.dialects import bufferization, func, linalg, tensor

from nxc.compiler.ir.core import UNKNOWN, Block, Function, Loc, Module, Operation
from nxc.compiler.ir.types import Dim, TensorType
from nxc.runtime.errors import CompileError, NxcError

from . import abi, fusion, scalar
from .lowerings import LOWERINGS
from .mlir_types import memref_type, tensor_type


def impl_symbol(fn_name: str) -> str:
    return f"__nxc_impl_{fn_name}"


def mlir_location(loc: Loc, fallback: str | None = None) -> ir.Location:
    if loc is not None and loc.known:
        return ir.Location.file(loc.file, loc.line, loc.col)
    return ir.Location.name(fallback) if fallback else ir.Location.unknown()


def emit_module(module: Module, context: ir.Context) -> tuple[ir.Module, list[abi.Export]]:
    """The MLIR module of every function of `module`, and the ABI of each export."""
    exports = [abi.export_of(module, fn) for fn in module.functions.values()]
    with context, ir.Location.unknown():
        m = ir.Module.create()
        for fn, ex in zip(module.functions.values(), exports):
            FunctionEmitter(fn, ex, m).emit()
    return m, exports


def iterator(kind: str) -> ir.Attribute:
    """`#linalg.iterator_type<parallel|reduction>` in the current context."""
    return ir.Attribute.parse(f"#linalg.iterator_type<{kind}>")


def affine_map(n_dims: int, exprs) -> ir.AffineMapAttr:
    """A map of `n_dims` loop dims to `exprs`: ints are loop dims, None is the constant 0."""
    out = [ir.AffineConstantExpr.get(0) if e is None else
           (ir.AffineDimExpr.get(e) if isinstance(e, int) else e) for e in exprs]
    return ir.AffineMapAttr.get(ir.AffineMap.get(n_dims, 0, out))


class FunctionEmitter:
    """Emits one IR function; lowerings call back into it for shared structure."""

    def __init__(self, fn: Function, export: "abi.Export", module: ir.Module):
        self.fn = fn
        self.export = export
        self.module = module
        self.values: dict = {}  # IR Value -> MLIR value
        self.dims: dict[str, ir.Value] = {}  # symbolic dim name -> index value
        self.op: Operation | None = None  # the op being lowered (for diagnostics)
        self.fusion = fusion.plan(fn) if self.FUSES else fusion.Plan()
        self._lazy = False  # the op being lowered gives a lazy result
        self._written = False  # ... which the first loop reading it writes
        self._in_place = None  # ... or is written into its operand at this position

    # -- the function ------------------------------------------------------------

    def emit(self):
        fn = self.fn
        params = [memref_type(t) for t in fn.param_types]
        results = [memref_type(t) for t in fn.result_types]
        with ir.InsertionPoint(self.module.body), mlir_location(fn.loc, fn.name):
            f = func.FuncOp(impl_symbol(fn.name), ir.FunctionType.get(params + results, []))
            f.attributes["sym_visibility"] = ir.StringAttr.get("private")
            entry = f.add_entry_block()
        args = list(entry.arguments)
        with ir.InsertionPoint(entry), mlir_location(fn.loc, fn.name):
            for p, buf, t in zip(fn.params, args, fn.param_types):
                v = bufferization.to_tensor(tensor_type(t), buf, restrict=True)
                self.values[p] = v
                for axis, d in enumerate(t.shape):
                    if isinstance(d, Dim) and d.name not in self.dims:
                        self.dims[d.name] = tensor.dim(v, scalar.index(axis))
            outs = self.block(fn.body)
            for v, buf in zip(outs, args[len(params):]):
                bufferization.MaterializeInDestinationOp(None, v, buf, restrict=True,
                                                         writable=True)
            func.ReturnOp([])

    def block(self, block: Block, args=()) -> list[ir.Value]:
        """Lower the ops of `block` at the current insertion point; returns what it yields."""
        for a, v in zip(block.args, args):
            self.values[a] = v
        for op in block.ops:
            if op.name in ("return", "yield"):
                return [self.value(v) for v in op.operands]
            self.lower(op)
        return []

    TARGET = "CPU"
    FUSES = True  # element-wise results may stay lazy (fusion.py)

    def rule(self, name: str):
        """The lowering of op `name` on this emitter's target."""
        return LOWERINGS.get(name)

    def lower(self, op: Operation):
        rule = self.rule(op.name)
        if rule is None:
            raise CompileError(f"op {op.name} has no {self.TARGET} lowering", _loc(op))
        saved, self.op = self.op, op
        plan = self.fusion
        self._written = bool(op.results) and op.results[0] in plan.written
        self._lazy = self._written or (bool(op.results) and op.results[0] in plan.lazy)
        self._in_place = plan.in_place.get(op)
        try:
            with mlir_location(op.loc, op.name):
                out = rule(self, op, *[self.value(v) for v in op.operands])
        except CompileError:
            raise
        except NxcError as e:
            raise CompileError(f"{op.name}: {e}", _loc(op)) from None
        finally:
            self.op = saved
            self._lazy = self._written = False
            self._in_place = None
        # A rule returns one value, or a sequence (a list, or MLIR's OpResultList).
        outs = [out] if isinstance(out, (ir.Value, fusion.Lazy)) else list(out)
        if len(outs) != len(op.results):
            raise AssertionError(f"lowering of {op.name} gave {len(outs)} values, "
                                 f"the op has {len(op.results)} results")
        for r, v in zip(op.results, outs):
            self.values[r] = v

    def value(self, v):
        """The MLIR value (or fusion.Lazy) of IR value `v`; a lazy value that a
        loop has written since is that loop's tensor."""
        m = self.values[v]
        return m.tensor if isinstance(m, fusion.Lazy) and m.tensor is not None else m

    # -- helpers for lowerings ------------------------------------------------------

    def error(self, message: str) -> CompileError:
        return CompileError(message, _loc(self.op) if self.op is not None else self.fn.loc)

    def size(self, d) -> ir.Value:
        """The size of one dimension as an `index` value."""
        if isinstance(d, Dim):
            v = self.dims.get(d.name)
            if v is None:
                raise self.error(f"the size of symbolic dimension {d} is not known: no "
                                 f"parameter of {self.fn.name} has it")
            return v
        return scalar.index(d)

    def dynamic_sizes(self, t: TensorType) -> list[ir.Value]:
        return [self.size(d) for d in t.shape if isinstance(d, Dim)]

    def empty(self, t: TensorType) -> ir.Value:
        """An uninitialized tensor of type `t`."""
        return tensor.EmptyOp.build_generic(results=[tensor_type(t)],
                                            operands=self.dynamic_sizes(t)).result

    def fill(self, t: TensorType, value: ir.Value) -> ir.Value:
        """A tensor of type `t` whose every element is the storage scalar `value`."""
        return linalg.fill(value, outs=[self.empty(t)])

    def generic(self, inputs, outputs, n_loops: int, iterators, body):
        """A `linalg.generic`: inputs/outputs are (tensor, map exprs) pairs; `body` maps
        the element arguments (inputs then outputs) to the yielded values. An
        input may be lazy (fusion.Lazy): the generic reads its operands instead;
        a lazy input to be written (fusion.Plan.written) is also an output of
        the generic, read where it is written, and becomes that tensor."""
        inputs = [(v.tensor, e) if isinstance(v, fusion.Lazy) and v.tensor is not None
                  else (v, e) for v, e in inputs]
        writes = [k for k, (v, _) in enumerate(inputs)
                  if isinstance(v, fusion.Lazy) and v.written is not None]
        extra = [(inputs[k][0].written, inputs[k][1]) for k in writes]
        reads, evaluate = fusion.flatten(inputs)
        outputs = list(outputs)
        maps = [affine_map(n_loops, exprs) for _, exprs in reads + outputs + extra]
        ins = [v for v, _ in reads]
        outs = [v for v, _ in outputs + extra]
        op = linalg.GenericOp([o.type for o in outs], ins, outs, ir.ArrayAttr.get(maps),
                              ir.ArrayAttr.get([iterator(k) for k in iterators]))
        types = [ir.RankedTensorType(v.type).element_type for v in ins + outs]
        blk = op.regions[0].blocks.append(*types)
        with ir.InsertionPoint(blk):
            args = list(blk.arguments)
            elements = evaluate(args[:len(ins)])
            ys = body(*elements, *args[len(ins):len(ins) + len(outputs)])
            ys = list(ys) if isinstance(ys, (list, tuple)) else [ys]
            linalg.YieldOp(ys + [elements[k] for k in writes])
        results = list(op.results)
        for k, r in zip(writes, results[len(outputs):]):
            inputs[k][0].tensor = r
        return results[:len(outputs)] if len(outputs) > 1 else results[0]

    def elementwise(self, out: TensorType, operands, body) -> ir.Value:
        """Apply `body` (storage scalars -> storage scalar of out.dtype) element by element.

        `operands` are (tensor, TensorType) pairs broadcast to `out` from the right:
        a size-1 axis against a larger one is read at index 0. For an op that
        fusion.plan leaves lazy, nothing is emitted: the result is a fusion.Lazy.
        """
        inputs = [(v, broadcast_exprs(t, out)) for v, t in operands]
        if self._lazy:
            written = self.empty(out) if self._written else None
            self._lazy = self._written = False
            return fusion.Lazy(inputs, body, ir.Location.current, written)
        rank = out.rank
        k, self._in_place = self._in_place, None
        if k is None or not isinstance(operands[k][0], ir.Value):
            return self.generic(inputs, [(self.empty(out), list(range(rank)))], rank,
                                ["parallel"] * rank, lambda *xs: body(*xs[:-1]))
        # Overwrite operand k (fusion.Plan.in_place): the loop reads its element
        # from the output, so that it sees one buffer, not two that might overlap.
        dest = operands[k][0]
        same = [j for j, (v, _) in enumerate(operands) if v == dest]
        others = [j for j in range(len(operands)) if j not in same]

        def in_place(*xs):
            elements = dict(zip(others, xs[:-1]))
            return body(*[xs[-1] if j in same else elements[j] for j in range(len(operands))])
        return self.generic([inputs[j] for j in others], [(dest, list(range(rank)))], rank,
                            ["parallel"] * rank, in_place)

    def broadcast(self, x, exprs, out: TensorType) -> ir.Value:
        """`x` read at out's index (exprs: for each axis of x, the axis of `out`
        it runs along, or None for index 0); lazy (fusion.BROADCASTS) when every
        consumer reads it element by element."""
        if self._lazy:
            self._lazy = False
            return fusion.Lazy([(x, exprs)], lambda a: a, ir.Location.current)
        r = out.rank
        return self.generic([(x, exprs)], [(self.empty(out), list(range(r)))], r,
                            ["parallel"] * r, lambda a, _o: a)

    def declare(self, symbol: str, arg_types, result_types):
        """Declare the external function `symbol` (a C library function) once per module."""
        if symbol in ir.SymbolTable(self.module.operation):
            return
        with ir.InsertionPoint(self.module.body), ir.Location.unknown():
            f = func.FuncOp(symbol, ir.FunctionType.get(list(arg_types), list(result_types)))
            f.attributes["sym_visibility"] = ir.StringAttr.get("private")

    def region(self, block: Block, args) -> list[ir.Value]:
        """Lower a region's block at the current insertion point (values of the
        enclosing blocks stay visible)."""
        return self.block(block, args)


def broadcast_exprs(t: TensorType, out: TensorType) -> list:
    """Loop dims (or None for index 0) of each axis of `t` broadcast to `out`."""
    offset = out.rank - t.rank
    exprs = []
    for j, d in enumerate(t.shape):
        i = offset + j
        exprs.append(None if (d == 1 and out.shape[i] != 1) else i)
    return exprs


def _loc(op) -> Loc:
    return op.loc if op is not None and op.loc is not None else UNKNOWN
