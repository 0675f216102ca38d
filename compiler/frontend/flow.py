"""Control flow: `if`/conditional expressions, `while` and `for` inside defn.

A static condition picks a branch at compile time. A scalar tensor condition
makes a `cond` op: each branch is lowered into a region; the variables it
assigns that are used afterwards become the op's results, made to one type by
Nx's rules (dtypes promoted, shapes broadcast; a Python number takes the type
of the tensor in the other branch, as in binary ops). An `if` whose branches
return moves the statements after it into the branches that fall through, so
that the cond gives the function's result.

`while` (tensor condition) and `for i in range(...)` (static bounds) make
`while`/`for` ops whose state is the variables the body assigns that are
defined before the loop and used in it or after it. The state keeps its shape,
type and names; a state variable that starts as a Python number is weak: it
takes the type the body gives it (acc = 0.0; acc = acc + x works for an f32[3]
x, as if acc started as zeros of that type).

On vectorized tensors (`nx.vectorize`) control flow has Nx's meaning, built by
`batching.vectorized`: an `if` on a vectorized condition runs both branches
and selects per entry (`vectorized.cond`); a shared condition whose branches
give vectorized values builds a `cond` whose branches yield them vectorized
alike; a loop whose condition or state is vectorized runs until every entry
is done (`vectorized.while_loop`; a `for` becomes such a loop over its index).
Types are found by lowering the code once per entry type, as for plain
tensors; the vectorized form is then lowered again where vectorized.py asks.
"""
from __future__ import annotations

import ast

from nxc._dispatch import apply
from nxc.compiler.ir import dtypes
from nxc.compiler.ir.core import Block
from nxc.compiler.ir.types import TensorType, broadcast
from nxc.compiler.passes.batching import vectorized
from nxc.runtime.errors import NxcError

from .diagnostics import reporting
from .values import (LocalFunction, Unbound, flatten, is_number, is_tensor, is_vectorized,
                     leaf_count, unflatten)

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


# ---------------------------------------------------------------------------
# What statements read and write
# ---------------------------------------------------------------------------

def loads(nodes) -> set:
    """Every name read in `nodes` (nested functions included: they may run later)."""
    out = set()
    for n in nodes:
        for x in ast.walk(n):
            if isinstance(x, ast.Name) and isinstance(x.ctx, ast.Load):
                out.add(x.id)
            elif isinstance(x, ast.AugAssign) and isinstance(x.target, ast.Name):
                out.add(x.target.id)
    return out


def assigned(nodes) -> list:
    """Names the statements assign (not inside nested functions), in order of first assignment."""
    out = []

    def visit(n):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and n.id not in out:
            out.append(n.id)
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if n.name not in out:
                out.append(n.name)
            return
        if isinstance(n, (ast.Lambda, ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp)):
            return
        for c in ast.iter_child_nodes(n):
            visit(c)
    for n in nodes:
        visit(n)
    return out


def returns(nodes) -> bool:
    """Whether a `return` is among the statements (outside nested functions)."""
    def visit(n):
        if isinstance(n, ast.Return):
            return True
        if isinstance(n, _SCOPES):
            return False
        return any(visit(c) for c in ast.iter_child_nodes(n))
    return any(visit(n) for n in nodes)


def last_assignment(nodes, name):
    """The last statement in `nodes` that assigns `name` (for locating a loop state error)."""
    found = None
    for n in nodes:
        for x in ast.walk(n):
            if isinstance(x, ast.stmt) and name in assigned([x]) and not isinstance(
                    x, (ast.If, ast.While, ast.For)):
                found = x
    return found


def closure_loads(scope) -> set:
    """Names read by the local functions visible in `scope`: calling one reads them."""
    out = set()
    s = scope
    while s is not None:
        for v in s.vars.values():
            if isinstance(v, LocalFunction):
                out |= loads([v.node])
        s = s.parent
    return out


# ---------------------------------------------------------------------------
# Leaves: the tensors and numbers that flow out of a region
# ---------------------------------------------------------------------------

def _leaves(lw, value, node, what):
    leaves, tree = flatten(value)
    for x in leaves:
        if not (is_tensor(x) or is_number(x)):
            raise lw.error(node, f"{what} is {_show(x)}; only tensors, numbers and tuples of "
                                 f"them can flow out of a tensor if or a loop")
    return leaves, tree


def _show(x):
    from .lower import describe
    return describe(x)


def _leaf_type(x):
    return x.type if is_tensor(x) else TensorType(dtypes.scalar_type(x), ())


