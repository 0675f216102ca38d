"""Reverse-mode differentiation of an IR block: copy it forward, then walk it back.

`Differentiator.block` copies a block's ops into the builder's block and emits,
after them, the ops that compute the gradient of the block's results (seeded by
given cotangents) with respect to chosen values. Gradients of values used
several times are added up; each is summed over the axes its operand was
broadcast along and converted to the operand's type (`fit`).

Which values get gradients: a value is *active* when it depends on a
differentiated input (stop_grad cuts this; custom_grad makes its result depend
on its inputs only). Walking back from the result, an active op that the
result depends on must have a rule: the error for quotient or an op without a
rule is raised at that op's location, even where an integer type makes the
gradient zero, so a gradient that cannot be computed is never silently zero.
Only real floating values carry gradients; integer values carry none, and
complex values on the path are an error.

Control flow:
- cond: a new cond on the same predicate; each branch recomputes its forward
  ops and yields the gradients of the outer values it uses.
- for: the forward copy saves the state at the start of every iteration in a
  buffer (one row per iteration, `put_row`); the backward loop runs the
  iterations in reverse, reads the saved state (`take_row`) and differentiates
  one body at a time: O(n) time, O(n) memory in the state size. With
  `segment_size` c, only every c-th state is saved; the backward pass
  recomputes one segment's states at a time from its saved state: one more
  forward pass, O(n / c + c) memory.
- while: the same, with an iteration counter, in a buffer of `max_iters` rows
  (by default as many as fit 16 MiB, at most 1024). The state of an iteration
  past the buffer is recomputed from the last saved row, so the gradient is
  exact whatever the trip count, but those iterations cost O(n^2) time;
  max_iters=0 recomputes every state from the initial one (no memory).
Loop-carried state that the backward pass never reads is removed afterwards by
the simplifier, so a tape holds only what is needed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from nxc.runtime.errors import ArgumentError, CompileError

from ...ir import dtypes
from ...ir.builder import Builder
from ...ir.core import TERMINATORS, Block, Operation, Value
from ...ir.types import TensorType
from ..inline import clone_op, copy_ops, free_values
from .vjp_rules import DRIVER_OPS, NOT_DIFFERENTIABLE, VJP, ZERO_GRAD, Emit

INDEX = TensorType(dtypes.INDEX, ())
TAPE_BYTES = 1 << 24  # the default while-loop tape budget
TAPE_ROWS = 1024  # and its largest number of rows
SYMBOLIC_GUESS = 1024  # elements assumed for a symbolic dim when sizing a tape


def carries_gradient(v: Value) -> bool:
    return v.type.dtype.is_float


def fit(builder: Builder, v: Value, t: TensorType) -> Value:
    """`v` summed over the axes it was broadcast along from `t`, converted to `t`'s
    dtype and given `t`'s axis names (broadcast up where it is smaller)."""
    b, vt = builder, v.type
    lead = vt.rank - t.rank
    if lead >= 0 and vt.shape != t.shape:
        axes = tuple(range(lead)) + tuple(
            lead + i for i, d in enumerate(t.shape) if d == 1 and vt.shape[lead + i] != 1)
        if axes:
            v = b.op("sum", v, axes=axes, keep_axes=True)
        if lead:
            v = b.op("reshape", v, shape=v.type.shape[lead:])
    if v.type.shape != t.shape:
        v = b.op("broadcast", v, shape=t.shape)
    if v.type.dtype != t.dtype:
        v = b.op("as_type", v, type=t.dtype)
    if v.type.names != t.names:
        v = b.op("reshape", v, shape=t.shape, names=t.names)
    return v


@dataclass
class Tape:
    """What the forward copy of an active loop saved for its backward pass."""

    body: Block  # the loop body, free of tape ops, its outer uses mapped
    size: int  # entries in the loop's state
    buffers: list  # one buffer of saved states per state entry (none for max_iters=0)
    count: Value | None = None  # while: iterations run
    capacity: int = 0  # while: rows in each buffer
    segment: int = 0  # for: iterations per saved state (0: every state is saved)


