"""Global names of a defn: what `nx`, `dense`, `EPS` or `layers` stand for.

Two kinds of module scope answer `lookup(name)`:

- `ModuleScope` reads a file's AST and never executes it (`nxc compile`).
  Imports of nxc and `math` are real imports (they are ours or the standard
  library's, not the user's); any other import is found on disk, next to the
  model or on sys.path, and read the same way. Module-level assignments are
  evaluated at compile time when they are static (literals, tuples, arithmetic
  on other constants, `nx.f32[3]` types); `@defn` functions are called by
  inlining them.
- `LiveScope` reads a live function's globals and closure (the JIT path).

Both give frontend values (see values.py); a name they do not hold raises
KeyError, and the lowering then tries the builtins it knows.
"""
from __future__ import annotations

import ast
import importlib
import os
import sys
import types

import numpy as np

from nxc.compiler.ir.dtypes import DType
from nxc.compiler.ir.types import Dim, TensorType

from . import source as source_mod
from .diagnostics import error
from .values import DefnRef, Namespace, Opaque, StaticFunction

# Real imports allowed while compiling: nxc itself and side-effect-free math.
LIVE_MODULES = ("nxc", "math", "cmath")

STATIC_TYPES = (bool, int, float, complex, str, type(None), DType, TensorType, Dim,
                slice, type(Ellipsis))


def _decorators():
    # The module, not the attribute: `nxc.defn` is the decorator once exported.
    mod = importlib.import_module("nxc.defn")
    return (mod.defn, mod.jit)


def is_defn_decorator(value):
    return any(value is d for d in _decorators())


# ---------------------------------------------------------------------------
# Live objects as frontend values
# ---------------------------------------------------------------------------

def wrap_live(name, obj):
    """A live Python object as a frontend value (JIT globals, nxc attributes)."""
    if isinstance(obj, STATIC_TYPES):
        return obj
    if isinstance(obj, (tuple, list)):  # namedtuples become plain tuples
        return (list if isinstance(obj, list) else tuple)(wrap_live(name, e) for e in obj)
    if isinstance(obj, types.ModuleType):
        return live_namespace(obj)
    from nxc.defn import DefnFunction
    if isinstance(obj, DefnFunction):
        return obj.ref
    if _is_tensor_data(obj):
        return obj  # a captured tensor: a constant where it is used
    if callable(obj) and getattr(obj, "__module__", "") and (
            obj.__module__ == "nxc" or obj.__module__.startswith("nxc.")):
        return obj  # an nx function
    if callable(obj) and getattr(obj, "__module__", None) in ("math", "cmath"):
        return StaticFunction(name, obj)
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
        return Opaque(name, f"{name} is a Python function, not a defn: inside defn only nx "
                            f"functions, @nx.defn functions and local helpers can be called "
                            f"(mark {name} with @nx.defn)")
    if isinstance(obj, type):
        return Opaque(name, f"{name} is a class; classes cannot be used inside defn")
    return Opaque(name, f"{name} is a {type(obj).__name__}, which defn cannot use "
                        f"(only tensors, numbers, strings and tuples of them)")


def _is_tensor_data(obj):
    if isinstance(obj, (np.ndarray, np.generic)):
        return True
    from nxc.tensor import Tensor
    from nxc.compiler.passes.batching.vectorized import Vectorized
    return isinstance(obj, (Tensor, Vectorized))


def live_namespace(module):
    name = module.__name__
    top = name.split(".")[0]
    if top == "numpy":
        return Opaque(name, "numpy cannot be used inside defn (it computes on host data); "
                            "use the nx function of the same name")
    return Namespace(name, _live_lookup(module))


def _live_lookup(module):
    def lookup(attr):
        try:
            obj = getattr(module, attr)
        except AttributeError:
            raise KeyError(attr) from None
        return wrap_live(f"{module.__name__}.{attr}", obj)
    return lookup


class LiveScope:
    """The globals and closure of a live function (JIT)."""

    def __init__(self, fn):
        self.fn = fn
        closure = {}
        code = getattr(fn, "__code__", None)
        if code is not None and fn.__closure__:
            for n, cell in zip(code.co_freevars, fn.__closure__):
                try:
                    closure[n] = cell.cell_contents
                except ValueError:  # a cell not yet filled
                    pass
        self.closure = closure

    def lookup(self, name):
        if name in self.closure:
            return wrap_live(name, self.closure[name])
        g = self.fn.__globals__
        if name in g:
            return wrap_live(name, g[name])
        raise KeyError(name)