def _join(lw, a, b, node, what):
    """The one type two branch leaves are converted to."""
    kind = "if" if isinstance(node, ast.If) else "conditional expression"
    if is_number(a) and is_number(b):
        return TensorType(dtypes.promote(dtypes.scalar_type(a), dtypes.scalar_type(b)), ())
    if is_number(a) or is_number(b):
        n, t = (a, b.type) if is_number(a) else (b, a.type)
        return t.with_dtype(dtypes.promote_scalar(t.dtype, n))
    ta, tb = a.type, b.type
    try:
        return broadcast(ta, tb, dtype=dtypes.promote(ta.dtype, tb.dtype), what="join")
    except NxcError:
        raise lw.error(node, f"the branches of this {kind} give {what} the types {ta} "
                             f"and {tb}, which do not broadcast to one type") from None


def convert(lw, x, t: TensorType, node):
    """`x` (a tensor or number) as a value of exactly type `t`, built where the builder is."""
    if is_number(x):
        x = lw.constant(x, node, t.dtype)
    if x.type.dtype != t.dtype:
        x = lw.call_api(lw.api("as_type", node), [x, t.dtype], {}, node, "as_type")
    if x.type.shape != t.shape or x.type.names != t.names:
        x = lw.call_api(lw.api("broadcast", node), [x, t.shape], {"names": list(t.names)}, node,
                        "broadcast")
    return x


# ---------------------------------------------------------------------------
# if / else and conditional expressions
# ---------------------------------------------------------------------------

def _predicate(lw, test, node, what):
    t = test.type
    if t.rank != 0:
        raise lw.error(node, f"the condition of {what} must be a scalar tensor, got {t}; "
                             f"use nx.select for an element-wise choice, or reduce the "
                             f"condition with nx.all or nx.any")
    if t.dtype.is_complex:
        raise lw.error(node, f"the condition of {what} must be a real scalar, got {t}")
    return test


def _region(lw, fn, inplace=False):
    """Lower `fn()` into a fresh block (at the current insertion point when
    `inplace`: the block is then None); the scope's variables are restored after."""
    saved = dict(lw.scope.vars)
    block = None if inplace else Block()
    if inplace:
        out = fn()
    else:
        with lw.b.at(block):
            out = fn()
    env, lw.scope.vars = lw.scope.vars, saved
    return block, out, env


def _again(lw, fn, start):
    """A callable that lowers `fn()` once more where the builder is, from the
    variables `start` (the scope before the branch), restoring the scope after
    it: how vectorized.py runs a branch."""
    def run():
        saved, lw.scope.vars = lw.scope.vars, dict(start)
        try:
            return fn()
        finally:
            lw.scope.vars = saved
    return run


def _cond(lw, pred, branches, node, whats, ends=None, again=None):
    """Emit a cond whose branches (block, leaves) yield one joined type per leaf.

    `ends` are the nodes each branch's yield is located at (default: `node`).
    With vectorized values the branches' leaves come from `again` (two callables
    that lower each branch once more and give its leaves), or, under a
    vectorized predicate, were lowered in place (their blocks are None).
    """
    (tb, tl), (eb, el) = branches
    types = [_join(lw, a, b, node, w) for a, b, w in zip(tl, el, whats)]
    loc = lw.src.loc(node)
    ends = ends or (node, node)
    if is_vectorized(pred) or any(map(is_vectorized, tl + el)):
        return _vectorized_cond(lw, pred, (tl, el), types, node, ends, again)
    for (block, leaves), end in zip(branches, ends):
        with lw.b.at(block), lw.b.located(lw.src.loc(end)):
            out = [convert(lw, x, t, end) for x, t in zip(leaves, types)]
            lw.b.terminate("yield", out, loc=lw.src.loc(end))
    with lw.b.located(loc):
        results = lw.call_op("cond", [pred], node, regions=[tb, eb])
    return results


def _vectorized_cond(lw, pred, leaves, types, node, ends, again):
    """`vectorized.cond` with each branch's leaves converted to the joined types.

    A vectorized predicate selects per entry between the leaves lowered in
    place; a shared one builds a cond whose branches are lowered again.
    """
    def branch(k):
        def run():
            xs = leaves[k] if is_vectorized(pred) else again[k]()
            with lw.b.located(lw.src.loc(ends[k])):
                return [convert(lw, x, t, ends[k]) for x, t in zip(xs, types)]
        return run
    with reporting(lw.src, node) as loc, lw.b.located(loc):
        return vectorized.cond(apply, lw.b, pred, branch(0), branch(1))