def _rows(t: TensorType, n: int) -> TensorType:
    return TensorType(t.dtype, (n,) + t.shape, (None,) + t.names)


def _option(name, value, low):
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                              or value < low):
        raise ArgumentError(f"{name} must be an int >= {low}, got {value!r}")
    return value


class Differentiator:
    def __init__(self, builder: Builder, max_iters=None, segment_size=None):
        self.b = builder
        self.e = Emit(builder)
        self.max_iters = _option("max_iters", max_iters, 0)
        self.segment_size = _option("segment_size", segment_size, 1)
        self.tapes: dict[Operation, Tape] = {}

    # -- activity ---------------------------------------------------------------

    def active_results(self, op: Operation, active: set) -> list:
        """Which of `op`'s results depend on a differentiated input (`active` holds
        the values that do): per branch for cond, per state entry for loops."""
        n = len(op.results)
        if op.name == "stop_grad":
            return [False] * n
        if op.name == "custom_grad":
            return [any(v in active for v in op.operands[1:])] * n
        if op.name == "cond":
            flags = [False] * n
            for region in op.regions:
                act = self.propagate(region, set(active))
                flags = [f or y in act for f, y in zip(flags, region.yielded)]
            return flags
        if op.name in ("for", "while"):
            body, offset = op.regions[-1], 1 if op.name == "for" else 0
            dependent = {j for j, v in enumerate(op.operands) if v in active}
            while True:
                act = self.propagate(body, set(active) | {
                    body.args[offset + j] for j in dependent})
                more = {j for j, y in enumerate(body.yielded) if y in act} - dependent
                if not more:
                    return [j in dependent for j in range(n)]
                dependent |= more
        return [any(v in active for v in op.operands)] * n

    def propagate(self, block: Block, active: set) -> set:
        """`active` with the values of `block` that depend on it added."""
        for op in block.ops:
            if op.name not in TERMINATORS:
                active.update(r for r, f in zip(op.results, self.active_results(op, active)) if f)
        return active

    def gradient_inputs(self, op: Operation) -> list:
        """The values that `op` passes gradients to."""
        if op.name in ZERO_GRAD or op.name == "stop_grad":
            return []
        if op.name == "custom_grad":
            return op.operands[1:]
        if op.name == "cond":
            return free_values(op.regions)
        if op.name in ("for", "while"):
            tape = self.tapes[op]
            return op.operands[:tape.size] + free_values([tape.body])
        return op.operands

    def check(self, op: Operation, inputs, active):
        if op.name in NOT_DIFFERENTIABLE:
            raise CompileError(f"cannot differentiate through {op.name}: "
                               f"{NOT_DIFFERENTIABLE[op.name]}", op.loc)
        if op.name not in VJP and op.name not in ZERO_GRAD and op.name not in DRIVER_OPS:
            raise CompileError(f"gradient not yet implemented for op {op.name}; wrap the value in "
                               f"nx.stop_grad or give it a gradient with nx.custom_grad", op.loc)
        for v in inputs:
            if v in active and v.type.dtype.is_complex:
                raise CompileError(f"cannot differentiate {op.name} with respect to the complex "
                                   f"value {v.type}: nxc's gradients are real", op.loc)

    # -- a block ----------------------------------------------------------------

    def block(self, src: Block, args, seeds, wrt, active):
        """Copy `src` (its arguments bound to `args`) and emit the gradient of its
        results, seeded by `seeds` (a cotangent or None per result), with respect
        to `wrt`. `active` holds the values outside `src` (and in `args`) that
        depend on the differentiated inputs.

        Returns (the copied results, a gradient or None per `wrt` value).
        """
        vmap = dict(zip(src.args, args))
        active = set(active)
        ops, results = [], []
        for op in src.ops:
            if op.name in TERMINATORS:
                results = [vmap.get(v, v) for v in op.operands]
                break
            ops.append(self.forward(op, vmap, active))
        ct: dict = {}
        reached = set()
        for y, s in zip(results, seeds):
            if y in active:
                reached.add(y)
                if s is not None and carries_gradient(y):
                    self.accumulate(ct, y, s)
        for op in reversed(ops):
            if not any(r in reached for r in op.results):
                continue
            inputs = self.gradient_inputs(op)
            self.check(op, inputs, active)
            reached.update(v for v in inputs if v in active)
            gs = [ct.get(r) for r in op.results]
            if all(g is None for g in gs):
                continue
            with self.b.located(op.loc):
                for v, c in self.vjp(op, gs, active):
                    if c is not None and v in active and carries_gradient(v):
                        self.accumulate(ct, v, c)
        return results, [ct.get(w) for w in wrt]

    def accumulate(self, ct, v, c):
        c = fit(self.b, c, v.type)
        ct[v] = c if v not in ct else self.e.add(ct[v], c)

    def zeros_or(self, c, t):
        return c if c is not None else self.e.zeros(t)

    # -- forward copy -----------------------------------------------------------

    def forward(self, op: Operation, vmap: dict, active: set) -> Operation:
        """Copy `op`; an active loop becomes a loop that also saves its states."""
        new = clone_op(op, vmap)
        flags = self.active_results(new, active)
        if new.name in ("for", "while") and any(flags):
            new = self.tape_for(new) if new.name == "for" else self.tape_while(new)
            vmap.update(zip(op.results, new.results))
        else:
            self.b.block.ops.append(new)
        active.update(r for r, f in zip(new.results, flags) if f)
        return new

    def tape_for(self, loop: Operation) -> Operation:
        b, e = self.b, self.e
        state = loop.operands
        types = [v.type for v in state]
        start, stop, step = (loop.attrs[k] for k in ("start", "stop", "step"))
        n = len(range(start, stop, step))
        seg = self.segment_size if self.segment_size and self.segment_size < n else 0
        body = loop.regions[0]
        with b.located(loop.loc):
            buffers = [e.zeros(_rows(t, -(-n // seg) if seg else n)) for t in types]
            tb = Block([INDEX] + types + [v.type for v in buffers])
            with b.at(tb):
                i, s, rows = tb.args[0], tb.args[1:len(state) + 1], tb.args[len(state) + 1:]
                nxt = copy_ops(body, b, dict(zip(body.args, [i, *s])))
                k = i if (start, step) == (0, 1) else e.quotient(e.subtract(i, start), step)
                if seg:  # row k / c at the start of a segment, else out of range: no write
                    k = e.select(e.equal(e.remainder(k, seg), 0), e.quotient(k, seg), -1)
                b.terminate("yield", nxt + [e.put_row(r, k, x) for r, x in zip(rows, s)])
            taped = b.make("for", [*state, *buffers], dict(loop.attrs), [tb])
        self.tapes[taped] = Tape(body, len(state), taped.results[len(state):], segment=seg)
        return taped

    def capacity(self, types) -> int:
        if self.max_iters is not None:
            return self.max_iters
        row = sum(t.dtype.itemsize * math.prod(d if isinstance(d, int) else SYMBOLIC_GUESS
                                               for d in t.shape) for t in types)
        return max(1, min(TAPE_ROWS, TAPE_BYTES // max(row, 1)))

    def tape_while(self, loop: Operation) -> Operation:
        b, e = self.b, self.e
        state = loop.operands
        m = len(state)
        types = [v.type for v in state]
        test, body = loop.regions
        cap = self.capacity(types)
        with b.located(loop.loc):
            buffers = [e.zeros(_rows(t, cap)) for t in types] if cap else []
            zero = b.constant(0, dtypes.INDEX)
            arg_types = types + [INDEX] + [v.type for v in buffers]
            tc, tb = Block(arg_types), Block(arg_types)
            with b.at(tc):
                b.terminate("yield", copy_ops(test, b, dict(zip(test.args, tc.args[:m]))))
            with b.at(tb):
                s, count, rows = tb.args[:m], tb.args[m], tb.args[m + 1:]
                nxt = copy_ops(body, b, dict(zip(body.args, s)))
                b.terminate("yield", nxt + [e.add(count, 1)] +
                            [e.put_row(r, count, x) for r, x in zip(rows, s)])
            taped = b.make("while", [*state, zero, *buffers], {}, [tc, tb])
        self.tapes[taped] = Tape(body, m, taped.results[m + 1:], taped.results[m], cap)
        return taped

    # -- gradients of one op ----------------------------------------------------

    def vjp(self, op: Operation, gs, active):
        """(value, gradient) pairs for what `op` passes its result gradients `gs` to."""
        if op.name in VJP:
            return zip(op.operands, VJP[op.name](self.e, op, gs[0]))
        if op.name == "custom_grad":
            region = op.regions[0]
            grads = copy_ops(region, self.b, {region.args[0]: gs[0]})
            return zip(op.operands[1:], grads)
        if op.name == "cond":
            return self.vjp_cond(op, gs, active)
        if op.name == "for":
            return self.vjp_for(op, gs, active)
        if op.name == "while":
            return self.vjp_while(op, gs, active)
        return ()  # zero-gradient ops

    def vjp_cond(self, op, gs, active):
        b = self.b
        outer = [v for v in free_values(op.regions) if v in active and carries_gradient(v)]
        if not outer:
            return ()
        branches = []
        for region in op.regions:
            blk = Block()
            with b.at(blk):
                _, cts = self.block(region, [], gs, outer, active)
                b.terminate("yield", [self.zeros_or(c, v.type) for c, v in zip(cts, outer)])
            branches.append(blk)
        out = b.op("cond", op.operands[0], regions=branches)
        return zip(outer, out if isinstance(out, list) else [out])

    def loop_plan(self, op, active):
        """(state entries that carry gradients, outer values the body passes
        gradients to, state entries that depend on the differentiated inputs)."""
        tape = self.tapes[op]
        state = op.operands[:tape.size]
        dependent = {j for j, r in enumerate(op.results[:tape.size]) if r in active}
        carry = [j for j in sorted(dependent) if state[j].type.dtype.is_float]
        outer = [v for v in free_values([tape.body]) if v in active and carries_gradient(v)]
        return carry, outer, dependent

    def backward_body(self, tape, args, k_state, carry, outer, dependent, active):
        """Differentiate one iteration: the body at `args`; returns the yields of
        the backward loop body for the cotangents `k_state` (carry then outer)."""
        e = self.e
        offset = len(args) - len(tape.body.yielded)
        cts_in, acc = k_state[:len(carry)], k_state[len(carry):]
        seeds = [None] * len(tape.body.yielded)
        for c, j in zip(cts_in, carry):
            seeds[j] = c
        state = args[offset:]
        act = set(active) | {state[j] for j in dependent}
        _, cts = self.block(tape.body, args, seeds, [state[j] for j in carry] + outer, act)
        new = [self.zeros_or(c, state[j].type) for c, j in zip(cts, carry)]
        new += [a if c is None else e.add(a, c) for a, c in zip(acc, cts[len(carry):])]
        return new

    def vjp_for(self, op, gs, active):
        b, e = self.b, self.e
        tape = self.tapes[op]
        carry, outer, dependent = self.loop_plan(op, active)
        if not carry and not outer:
            return ()
        state = op.operands[:tape.size]
        start, stop, step = (op.attrs[k] for k in ("start", "stop", "step"))
        n = len(range(start, stop, step))
        init = [self.zeros_or(gs[j], state[j].type) for j in carry]
        init += [e.zeros(v.type) for v in outer]
        bb = Block([INDEX] + [v.type for v in init])
        with b.at(bb):
            k = bb.args[0]
            if tape.segment:
                new = self.backward_segment(tape, k, n, bb.args[1:], carry, outer, dependent,
                                            active, op.attrs)
            else:
                i = k if (start, step) == (0, 1) else e.add(e.multiply(k, step), start)
                rows = [e.take_row(buf, k) for buf in tape.buffers]
                new = self.backward_body(tape, [i, *rows], bb.args[1:], carry, outer,
                                         dependent, active)
            b.terminate("yield", new)
        last = -(-n // tape.segment) - 1 if tape.segment else n - 1
        out = b.op("for", *init, start=last, stop=-1, step=-1, regions=[bb])
        out = out if isinstance(out, list) else [out]
        return zip([state[j] for j in carry] + outer, out)

    def backward_segment(self, tape, j, n, k_state, carry, outer, dependent, active, attrs):
        """The backward pass of segment `j` of a for loop saved every c iterations:
        recompute the segment's states from its saved first state into a c-row
        buffer, then differentiate its iterations in reverse."""
        b, e = self.b, self.e
        c = tape.segment
        first = e.multiply(j, c)
        length = e.min(e.subtract(n, first), c)
        saved = [e.take_row(buf, j) for buf in tape.buffers]
        rows = [e.zeros(_rows(v.type, c)) for v in saved]

        def index(m):  # the loop index of iteration first + m
            return e.add(e.multiply(e.add(first, m), attrs["step"]), attrs["start"])

        types = [INDEX] + [v.type for v in saved + rows]
        rc, rb = Block(types), Block(types)
        with b.at(rc):
            b.terminate("yield", [e.less(rc.args[0], length)])
        with b.at(rb):
            m, s, bufs = rb.args[0], rb.args[1:len(saved) + 1], rb.args[len(saved) + 1:]
            nxt = copy_ops(tape.body, b, dict(zip(tape.body.args, [index(m), *s])))
            b.terminate("yield", [e.add(m, 1)] + nxt + [e.put_row(r, m, x)
                                                         for r, x in zip(bufs, s)])
        states = b.op("while", b.constant(0, dtypes.INDEX), *saved, *rows,
                      regions=[rc, rb])[1 + len(saved):]
        types = [INDEX] + [v.type for v in k_state]
        tc, bb = Block(types), Block(types)
        with b.at(tc):
            b.terminate("yield", [e.greater_equal(tc.args[0], 0)])
        with b.at(bb):
            m = bb.args[0]
            s_m = [e.take_row(buf, m) for buf in states]
            new = self.backward_body(tape, [index(m), *s_m], bb.args[1:], carry, outer,
                                     dependent, active)
            b.terminate("yield", [e.subtract(m, 1)] + new)
        out = b.op("while", e.subtract(length, 1), *k_state, regions=[tc, bb])
        return out[1:]

    def vjp_while(self, op, gs, active):
        b, e = self.b, self.e
        tape = self.tapes[op]
        carry, outer, dependent = self.loop_plan(op, active)
        if not carry and not outer:
            return ()
        state = op.operands[:tape.size]
        init = [e.subtract(tape.count, 1)]
        init += [self.zeros_or(gs[j], state[j].type) for j in carry]
        init += [e.zeros(v.type) for v in outer]
        types = [v.type for v in init]
        tc, bb = Block(types), Block(types)
        with b.at(tc):
            b.terminate("yield", [e.greater_equal(tc.args[0], 0)])
        with b.at(bb):
            k = bb.args[0]
            s_k = self.saved_state(tape, state, k)
            new = self.backward_body(tape, s_k, bb.args[1:], carry, outer, dependent, active)
            b.terminate("yield", [e.subtract(k, 1)] + new)
        out = b.op("while", *init, regions=[tc, bb])
        return zip([state[j] for j in carry] + outer, out[1:])

    def saved_state(self, tape, initial, k):
        """The state at the start of iteration `k` of a taped while loop: the saved
        row, or the last saved row (the initial state without a buffer) carried
        forward by the body to iteration k."""
        b, e = self.b, self.e
        if tape.capacity:
            base = e.min(k, tape.capacity - 1)
            rows = [e.take_row(buf, base) for buf in tape.buffers]
        else:
            base, rows = b.constant(0, dtypes.INDEX), list(initial)
        types = [INDEX] + [v.type for v in rows]
        rc, rb = Block(types), Block(types)
        with b.at(rc):
            b.terminate("yield", [e.less(rc.args[0], k)])
        with b.at(rb):
            nxt = copy_ops(tape.body, b, dict(zip(tape.body.args, rb.args[1:])))
            b.terminate("yield", [e.add(rb.args[0], 1)] + nxt)
        return b.op("while", base, *rows, regions=[rc, rb])[1:]
