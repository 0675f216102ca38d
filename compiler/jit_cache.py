"""The JIT's source index: from a defn's source and globals to its compiled artifact.

The disk cache of compiled artifacts (codegen/driver.py) is keyed by the
generated MLIR, so finding an entry there takes lowering the function and
emitting MLIR, which imports MLIR: 300 ms in a new process. This index keys
the same artifacts by what the lowering reads instead, so that a process
calling a defn that an earlier process compiled loads the artifact in a few
milliseconds without lowering anything. The key hashes:

- the function's file, qualified name and source text (with its line numbers);
- the argument types and option values of the specialization;
- every name the source mentions (variables, attributes, also in annotations
  and defaults) as the live globals and closure define it: numbers, strings,
  types and tuples of them by value, arrays and tensors by their bytes, other
  defn functions by their own source and names (recursively), modules by the
  names used from them, nxc's own functions by name;
- nxc's code (path, size and modification time of each of its source files,
  as Python validates .pyc files) and the host (architecture, CPU flags).

Any other object is opaque to a defn (lowering fails where one is used), so
which one a name holds cannot change a lowering that succeeded. An nxc
object used by value (a transformed function such as `nx.grad(f)` held in a
global, a vectorized tensor, a tensor on a GPU) makes the specialization
unindexed: it is lowered on each process's first call, then found in the
artifact cache as before. Entries are small JSON files under `<cache>/jit/`,
written atomically; a damaged or stale one is ignored and rewritten.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import json
import math
import os
import sys
import types

import numpy as np

FORMAT = 1
_ROOTS = ("nxc", "nxc.compiler", "nxc.runtime", "nxc.cli")
_PLAIN = (bool, int, float, complex, str, type(None), slice, type(Ellipsis))


class Unindexable(Exception):
    """A name whose value the index cannot fingerprint."""


def default_cache_dir() -> str:
    """The JIT's cache directory: $NXC_CACHE_DIR, else the user's cache directory."""
    root = os.environ.get("NXC_CACHE_DIR")
    if root:
        return root
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "nxc")


@functools.cache
def code_fingerprint() -> str:
    """The path, size and mtime of each of nxc's source files, and Python's version."""
    h = hashlib.sha256(f"{FORMAT}\0{sys.version}".encode())
    for name in _ROOTS:
        root = os.path.dirname(sys.modules[name].__file__) if name in sys.modules else None
        if root is None:
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for f in sorted(filenames):
                if f.endswith(".py"):
                    st = os.stat(os.path.join(dirpath, f))
                    h.update(f"{dirpath}/{f}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


@functools.cache
def host_fingerprint() -> str:
    from nxc.runtime import host
    flags = host.host_flags()
    return f"{host.host_arch()}-{sys.platform}-" + hashlib.sha256(
        " ".join(sorted(flags or ())).encode()).hexdigest()[:16]


# -- fingerprints of what a defn reads ----------------------------------------

def _names(node) -> list:
    """Every identifier a function's AST mentions (variables and attributes)."""
    found = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            found.add(n.id)
        elif isinstance(n, ast.Attribute):
            found.add(n.attr)
    return sorted(found)


def _source_of(defn) -> str:
    ref = defn.ref
    src = ref.src
    # Where the node starts tells apart the lambdas of one file (one qualname, one source).
    where = f"{ref.node.lineno}:{ref.node.col_offset}"
    return (f"{src.path}\0{src.line_offset}\0{defn.__qualname__}\0{where}\0"
            + "\n".join(src.lines))


