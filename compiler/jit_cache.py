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
- nxc's code and Python's version (`code_fingerprint`), and the host
  (architecture, CPU flags).

Any other object is opaque to a defn (lowering fails where one is used), so
which one a name holds cannot change a lowering that succeeded. An nxc
object used by value (a transformed function such as `nx.grad(f)` held in a
global, a vectorized tensor, a tensor on a GPU) makes the specialization
unindexed: it is lowered on each process's first call, then found in the
artifact cache as before. Entries are small JSON files under `<cache>/jit/`,
written atomically; a damaged or stale one is ignored and rewritten.

What a hit costs, and why each part stays:

- nxc's code is fingerprinted by the path, size and mtime of each of its
  source files, one `stat` each (as Python validates .pyc files; about 150
  files, about 1 ms). A fingerprint written at install time, or cached under
  the directories' mtimes, would be cheaper but wrong for a source checkout
  installed in editable mode: a file edited in place changes no directory,
  and only its own mtime tells. Every edit, addition or removal of a .py
  file under nxc's packages changes the fingerprint, so no artifact lowered
  by other code is found.
- A defn's source is read by the frontend's `source.from_function` (the very
  text a lowering would read) and parsed for the names it mentions. That,
  with importing the reader, was most of a hit, so each defn's digest and
  names are also kept as a source summary (`<cache>/jit/src/`), valid for its
  file while the file's size, mtime and inode are those it had when read. A
  summary stands for the text the frontend would read only if that is the
  file's now: not where linecache holds lines of the file read before its
  last change (its stat differs from the one this process saw before
  linecache held it). It is recorded only when nothing can have changed
  unseen: the text was read in this call, the file's stat was the same
  before and after, and its mtime was over `RACY_NS` old, since a file
  system's clock is coarser than its nanosecond mtimes and two writes within
  one tick could otherwise look alike (git's rule for "racily clean" files).
  A later write then always gets a later mtime, so a summary never stands
  for other text, unless a tool sets mtimes back by hand (the same exception
  as .pyc files).
- The artifact's library is still checked against its SHA-256 on load
  (runtime/library.py; 0.2 ms for 32 kB): a shortcut by stat would miss
  what the hash is for, damage that keeps the file's size and times.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import json
import linecache
import math
import os
import sys
import time
import types

import numpy as np

FORMAT = 1
# A source summary is recorded only for a file last modified this long ago, so that
# a later change cannot keep its size and mtime (file times are coarser than ns).
RACY_NS = 2_000_000_000
# The packages whose code lowers and runs a defn (`import nxc` imports them all;
# the CLI is not among them).
_ROOTS = ("nxc", "nxc.compiler", "nxc.runtime")
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
    """The fingerprint of nxc's code as this process finds it (see tree_fingerprint)."""
    return tree_fingerprint(_code_roots())


def tree_fingerprint(roots) -> str:
    """A hash of Python's version and of the path, size and mtime of each .py file
    under the directories `roots` (not through links to directories)."""
    entries = []
    for root in roots:
        stack = [root]
        while stack:
            # scandir, one stat per file: the whole walk is on a cache hit's path.
            with os.scandir(stack.pop()) as it:
                for e in it:
                    if e.name.endswith(".py"):
                        st = e.stat()
                        entries.append(f"{e.path}\0{st.st_size}\0{st.st_mtime_ns}")
                    elif e.name != "__pycache__" and e.is_dir(follow_symlinks=False):
                        stack.append(e.path)
    entries.sort()
    return hashlib.sha256("\n".join([str(FORMAT), sys.version, *entries]).encode()).hexdigest()


def _code_roots() -> list:
    """The real directories of nxc's packages, each once: an installed nxc holds
    compiler/ and runtime/ inside nxc/, a source tree beside it (links are not
    followed in a walk, as by os.walk, so a linked package is a root of its own)."""
    roots = sorted(os.path.realpath(os.path.dirname(sys.modules[name].__file__))
                   for name in _ROOTS)
    kept = []
    for r in roots:
        if not any(r == k or r.startswith(k + os.sep) for k in kept):
            kept.append(r)
    return kept


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


def _source_of(defn, src, node) -> str:
    # Where the node starts tells apart the lambdas of one file (one qualname, one source).
    where = f"{node.lineno}:{node.col_offset}"
    return (f"{src.path}\0{src.line_offset}\0{defn.__qualname__}\0{where}\0"
            + "\n".join(src.lines))


# -- source summaries ----------------------------------------------------------

def _summary(defn):
    """(digest of the source text the lowering reads, the names it mentions), from
    the summary recorded for the file as it is now, else read and parsed."""
    fn = defn.fn
    memo = None
    # Not for lambdas (one line may hold several, alike but for their columns),
    # nor where inspect may read another function's text (`__wrapped__`).
    if not (defn.source_read() or fn.__name__ == "<lambda>" or hasattr(fn, "__wrapped__")):
        memo = _memo_of(fn)
    if memo is not None:
        path, stat = memo
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
            digest, names = data["digest"], data["names"]
            if data["stat"] == stat and isinstance(digest, str) and isinstance(names, list) \
                    and all(isinstance(n, str) for n in names):
                return digest, names
        except (OSError, ValueError, KeyError, TypeError):
            pass
    src, node = defn.source()
    digest = hashlib.sha256(_source_of(defn, src, node).encode()).hexdigest()
    names = _names(node)
    if memo is not None and _file_stat(fn.__code__.co_filename) == stat \
            and time.time_ns() - stat[1] > RACY_NS:
        _write_json(path, {"stat": stat, "digest": digest, "names": names})
    return digest, names


def _file_stat(filename):
    try:
        st = os.stat(filename)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns, st.st_ino]


# file name -> its stat when this process last found it outside linecache
_before_read = {}


def _memo_of(fn):
    """(summary path, the file's [size, mtime, inode]) of a function in a file, or
    None where the text the frontend would read may not be the file's now: the
    lines linecache holds of it, unless read after a stat that the file still has."""
    code = fn.__code__
    stat = _file_stat(code.co_filename)
    if code.co_filename not in linecache.cache:
        _before_read[code.co_filename] = stat
    elif _before_read.get(code.co_filename) != stat:
        return None
    if stat is None:
        return None
    where = f"{code_fingerprint()}\0{os.path.abspath(code.co_filename)}\0" \
            f"{code.co_firstlineno}\0{fn.__qualname__}"
    name = hashlib.sha256(where.encode()).hexdigest()[:40]
    return os.path.join(default_cache_dir(), "jit", "src", name + ".json"), stat


# -- fingerprints of live values ------------------------------------------------

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
    digest, names = _summary(defn)
    h = hashlib.sha256(digest.encode())
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
    _write_json(_entry_path(cache_dir, k), data)


def _write_json(path, data):
    """Write `path` atomically; a failure only costs a later process some work."""
    import tempfile  # here: its import costs a cache hit several milliseconds
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f)
        os.replace(tmp, path)
    except OSError:
        pass