def lower_ifexp(lw, node):
    test = lw.expr(node.test)
    if not is_tensor(test):
        return lw.expr(node.body if test else node.orelse)
    pred = _predicate(lw, test, node.test, "a conditional expression")
    inplace = is_vectorized(pred)  # both branches run: lower them where the if is
    start = dict(lw.scope.vars)
    tb, tv, _ = _region(lw, lambda: lw.expr(node.body), inplace)
    eb, ev, _ = _region(lw, lambda: lw.expr(node.orelse), inplace)
    tl, tt = _leaves(lw, tv, node.body, "this branch's value")
    el, et = _leaves(lw, ev, node.orelse, "this branch's value")
    if tt != et:
        raise lw.error(node, f"the branches give values of different structure: "
                             f"{_show(tv)} and {_show(ev)}")
    again = [_again(lw, lambda e=e: flatten(lw.expr(e))[0], start)
             for e in (node.body, node.orelse)]
    results = _cond(lw, pred, [(tb, tl), (eb, el)], node, ["its value"] * len(tl), again=again)
    return unflatten(tt, results)


def lower_if(lw, node, rest, live_out):
    """Lower `if` (followed by `rest`); a Return when the function returns in it."""
    from .lower import Return
    test = lw.expr(node.test)
    live = loads(rest) | live_out
    if not is_tensor(test):
        return lw.exec_body(node.body if test else node.orelse, live, rest)
    pred = _predicate(lw, test, node.test, "an if")
    inplace = is_vectorized(pred)  # both branches run: lower them where the if is
    start = dict(lw.scope.vars)

    if returns(node.body) or returns(node.orelse):
        # Each branch runs on to the end of the function and returns; the cond
        # gives the function's result.
        def branch(stmts, where):
            def run():
                r = lw.exec_body(stmts + rest, live_out)
                if r is None or r.value is None:
                    raise lw.error(where, "this path of the if ends without returning a "
                                          "value, while another returns one")
                return r
            return run
        runs = [branch(node.body, node), branch(node.orelse, node)]
        tb, tr, _ = _region(lw, runs[0], inplace)
        eb, er, _ = _region(lw, runs[1], inplace)
        tl, tt = _leaves(lw, tr.value, tr.node, "a returned value")
        el, et = _leaves(lw, er.value, er.node, "a returned value")
        if tt != et:
            raise lw.error(node, f"the branches of this if return values of different "
                                 f"structure: {_show(tr.value)} and {_show(er.value)}")
        again = [_again(lw, lambda run=run: flatten(run().value)[0], start) for run in runs]
        results = _cond(lw, pred, [(tb, tl), (eb, el)], node, ["the result"] * len(tl),
                        ends=(tr.node, er.node), again=again)
        return Return(unflatten(tt, results), node)

    tb, _, tenv = _region(lw, lambda: lw.exec_body(node.body, live), inplace)
    eb, _, eenv = _region(lw, lambda: lw.exec_body(node.orelse, live), inplace)
    live |= closure_loads(lw.scope)
    names, tls, els, trees = [], [], [], []
    for name in assigned(node.body + node.orelse):
        missing = object()
        a, b = tenv.get(name, missing), eenv.get(name, missing)
        if name not in live:
            lw.scope.vars[name] = Unbound(f"{name} is not used after the if at line "
                                          f"{lw.src.loc(node).line}")
            continue
        if a is missing or b is missing or isinstance(a, Unbound) or isinstance(b, Unbound):
            lw.scope.vars[name] = Unbound(
                f"{name} is assigned in only one branch of the if at line "
                f"{lw.src.loc(node).line}, so it has no value after it when the other runs")
            continue
        if _same(a, b):
            lw.scope.vars[name] = a
            continue
        al, at = _leaves(lw, a, last_assignment(node.body, name) or node, name)
        bl, bt = _leaves(lw, b, last_assignment(node.orelse, name) or node, name)
        if at != bt:
            raise lw.error(node, f"{name} is {_show(a)} in one branch and {_show(b)} in "
                                 f"the other")
        names.append(name)
        tls.append(al)
        els.append(bl)
        trees.append(at)
    if not names:
        return None
    flat_t = [x for ls in tls for x in ls]
    flat_e = [x for ls in els for x in ls]
    whats = [n for n, ls in zip(names, tls) for _ in ls]

    def assigned_leaves(stmts):
        lw.exec_body(stmts, live)
        return [x for name in names for x in flatten(lw.scope.vars[name])[0]]
    again = [_again(lw, lambda b=b: assigned_leaves(b), start) for b in (node.body, node.orelse)]
    results = _cond(lw, pred, [(tb, flat_t), (eb, flat_e)], node, whats, again=again)
    i = 0
    for name, ls, tree in zip(names, tls, trees):
        lw.assign(ast.Name(name, ast.Store()), unflatten(tree, results[i:i + len(ls)]), node)
        i += len(ls)
    return None