def _value(obj, names, seen) -> str:
    """The fingerprint of a live value a defn may read (`names`: the identifiers
    the defn mentions, for the attributes of modules)."""
    if isinstance(obj, _PLAIN):
        if isinstance(obj, float) and math.isnan(obj):
            return "float:nan"
        return f"{type(obj).__name__}:{obj!r}"
    if isinstance(obj, (tuple, list)):
        return f"{type(obj).__name__}(" + ",".join(_value(e, names, seen) for e in obj) + ")"
    from nxc.compiler.ir.dtypes import DType
    from nxc.compiler.ir.types import Dim, TensorType
    if isinstance(obj, (DType, TensorType, Dim)):
        return f"{type(obj).__name__}:{obj!r}"
    if isinstance(obj, types.ModuleType):
        top = obj.__name__.split(".")[0]
        if top in ("nxc", "math", "cmath", "numpy"):  # nxc's code is in code_fingerprint
            return f"module:{obj.__name__}"
        attrs = [f"{a}={_value(getattr(obj, a), names, seen)}" for a in names
                 if a in vars(obj)]
        return f"module:{obj.__name__}(" + ",".join(attrs) + ")"
    from nxc.defn import DefnFunction
    if isinstance(obj, DefnFunction):
        return "defn:" + defn_fingerprint(obj, seen)
    from nxc.tensor import Tensor
    if isinstance(obj, (np.ndarray, np.generic, Tensor)):
        if isinstance(obj, Tensor) and not isinstance(obj._array, np.ndarray):
            raise Unindexable("a tensor on a device")
        a = np.ascontiguousarray(np.asarray(obj))
        if a.dtype.hasobject:
            raise Unindexable("an array of Python objects")
        return f"array:{a.dtype.str}{a.shape}{getattr(obj, 'names', None)}:" + \
            hashlib.sha256(a.view(np.uint8).reshape(-1)).hexdigest()
    # The rest as resolve.wrap_live sees it: nxc's (and math's) functions and
    # classes are code that code_fingerprint covers; other nxc objects (a
    # transformed function, a vectorized tensor) are used by value, which this
    # index does not capture; anything else is opaque to defn (lowering fails
    # where it is used), so which one a name holds cannot change a lowering.
    module = getattr(obj, "__module__", None) or ""
    ours = module == "nxc" or module.startswith("nxc.")
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType, type)) and (
            ours or module in ("math", "cmath")):
        if "<locals>" in obj.__qualname__:  # two closures share one qualified name
            raise Unindexable(obj.__qualname__)
        return f"function:{module}.{obj.__qualname__}"
    if type(obj).__module__.split(".")[0] == "nxc":
        raise Unindexable(type(obj).__name__)
    return "opaque"


def defn_fingerprint(defn, seen=None) -> str:
    """A hash of a defn's source and of every live name it mentions."""
    seen = {} if seen is None else seen
    if id(defn) in seen:
        return seen[id(defn)] or "cycle"
    seen[id(defn)] = None
    fn = defn.fn
    if fn is None:
        raise Unindexable("a defn read from a file")
    closure = {}
    if fn.__closure__:
        for n, cell in zip(fn.__code__.co_freevars, fn.__closure__):
            try:
                closure[n] = cell.cell_contents
            except ValueError:
                pass
    names = _names(defn.ref.node)
    h = hashlib.sha256(_source_of(defn).encode())
    for n in names:
        if n in closure:
            v = _value(closure[n], names, seen)
        elif n in fn.__globals__:
            v = _value(fn.__globals__[n], names, seen)
        else:
            v = "absent"
        h.update(f"\0{n}={v}".encode())
    seen[id(defn)] = h.hexdigest()
    return seen[id(defn)]


def key(defn, types_, options) -> str | None:
    """The index key of a specialization, or None when it cannot be indexed."""
    try:
        body = defn_fingerprint(defn)
        opts = sorted((k, _value(v, [], {})) for k, v in options.items())
    except Unindexable:
        return None
    h = hashlib.sha256()
    for part in (code_fingerprint(), host_fingerprint(), body,
                 ";".join(str(t) for t in types_), repr(opts)):
        h.update(part.encode() + b"\0")
    return h.hexdigest()


# -- the entries --------------------------------------------------------------

def _entry_path(cache_dir, k):
    return os.path.join(cache_dir, "jit", k[:40] + ".json")


def _tree_from_json(t):
    return None if t is None else tuple(_tree_from_json(s) for s in t)


def lookup(cache_dir, k):
    """(artifact directory, function name, result tree) of entry `k`, or None."""
    try:
        with open(_entry_path(cache_dir, k), encoding="utf-8") as f:
            data = json.load(f)
        if data.get("format") != FORMAT or data.get("key") != k:
            return None
        path = os.path.join(cache_dir, data["artifact"])
        if not os.path.isfile(os.path.join(path, "manifest.json")):
            return None
        return path, data["function"], _tree_from_json(data["result_tree"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(cache_dir, k, artifact_dir, function, result_tree):
    """Record that specialization `k` is `function` of the artifact at `artifact_dir`
    (inside `cache_dir`); a failure to write only costs the next process a lowering."""
    rel = os.path.relpath(artifact_dir, cache_dir)
    if rel.startswith(".."):
        return
    data = {"format": FORMAT, "key": k, "artifact": rel, "function": function,
            "result_tree": result_tree}
    import tempfile  # here: its import costs a cache hit several milliseconds
    path = _entry_path(cache_dir, k)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f)
        os.replace(tmp, path)
    except OSError:
        pass
