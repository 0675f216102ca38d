"""The AST -> IR lowering of expressions and straight-line statements.

The lowering evaluates the function's AST abstractly: a variable holds a
traced tensor (an IR `Value`) or a static Python value. Calls to nx functions
and Python operators on tensors call the public nx API with IR values while a
builder is installed (`nxc._dispatch.building`), so eager and compiled code
share every rule; each call runs with the builder located at the user's
expression and any nx error it raises comes back located there. Control flow
lives in flow.py, builtins in builtins.py.

Only AST nodes with a handler here (`e_*` for expressions, `s_*` for
statements) are lowered; any other node is an error.
"""
from __future__ import annotations

import ast
import inspect

import numpy as np

from nxc.compiler.ir.core import Value
from nxc.compiler.ir.dtypes import DType
from nxc.compiler.ir.types import Dim, TensorType
from nxc.runtime.errors import CompileError

from . import builtins as builtins_mod
from . import exports, flow, unsupported
from .diagnostics import error, reporting
from .operators import BINARY, BOOLEAN, COMPARE, STATIC_ONLY, UNARY
from .values import (Builtin, DefnRef, LocalFunction, Namespace, Opaque, StaticFunction,
                     Unbound, Vectorized, is_tensor, is_vectorized)

# Static facts about a traced tensor, readable inside defn (for a vectorized
# tensor, about one entry; `vectorized_axes` gives its vectorized axes).
TENSOR_FACTS = {
    "shape": lambda t: t.shape,
    "rank": lambda t: t.rank,
    "dtype": lambda t: t.dtype,
    "type": lambda t: t,
    "names": lambda t: t.names,
}
# Tensor methods that read host data: meaningless while tracing.
HOST_METHODS = ("item", "tolist", "to_numpy")


class Return:
    """The value a `return` statement gives, and where it is."""

    def __init__(self, value, node):
        self.value = value
        self.node = node


class Scope:
    """The variables of one function being lowered; closures see the enclosing scope."""

    def __init__(self, parent=None):
        self.vars = {}
        self.parent = parent

    def find(self, name):
        s = self
        while s is not None:
            if name in s.vars:
                return True, s.vars[name]
            s = s.parent
        return False, None


class Session:
    """State shared by every function lowered for one module: the inlining stack."""

    def __init__(self):
        self.stack = []  # (ast node) of the defn/helper calls being inlined