def _same(a, b):
    if a is b:
        return True
    if is_tensor(a) or is_tensor(b):
        return False
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:  # values without a usable ==: not the same
        return False


# ---------------------------------------------------------------------------
# Loops
# ---------------------------------------------------------------------------

class _State:
    """The loop-carried variables: names, their trees, and one type per leaf."""

    def __init__(self, lw, names, node):
        self.names = names
        self.trees, self.init, self.types, self.weak, self.hints = [], [], [], [], []
        for name in names:
            leaves, tree = _leaves(lw, lw.scope.find(name)[1], node, f"loop variable {name}")
            self.trees.append(tree)
            for x in leaves:
                self.init.append(x)
                self.types.append(_leaf_type(x))
                self.weak.append(is_number(x))
                self.hints.append(name if tree is None else None)

    def bind(self, lw, args):
        i = 0
        for name, tree in zip(self.names, self.trees):
            n = leaf_count(tree)
            lw.scope.vars[name] = unflatten(tree, args[i:i + n])
            i += n

    def outputs(self, lw, node, body):
        """The body's new leaves, checked against the state types; None to retry."""
        out, retry = [], False
        i = 0
        for name, tree in zip(self.names, self.trees):
            where = last_assignment(body, name) or node
            value = lw.scope.vars[name]
            if isinstance(value, Unbound):
                raise lw.error(where, value.why)
            leaves, t = _leaves(lw, value, where, f"loop variable {name}")
            if t != tree:
                raise lw.error(where, f"loop variable {name} changes structure in the loop "
                                      f"body: it is now {_show(value)}")
            for x in leaves:
                want = self.types[i]
                got = (want.with_dtype(dtypes.promote_scalar(want.dtype, x))
                       if is_number(x) else x.type)
                if got != want:
                    if self.weak[i]:
                        self.types[i] = got
                        self.weak[i] = False
                        retry = True
                    else:
                        raise lw.error(where, f"loop variable {name} changes type in the loop: "
                                              f"{want} before the body, {got} after it; a loop's "
                                              f"state must keep its shape, type and names")
                out.append(x)
                i += 1
        return None if retry else out


def _state_names(lw, node, test_nodes, live):
    body_assigned = assigned(node.body)
    reads = loads(test_nodes + node.body) | live | closure_loads(lw.scope)
    names, local = [], []
    for name in body_assigned:
        found, value = lw.scope.find(name)
        if found and not isinstance(value, Unbound) and name in reads:
            names.append(name)
        elif not found or isinstance(value, Unbound):
            local.append(name)
    return names, local


def _loop(lw, node, kind, test, live, index=None):
    """Lower a while (test: the condition node) or for (index: (name, start, stop, step))."""
    if node.orelse:
        raise lw.error(node.orelse[0], f"{kind} ... else is not supported inside defn")
    if returns(node.body):
        raise lw.error(node, f"return inside a {kind} loop is not supported inside defn; "
                             f"assign the result and return after the loop")
    index_name = index[0] if index else None
    names, local = _state_names(lw, node, [test] if test is not None else [], live)
    names = [n for n in names if n != index_name]
    state = _State(lw, names, node)
    loc = lw.src.loc(node)
    outer_vars = dict(lw.scope.vars)
    reads = loads([test] if test is not None else []) | loads(node.body) | live
    # The state's types are found on the loop of one entry; vectorized values in the
    # state or the condition make it a vectorized loop (built after the types settle).
    per_entry = any(map(is_vectorized, state.init))
    out = None
    while out is None:
        # A weak (number) state variable that the body retypes makes another pass;
        # each pass makes one more variable strong, so this ends.
        regions = []
        if test is not None:
            cond_block = Block(state.types, state.hints)
            with lw.b.at(cond_block):
                state.bind(lw, cond_block.args)
                t = lw.expr(test)
                if not is_tensor(t):
                    raise lw.error(test, f"the condition of a while loop must be a tensor; "
                                         f"inside the loop it is the static value {t!r}")
                _predicate(lw, t, test, "a while loop")
                per_entry |= is_vectorized(t)
                lw.b.terminate("yield", [t], loc=lw.src.loc(test))
            lw.scope.vars = dict(outer_vars)
            regions.append(cond_block)
        arg_types = ([TensorType(dtypes.INDEX, ())] if index else []) + state.types
        hints = ([index_name] if index else []) + state.hints
        body_block = Block(arg_types, hints)
        with lw.b.at(body_block):
            args = body_block.args
            if index:
                lw.scope.vars[index_name] = args[0]
                args = args[1:]
            state.bind(lw, args)
            lw.exec_body(node.body, reads)
            out = state.outputs(lw, node, node.body)
            if out is not None:
                per_entry |= any(map(is_vectorized, out))
                with lw.b.located(loc):
                    out = [convert(lw, x, t, node) for x, t in zip(out, state.types)]
                lw.b.terminate("yield", out, loc=loc)
        lw.scope.vars = dict(outer_vars)
    regions.append(body_block)
    if per_entry and state.init:
        results = _vectorized_loop(lw, node, state, test, index, reads)
    else:
        with lw.b.located(loc):
            init = [convert(lw, x, t, node) for x, t in zip(state.init, state.types)]
            attrs = {} if index is None else dict(zip(("start", "stop", "step"), index[1:]))
            results = lw.call_op(kind, init, node, regions=regions, **attrs) if init else []
    state.bind(lw, results)
    line = loc.line
    for name in local:
        lw.scope.vars[name] = Unbound(
            f"{name} is assigned inside the {kind} loop at line {line} but not before it, "
            f"so it has no value after the loop")
    return None