# ---------------------------------------------------------------------------
# Static module scopes (nxc compile)
# ---------------------------------------------------------------------------

def module_name(path):
    """The dotted name of the module in file `path`, and the directory its top package is in.

    Directories with an `__init__.py` are packages, as Python sees them.
    """
    d, base = os.path.split(os.path.abspath(path))
    parts = [] if base == "__init__.py" else [os.path.splitext(base)[0]]
    while os.path.isfile(os.path.join(d, "__init__.py")):
        d, package = os.path.split(d)
        parts.insert(0, package)
    return ".".join(parts), d


class Loader:
    """Finds and reads the modules a model imports; one ModuleScope per file."""

    def __init__(self, entry_path):
        self.entry_name, root = module_name(entry_path)
        self.roots = [root] + [os.path.abspath(p or ".") for p in sys.path if p != ""]
        self.modules = {}

    def entry(self, path) -> "ModuleScope":
        return self.scope(path, self.entry_name)

    def scope(self, path, name) -> "ModuleScope":
        path = os.path.abspath(path)
        if path not in self.modules:
            src, tree = source_mod.from_file(path)
            self.modules[path] = ModuleScope(self, name, path, src, tree)
        return self.modules[path]

    def find(self, name, roots):
        """The file of module `name` (a.b.c) under one of `roots`, or None."""
        parts = name.split(".")
        for root in roots:
            base = os.path.join(root, *parts)
            for candidate in (base + ".py", os.path.join(base, "__init__.py")):
                if os.path.isfile(candidate):
                    return candidate
        return None

    def module(self, name, importer, level=0):
        """A module as a frontend value: live for nxc/math, read from disk otherwise.

        Raises KeyError with a description when the module cannot be found.
        """
        if level:
            return self._relative(name, importer, level)
        top = name.split(".")[0]
        if top in LIVE_MODULES:
            return live_namespace(importlib.import_module(name))
        if top == "numpy":
            return live_namespace(np)
        path = self.find(name, self.roots)
        if path is None:
            raise KeyError(f"cannot find module {name} next to the model or on sys.path")
        return self.scope(path, name).namespace

    def _relative(self, name, importer, level):
        """`from .name import ...` (level dots) inside the package of `importer`."""
        parts = importer.package.split(".") if importer.package else []
        dots = "." * level
        if level > len(parts):
            where = "beyond the top-level package" if parts else "outside a package"
            raise KeyError(f"relative import {dots}{name} {where} (the file is "
                           f"{importer.name or 'not in a package'})")
        base = os.path.dirname(importer.path)
        for _ in range(level - 1):
            base = os.path.dirname(base)
        package = ".".join(parts[:len(parts) - (level - 1)])
        if not name:
            return self.scope(os.path.join(base, "__init__.py"), package).namespace
        path = self.find(name, [base])
        if path is None:
            raise KeyError(f"cannot find module {dots}{name} in {base}")
        return self.scope(path, f"{package}.{name}").namespace