class Lowerer:
    def __init__(self, session, src, module, builder):
        self.session = session
        self.src = src
        self.module = module  # global names: a ModuleScope or LiveScope
        self.b = builder  # None: static evaluation only (module-level constants)
        self.scope = Scope()

    # -- helpers -----------------------------------------------------------------

    def error(self, node, message) -> CompileError:
        return error(self.src, node, message)

    def reject(self, node):
        return self.error(node, unsupported.message(node))

    def need_builder(self, node, what):
        if self.b is None:
            raise self.error(node, f"{what} is not a compile-time constant")

    def constant(self, value, node, dtype=None):
        self.need_builder(node, "a tensor")
        with reporting(self.src, node) as loc:
            return self.b.constant(value, dtype, loc=loc)

    def as_ir(self, x, node):
        """Host tensors (captured arrays, eager results) become constants."""
        if isinstance(x, (np.ndarray, np.generic)):
            return self.constant(np.asarray(x), node)
        from nxc.tensor import Tensor
        if isinstance(x, Tensor):  # a constant that keeps the tensor's axis names
            from nxc._dispatch import host_constant
            self.need_builder(node, "a tensor")
            with reporting(self.src, node) as loc, self.b.located(loc):
                return host_constant(self.b, x)
        if is_vectorized(x) and not isinstance(x.physical, Value):
            # A vectorized host tensor: its physical tensor, with the axis names
            # that carry the vectorized names, as a constant.
            from nxc._dispatch import host_constant
            self.need_builder(node, "a tensor")
            with reporting(self.src, node) as loc, self.b.located(loc):
                return Vectorized(host_constant(self.b, x.physical), x.axes)
        if isinstance(x, (tuple, list)):
            return type(x)(self.as_ir(e, node) for e in x)
        return x

    def call_api(self, fn, args, kwargs, node, name):
        """Call an nx function with IR values; its errors come back located at `node`.

        Functions of the defn (local helpers, other defns) given to it become Python
        callables that lower their body where they are called (nx.grad(f) calls f
        on values being traced).
        """
        self.need_builder(node, f"nx.{name}(...)")
        args = [self.python_callable(a, node) for a in args]
        kwargs = {k: self.python_callable(v, node) for k, v in kwargs.items()}
        try:
            inspect.signature(fn).bind(*args, **kwargs)
        except TypeError as e:
            raise self.error(node, f"wrong arguments for nx.{name}: {e}") from None
        except ValueError:  # no signature to check against
            pass
        with reporting(self.src, node) as loc, self.b.located(loc):
            out = fn(*args, **kwargs)
        return self.as_ir(out, node)

    def python_callable(self, fn, node):
        if not isinstance(fn, (DefnRef, LocalFunction)):
            return fn

        def call(*args, **kwargs):
            from nxc._dispatch import current_builder
            lw = Lowerer(self.session, self.src, self.module, current_builder())
            lw.scope = self.scope
            return lw.inline(fn, args, kwargs, node)
        call.__name__ = fn.name if fn.name.isidentifier() else "f"
        # What a transformation tracing it names and locates its IR after
        # (nxc._dispatch.function_loc, parameter_names).
        call.loc = fn.src.loc(fn.node)
        a = fn.node.args
        call.parameter_names = [p.arg for p in a.posonlyargs + a.args]
        return call

    def call_op(self, name, operands, node, regions=(), **attrs):
        """Build a region op (cond, while, for) directly; a list of its results."""
        with reporting(self.src, node) as loc:
            out = self.b.op(name, *operands, regions=regions, loc=loc, **attrs)
        return out if isinstance(out, list) else [out]

    def api(self, name, node):
        import nxc
        fn = getattr(nxc, name, None)
        if fn is None:
            raise self.error(node, f"nx.{name} is not available")
        return fn

    # -- names -------------------------------------------------------------------

    def lookup(self, name, node):
        found, value = self.scope.find(name)
        if not found:
            try:
                value = self.module.lookup(name)
            except KeyError:
                value = builtins_mod.BUILTINS.get(name)
                if value is None:
                    raise self.error(node, f"name {name!r} is not defined") from None
        if isinstance(value, (Unbound, Opaque)):
            raise self.error(node, value.why)
        return self.as_ir(value, node)

    def assign(self, target, value, node):
        if isinstance(target, ast.Name):
            named = value.physical if is_vectorized(value) else value
            if isinstance(named, Value) and named.hint is None:
                named.hint = target.id
            self.scope.vars[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            self.unpack(target, value, node)
        elif isinstance(target, ast.Subscript):
            raise self.error(target, "item assignment is not supported inside defn: tensors "
                                     "are immutable; use nx.put_slice or nx.indexed_put")
        elif isinstance(target, ast.Attribute):
            raise self.error(target, "attribute assignment is not supported inside defn")
        else:
            raise self.reject(target)

    def unpack(self, target, value, node):
        if is_tensor(value):
            raise self.error(target, f"cannot unpack a tensor ({value.type}) inside defn; "
                                     f"index it (x[0], x[1], ...) instead")
        if not isinstance(value, (tuple, list)):
            raise self.error(target, f"cannot unpack {describe(value)}")
        elts = target.elts
        stars = [i for i, e in enumerate(elts) if isinstance(e, ast.Starred)]
        if stars:
            i = stars[0]
            after = len(elts) - i - 1
            if len(value) < len(elts) - 1:
                raise self.error(target, f"cannot unpack {len(value)} values into "
                                         f"at least {len(elts) - 1} names")
            parts = list(value[:i]) + [tuple(value[i:len(value) - after])] + \
                list(value[len(value) - after:])
            elts = [e.value if isinstance(e, ast.Starred) else e for e in elts]
        else:
            if len(value) != len(elts):
                raise self.error(target, f"cannot unpack {len(value)} values into "
                                         f"{len(elts)} names")
            parts = list(value)
        for t, v in zip(elts, parts):
            self.assign(t, v, node)

    # -- statements ------------------------------------------------------------------

    def exec_body(self, stmts, live_out=frozenset(), cont=()):
        """Lower statements in order; a Return when one of them returns.

        `live_out` holds the names read after these statements; with the names
        the later statements read, it decides which variables a loop or an if
        must carry out. `cont` holds the statements of the enclosing blocks that
        run after these (an if on a tensor whose branch returns runs them inside
        its branches).
        """
        after = [set(live_out)]
        for stmt in reversed(stmts[1:]):
            after.append(after[-1] | flow.loads([stmt]))
        after.reverse()
        for i, stmt in enumerate(stmts):
            if isinstance(stmt, ast.If):
                out = flow.lower_if(self, stmt, list(stmts[i + 1:]) + list(cont), live_out)
            else:
                handler = getattr(self, "s_" + type(stmt).__name__, None)
                if handler is None:
                    raise self.reject(stmt)
                out = handler(stmt, frozenset(after[i]))
            if isinstance(out, Return):
                return out
        return None

    def s_Expr(self, node, live):
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return None  # a docstring or a string used as a comment
        self.expr(node.value)

    def s_Pass(self, node, live):
        return None

    def s_Assign(self, node, live):
        value = self.expr(node.value)
        for t in node.targets:
            self.assign(t, value, node)

    def s_AugAssign(self, node, live):
        if not isinstance(node.target, ast.Name):
            self.assign(node.target, None, node)  # raises the plain assignment's error
        old = self.lookup(node.target.id, node.target)
        symbol, py = BINARY[type(node.op)]
        self.assign(node.target, self.binop_symbol(symbol, old, self.expr(node.value), node,
                                                   py), node)

    def s_AnnAssign(self, node, live):
        if node.value is None or not isinstance(node.target, ast.Name):
            raise self.error(node, "an annotated assignment inside defn needs a name and a "
                                   "value (y: nx.f32[3] = ...)")
        want = self.annotation(node.annotation)
        value = self.expr(node.value)
        if isinstance(value, (bool, int, float, complex)):
            value = self.constant(value, node.value, want.dtype)
            if want.shape:
                value = self.call_api(self.api("broadcast", node), [value, want.shape], {},
                                      node.value, "broadcast")
        if not is_tensor(value):
            raise self.error(node.value, f"{node.target.id} is annotated {want} but its value "
                                         f"is {describe(value)}")
        t = value.type
        if t.dtype != want.dtype or t.shape != want.shape:
            raise self.error(node.value, f"{node.target.id} is annotated {want} but its value "
                                         f"is {t}")
        self.assign(node.target, value, node)

    def s_Return(self, node, live):
        return Return(self.expr(node.value) if node.value is not None else None, node)

    def s_Assert(self, node, live):
        test = self.expr(node.test)
        if is_tensor(test):
            raise self.error(node.test, "assert needs a static condition (shapes, types, "
                                        "options); a tensor's value is not known at compile time")
        if not test:
            msg = self.expr(node.msg) if node.msg is not None else None
            text = ast.unparse(node.test)
            raise self.error(node, f"assertion failed: {msg}" if msg is not None
                             else f"assertion failed: {text}")

    def s_FunctionDef(self, node, live):
        for d in node.decorator_list:
            from .resolve import is_defn_decorator
            if not is_defn_decorator(self.expr(d.func if isinstance(d, ast.Call) else d)):
                raise self.error(d, "decorators other than @nx.defn are not supported on "
                                    "functions inside defn")
        self.scope.vars[node.name] = self.local_function(node, node.name)

    def s_While(self, node, live):
        flow.lower_while(self, node, live)

    def s_For(self, node, live):
        flow.lower_for(self, node, live)

    # -- expressions -------------------------------------------------------------------

    def expr(self, node):
        handler = getattr(self, "e_" + type(node).__name__, None)
        if handler is None:
            raise self.reject(node)
        return handler(node)

    def e_Constant(self, node):
        if isinstance(node.value, bytes):
            raise self.error(node, "bytes literals are not supported inside defn")
        return node.value

    def e_Name(self, node):
        return self.lookup(node.id, node)

    def e_Tuple(self, node):
        return tuple(self.elements(node.elts))

    def e_List(self, node):
        return list(self.elements(node.elts))

    def elements(self, nodes):
        out = []
        for e in nodes:
            if isinstance(e, ast.Starred):
                v = self.expr(e.value)
                if is_tensor(v) or not isinstance(v, (tuple, list, range)):
                    raise self.error(e, f"cannot unpack {describe(v)} with *; only static "
                                        f"tuples can be unpacked")
                out.extend(v)
            else:
                out.append(self.expr(e))
        return out

    def e_Slice(self, node):
        part = lambda e: self.expr(e) if e is not None else None  # noqa: E731
        return slice(part(node.lower), part(node.upper), part(node.step))

    def e_Attribute(self, node):
        base = self.expr(node.value)
        return self.attribute(base, node.attr, node)

    def attribute(self, base, attr, node):
        if is_tensor(base):
            if attr == "vectorized_axes":  # ((name, size), ...): static, like the shape
                return base.axes if is_vectorized(base) else ()
            fact = TENSOR_FACTS.get(attr)
            if fact is not None:
                return fact(base.type)
            if attr == "size":
                t = base.type
                if not t.is_static:
                    raise self.error(node, f"the size of {t} is only known when the function "
                                           f"runs (its shape is symbolic)")
                return t.size
            if attr in HOST_METHODS:
                raise self.error(node, f"x.{attr}() reads a tensor's data, which is only known "
                                       f"when the function runs; inside defn use nx functions")
            raise self.error(node, f"a tensor inside defn has no attribute {attr!r} (its "
                                   f"static attributes are {', '.join(TENSOR_FACTS)}, size)")
        if isinstance(base, Namespace):
            try:
                return self.as_ir(base.lookup(attr), node)
            except KeyError:
                raise self.error(node, f"{base.name}.{attr} does not exist") from None
        if isinstance(base, Opaque):
            raise self.error(node, base.why)
        if isinstance(base, (DType, TensorType, Dim, complex, int, float, slice)) \
                and not attr.startswith("_"):
            try:
                value = getattr(base, attr)
            except AttributeError:
                raise self.error(node, f"{describe(base)} has no attribute {attr!r}") from None
            if not callable(value):
                return value
        raise self.error(node, f"attribute {attr!r} of {describe(base)} cannot be used inside defn")

    def e_Subscript(self, node):
        base = self.expr(node.value)
        key = self.expr(node.slice)
        if is_tensor(base):
            from nxc import indexing
            return self.call_api(indexing.getitem, [base, key], {}, node, "indexing")
        if isinstance(base, DType):
            with reporting(self.src, node):
                return base[key]
        if isinstance(base, (tuple, list, str, range)) and not has_tensor(key):
            try:
                return base[key]
            except (IndexError, TypeError) as e:
                raise self.error(node, f"cannot index {describe(base)} with {key!r}: {e}") from None
        raise self.error(node, f"cannot index {describe(base)}")

    def e_Call(self, node):
        fn = self.expr(node.func)
        args = self.elements(node.args)
        kwargs = {}
        for k in node.keywords:
            if k.arg is None:
                raise self.error(k, "**kwargs in calls are not supported inside defn")
            kwargs[k.arg] = self.expr(k.value)
        return self.call(fn, args, kwargs, node)

    def call(self, fn, args, kwargs, node):
        if isinstance(fn, Builtin):
            return fn.fn(self, args, kwargs, node)
        if isinstance(fn, (DefnRef, LocalFunction)):
            return self.inline(fn, args, kwargs, node)
        if isinstance(fn, StaticFunction):
            if any(has_tensor(a) for a in list(args) + list(kwargs.values())):
                raise self.error(node, f"{fn.name} runs at compile time on static values; "
                                       f"use the nx function for tensors")
            try:
                return fn.fn(*args, **kwargs)
            except (ValueError, TypeError, ArithmeticError) as e:
                raise self.error(node, f"{fn.name}: {e}") from None
        if isinstance(fn, Opaque):
            raise self.error(node.func, fn.why)
        if callable(fn) and _is_nx(fn):
            if self.b is None and exports.is_transform(fn):  # dloss = nx.grad(loss)
                return exports.call_transform(self, fn, args, kwargs, node)
            name = getattr(fn, "__name__", None) or type(fn).__name__
            return self.call_api(fn, args, kwargs, node, name)
        raise self.error(node.func, f"{describe(fn)} is not callable")

    def e_Lambda(self, node):
        return self.local_function(node, "<lambda>")

    def local_function(self, node, name):
        return LocalFunction(name, node, self.src, self.scope, self.defaults(node))

    def defaults(self, node):
        """The default values of a function's parameters, evaluated here (as Python does)."""
        out = {}
        a = node.args
        positional = a.posonlyargs + a.args
        for p, d in zip(positional[len(positional) - len(a.defaults):], a.defaults):
            out[p.arg] = self.expr(d)
        for p, d in zip(a.kwonlyargs, a.kw_defaults):
            if d is not None:
                out[p.arg] = self.expr(d)
        return out

    def e_IfExp(self, node):
        return flow.lower_ifexp(self, node)

    def e_UnaryOp(self, node):
        x = self.expr(node.operand)
        symbol, py = UNARY[type(node.op)]
        if not is_tensor(x):
            return self.static(py, (x,), node, f"{symbol.replace('logical_', '')} {shown(x)}")
        if symbol == "+":
            return x
        if symbol == "logical_not":
            return self.call_api(self.api(symbol, node), [x], {}, node, symbol)
        import nxc.operators
        return self.call_api(nxc.operators.unary, [symbol, x], {}, node, symbol)

    def e_BinOp(self, node):
        symbol, py = BINARY[type(node.op)]
        return self.binop_symbol(symbol, self.expr(node.left), self.expr(node.right), node, py)

    def binop_symbol(self, symbol, x, y, node, py=None):
        """`x <symbol> y`: nx's operator on tensors, Python's on static values."""
        if is_tensor(x) or is_tensor(y):
            import nxc.operators
            return self.call_api(nxc.operators.binary, [symbol, x, y], {}, node, symbol)
        py = py or next(p for s, p in BINARY.values() if s == symbol)
        return self.static(py, (x, y), node, f"{shown(x)} {symbol} {shown(y)}")

    def static(self, fn, args, node, text):
        """A Python operator on static values, at compile time."""
        if any(has_tensor(a) for a in args):
            raise self.error(node, f"cannot compute {text}: tuples holding tensors only "
                                   f"support Python's tuple operations")
        try:
            return fn(*args)
        except Exception as e:  # Python's own error on static values, located
            raise self.error(node, f"cannot compute {text}: {e}") from None

    def e_Compare(self, node):
        left = self.expr(node.left)
        result = None
        for op, right_node in zip(node.ops, node.comparators):
            right = self.expr(right_node)
            symbol, py = COMPARE[type(op)]
            if is_tensor(left) or is_tensor(right):
                if symbol in STATIC_ONLY:
                    raise self.error(node, f"{symbol!r} cannot be applied to tensors inside "
                                           f"defn; it compares static values")
                import nxc.operators
                r = self.call_api(nxc.operators.binary, [symbol, left, right], {}, node, symbol)
            else:
                r = self.static(py, (left, right), node,
                                f"{shown(left)} {symbol} {shown(right)}")
            result = r if result is None else self.logical("logical_and", result, r, node)
            left = right
        return result

    def logical(self, name, x, y, node):
        if is_tensor(x) or is_tensor(y):
            return self.call_api(self.api(name, node), [x, y], {}, node, name)
        return (x and y) if name == "logical_and" else (x or y)

    def e_BoolOp(self, node):
        name = BOOLEAN[type(node.op)]
        result = self.expr(node.values[0])
        for v in node.values[1:]:
            if not is_tensor(result):
                # Python's short circuit on a static left side.
                if (name == "logical_and") != bool(result):
                    return result
                result = self.expr(v)
            else:
                result = self.call_api(self.api(name, node), [result, self.expr(v)], {}, node, name)
        return result

    def e_ListComp(self, node):
        return list(self.comprehension(node))

    def e_GeneratorExp(self, node):
        return tuple(self.comprehension(node))

    def comprehension(self, node):
        """A comprehension over static sequences, unrolled at compile time."""
        saved = self.scope
        self.scope = Scope(saved)
        try:
            out = []
            self._generate(node, node.generators, out)
            return out
        finally:
            self.scope = saved

    def _generate(self, node, gens, out):
        if not gens:
            out.append(self.expr(node.elt))
            return
        g = gens[0]
        if g.is_async:
            raise self.reject(g)
        seq = self.expr(g.iter)
        if is_tensor(seq):
            raise self.error(g.iter, f"cannot iterate over a tensor ({seq.type}) inside defn; "
                                     f"comprehensions run at compile time over static tuples")
        if not isinstance(seq, (tuple, list, range, str)):
            raise self.error(g.iter, f"cannot iterate over {describe(seq)}")
        for item in seq:
            self.assign(g.target, item, g)
            conds = [self.expr(c) for c in g.ifs]
            if any(is_tensor(c) for c in conds):
                raise self.error(g, "comprehension conditions must be static")
            if all(conds):
                self._generate(node, gens[1:], out)

    # -- annotations and calls -------------------------------------------------------

    def annotation(self, node) -> TensorType:
        from nxc.annotations import to_type
        value = self.expr(node)
        with reporting(self.src, node):
            return to_type(value)

    def inline(self, fn, args, kwargs, node):
        """Call a defn or a local helper by lowering its body here, with `args` bound."""
        if any(f is fn.node for f in self.session.stack):
            raise self.error(node, f"recursive call of {fn.name}: defn functions are inlined, "
                                   f"so they cannot call themselves")
        if isinstance(fn, DefnRef):
            callee = Lowerer(self.session, fn.src, fn.module, self.b)
            sig = signature(fn.node, callee.defaults(fn.node))
        else:
            callee = Lowerer(self.session, fn.src, self.module, self.b)
            callee.scope = Scope(fn.scope)
            sig = signature(fn.node, fn.defaults)
        try:
            bound = sig.bind(*args, **kwargs)
        except TypeError as e:
            raise self.error(node, f"wrong arguments for {fn.name}{sig}: {e}") from None
        bound.apply_defaults()
        if isinstance(fn, DefnRef):
            check_params(callee, fn, bound.arguments, node, self.src)
        for k, v in bound.arguments.items():
            callee.scope.vars[k] = v
        self.session.stack.append(fn.node)
        try:
            if isinstance(fn.node, ast.Lambda):
                return callee.expr(fn.node.body)
            r = callee.exec_body(fn.node.body)
        finally:
            self.session.stack.pop()
        if r is None or r.value is None:
            raise callee.error(r.node if r is not None else fn.node,
                               f"{fn.name} must return a value to be called inside defn")
        return r.value


def signature(node, defaults) -> inspect.Signature:
    """The Python signature of a def or lambda, to bind a call's arguments as Python does."""
    a = node.args
    P = inspect.Parameter
    params = [P(p.arg, P.POSITIONAL_ONLY, default=defaults.get(p.arg, P.empty))
              for p in a.posonlyargs]
    params += [P(p.arg, P.POSITIONAL_OR_KEYWORD, default=defaults.get(p.arg, P.empty))
               for p in a.args]
    if a.vararg is not None:
        params.append(P(a.vararg.arg, P.VAR_POSITIONAL))
    params += [P(p.arg, P.KEYWORD_ONLY, default=defaults.get(p.arg, P.empty))
               for p in a.kwonlyargs]
    if a.kwarg is not None:
        params.append(P(a.kwarg.arg, P.VAR_KEYWORD))
    return inspect.Signature(params)


def check_params(callee, fn, arguments, node, caller_src):
    """A called defn's annotations must match the tensors it gets (numbers pass)."""
    dims = {}
    for p in fn.node.args.posonlyargs + fn.node.args.args:
        v = arguments.get(p.arg)
        if p.annotation is None or not is_tensor(v):
            continue
        want = callee.annotation(p.annotation)
        got = v.type
        ok = want.dtype == got.dtype and want.rank == got.rank
        if ok:
            for w, g in zip(want.shape, got.shape):
                if isinstance(w, Dim):
                    ok &= dims.setdefault(w.name, g) == g
                else:
                    ok &= w == g
        if not ok:
            raise error(caller_src, node, f"{fn.name} expects {p.arg}: {want}, got {got}")


def _is_nx(fn):
    mod = getattr(fn, "__module__", "") or ""
    return mod == "nxc" or mod.startswith("nxc.")


def has_tensor(x):
    if is_tensor(x):
        return True
    if isinstance(x, (tuple, list)):
        return any(has_tensor(e) for e in x)
    if isinstance(x, slice):
        return any(has_tensor(e) for e in (x.start, x.stop, x.step))
    return False


def shown(x):
    """A static value in an error message: its repr, or a description when it holds tensors."""
    return describe(x) if has_tensor(x) else repr(x)


def describe(x):
    """How an error message names a value."""
    if is_tensor(x):
        return f"a tensor {x.type}"
    if isinstance(x, (DefnRef, LocalFunction)):
        return f"function {x.name}"
    if isinstance(x, Namespace):
        return f"module {x.name}"
    if isinstance(x, (Builtin, StaticFunction)):
        return f"{x.name}"
    if isinstance(x, DType):
        return f"type {x}"
    if isinstance(x, TensorType):
        return f"tensor type {x}"
    if x is None:
        return "None"
    if isinstance(x, (tuple, list)):
        return f"a {type(x).__name__} of {len(x)}"
    return f"{type(x).__name__} {x!r}"


def static_value(module, node):
    """Evaluate a module-level expression at compile time (no tensors, no ops)."""
    return Lowerer(Session(), module.src, module, None).expr(node)