def _vectorized_loop(lw, node, state, test, index, reads):
    """The loop on vectorized values: `vectorized.while_loop`, whose condition and
    body lower `test` and the loop body (with the state of the types found)
    wherever it asks. A for loop is a while loop over its index."""
    loc = lw.src.loc(node)

    def scoped(fn):
        def run(*args):
            saved = dict(lw.scope.vars)
            if index:
                lw.scope.vars[index[0]] = args[0]
            state.bind(lw, list(args[1:] if index else args))
            try:
                return fn(*args)
            finally:
                lw.scope.vars = saved
        return run

    @scoped
    def condition(*args):
        if test is not None:
            return lw.expr(test)
        stop, step = index[2:]
        return apply("less" if step > 0 else "greater", args[0], stop)

    @scoped
    def body(*args):
        lw.exec_body(node.body, reads)
        out = state.outputs(lw, node, node.body)
        with lw.b.located(loc):
            out = [convert(lw, x, t, node) for x, t in zip(out, state.types)]
            return ([apply("add", args[0], index[3])] if index else []) + out

    with reporting(lw.src, node), lw.b.located(loc):
        init = [convert(lw, x, t, node) for x, t in zip(state.init, state.types)]
        if index:
            init.insert(0, lw.b.constant(index[1], dtypes.INDEX))
        results = vectorized.while_loop(apply, lw.b, init, condition, body)
    return results[1:] if index else results


def lower_while(lw, node, live):
    probe = Block()
    saved = dict(lw.scope.vars)
    with lw.b.at(probe):  # evaluated once to see whether the condition is static
        test = lw.expr(node.test)
    lw.scope.vars = saved
    # A Python number the condition reads and the body assigns is loop state,
    # hence a tensor inside the loop (i = 0; while i < n: ... i += 1).
    carried = [n for n in loads([node.test]) & set(assigned(node.body))
               if is_number(lw.scope.find(n)[1])]
    if not is_tensor(test) and not carried:
        if test:
            raise lw.error(node.test, f"the condition of this while loop is the static value "
                                      f"{test!r}, so it would never end; a while loop needs a "
                                      f"tensor condition (for a fixed number of steps, use "
                                      f"for i in range(n))")
        return None
    return _loop(lw, node, "while", node.test, live)


def lower_for(lw, node, live):
    it = node.iter
    from .builtins import BUILTINS
    if not (isinstance(it, ast.Call) and not it.keywords
            and lw.expr(it.func) is BUILTINS["range"]):
        raise lw.error(it, "for loops inside defn iterate over range(...) with static bounds; "
                           "use a while loop with a tensor condition otherwise")
    if not isinstance(node.target, ast.Name):
        raise lw.error(node.target, "the variable of a for loop must be a single name")
    bounds = [lw.expr(a) for a in it.args]
    for a, b in zip(it.args, bounds):
        if is_tensor(b) or isinstance(b, bool) or not isinstance(b, int):
            raise lw.error(a, f"the bounds of a for loop must be static ints, got "
                              f"{_show(b)}; for a tensor bound use a while loop")
    try:
        r = range(*bounds)
    except (TypeError, ValueError) as e:
        raise lw.error(it, f"range(): {e}") from None
    _loop(lw, node, "for", None, live, (node.target.id, r.start, r.stop, r.step))
    if len(r):
        lw.scope.vars[node.target.id] = r[-1]  # as in Python, the last index
    return None