class ModuleScope:
    """The global names of one file, read from its AST."""

    def __init__(self, loader, name, path, src, tree):
        self.loader = loader
        self.name = name
        self.path = path
        self.src = src
        self.tree = tree
        self.bindings = {}  # name -> (kind, payload)
        self.cache = {}
        self.evaluating = set()
        self.star = []
        self.namespace = Namespace(name, self._attribute)
        for stmt in tree.body:
            self._bind(stmt)

    @property
    def package(self):
        """The package relative imports start from."""
        if os.path.basename(self.path) == "__init__.py":
            return self.name
        return self.name.rpartition(".")[0]

    def _bind(self, stmt):
        if isinstance(stmt, ast.Import):
            for a in stmt.names:
                if a.asname:
                    self.bindings[a.asname] = ("import", (a.name, stmt))
                else:
                    top = a.name.split(".")[0]
                    self.bindings[top] = ("import", (top, stmt))
        elif isinstance(stmt, ast.ImportFrom):
            for a in stmt.names:
                if a.name == "*":
                    self.star.append(stmt)
                else:
                    self.bindings[a.asname or a.name] = ("from", (a.name, stmt))
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.bindings[stmt.name] = ("def", stmt)
        elif isinstance(stmt, ast.ClassDef):
            self.bindings[stmt.name] = ("opaque", f"{stmt.name} is a class; classes cannot "
                                                  f"be used inside defn")
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if stmt.value is None:
                return
            for t in targets:
                if isinstance(t, ast.Name):
                    self.bindings[t.id] = ("value", stmt.value)
                elif isinstance(t, (ast.Tuple, ast.List)):
                    for i, e in enumerate(t.elts):
                        if isinstance(e, ast.Name):
                            self.bindings[e.id] = ("item", (stmt.value, i, len(t.elts)))
        elif isinstance(stmt, (ast.AugAssign,)) and isinstance(stmt.target, ast.Name):
            self.bindings[stmt.target.id] = ("opaque", f"{stmt.target.id} is modified at "
                                                       f"module level, so it is not a constant")

    def lookup(self, name):
        if name in self.cache:
            return self.cache[name]
        if name not in self.bindings:
            for stmt in self.star:
                ns = self._import_module(stmt.module or "", stmt.level, stmt)
                if isinstance(ns, Namespace):
                    try:
                        return ns.lookup(name)
                    except KeyError:
                        pass
            raise KeyError(name)
        if name in self.evaluating:
            raise error(self.src, self._node(name), f"module-level value {name} refers to itself")
        self.evaluating.add(name)
        try:
            value = self._resolve(name, *self.bindings[name])
        finally:
            self.evaluating.discard(name)
        self.cache[name] = value
        return value

    def _attribute(self, attr):
        try:
            return self.lookup(attr)
        except KeyError:
            pass
        if os.path.basename(self.path) == "__init__.py":
            found = self.loader.find(attr, [os.path.dirname(self.path)])
            if found is not None:
                return self.loader.scope(found, f"{self.name}.{attr}").namespace
        raise KeyError(attr)

    def _node(self, name):
        kind, payload = self.bindings[name]
        if kind in ("import", "from"):
            return payload[1]
        if kind == "item":
            return payload[0]
        return payload if isinstance(payload, ast.AST) else self.tree

    def _import_module(self, name, level, node):
        try:
            return self.loader.module(name, self, level)
        except KeyError as e:
            raise error(self.src, node, e.args[0]) from None

    def _resolve(self, name, kind, payload):
        if kind == "import":
            module_name, node = payload
            return self._import_module(module_name, 0, node)
        if kind == "from":
            attr, node = payload
            ns = self._import_module(node.module or "", node.level, node)
            if isinstance(ns, Opaque):
                return Opaque(name, ns.why)
            try:
                return ns.lookup(attr)
            except KeyError:
                raise error(self.src, node, f"module {ns.name} has no {attr} "
                                            f"(looked for it without running the module)") from None
        if kind == "def":
            return self._function(payload)
        if kind == "opaque":
            return Opaque(name, payload)
        if kind == "value":
            return self._constant(name, payload)
        if kind == "item":
            node, i, n = payload
            value = self._constant(name, node)
            if isinstance(value, (tuple, list)) and len(value) == n:
                return value[i]
            return Opaque(name, f"{name} is not a module-level constant defn can read")
        raise AssertionError(kind)

    def _function(self, node):
        from .lower import static_value
        from nxc.runtime.errors import CompileError
        for d in node.decorator_list:
            target = d.func if isinstance(d, ast.Call) else d
            try:
                value = static_value(self, target)
            except CompileError:  # a decorator defn cannot read: not a defn
                continue
            if is_defn_decorator(value):
                return DefnRef(node.name, node, self.src, self)
        return Opaque(node.name, f"{node.name} is a Python function, not a defn: inside defn "
                                 f"only nx functions, @nx.defn functions and local helpers can "
                                 f"be called (mark {node.name} with @nx.defn)")

    def _constant(self, name, node):
        from .lower import static_value
        from nxc.runtime.errors import CompileError
        try:
            return static_value(self, node)
        except CompileError as e:
            return Opaque(name, f"module-level value {name} is not a compile-time constant "
                                f"({e.message}); nxc compile does not run the module, so only "
                                f"literals, tuples and arithmetic on constants can be used")

