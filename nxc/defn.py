"""`@nx.defn` and `nx.jit`: numerical functions compiled from their Python source.

    @nx.defn
    def softmax(t: nx.f32["n"]):
        e = nx.exp(t - nx.reduce_max(t))
        return e / nx.sum(e)

    softmax(nx.tensor([1.0, 2.0, 3.0]))

Calling a defn function from Python lowers its source (read with `inspect`,
never re-executed) to the IR for the types of the arguments, once per
specialization: the argument types (unannotated parameters take them from the
call) and the values of the keyword-only options. The IR is then compiled
for the CPU (cached in memory and on disk, keyed by the generated code, the
target and the compiler's own fingerprint: see `nxc.compiler.codegen.driver`;
`NXC_CACHE_DIR` moves the disk cache), so the second call of a signature does
no compilation. The disk cache is also indexed by the function's source and
the globals it reads (`nxc.compiler.jit_cache`), so a new process calling a
defn compiled before loads it in milliseconds, without lowering it. Calls
after the first of a signature with numpy arrays or tensors take a fast path:
the arrays' dtypes, shapes and axis names select the native function
directly (`_fast`), which still checks the data; for numpy arrays alone, a
call generated for the latest such signature (`_direct`, runtime/fastcall.py)
is tried before anything else. `@nx.defn(compiler="interpreter")` runs the IR
through the reference interpreter instead. Results are `nx.Tensor`s; a tuple return gives
a tuple. `nxc compile` reads the same
functions from the file without running it.

Called on values being traced (by `nx.grad`, `nx.vmap`, or a Python function
they trace), a defn is inlined where it is called, as a defn calling another
does; its arguments may then be vectorized (`nx.vectorize`).
"""
from __future__ import annotations

import ast
import dataclasses
import functools

import numpy as np

from nxc.compiler.frontend.values import unflatten
from nxc.compiler.ir import dtypes
from nxc.compiler.ir.builder import is_number
from nxc.compiler.ir.core import Value
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.ops.cast import convert
from nxc.compiler.ir.types import TensorType
from nxc.runtime.errors import ArgumentError, NxcError
from nxc.tensor import Tensor as _Tensor


class DefnFunction:
    """A function marked `@nx.defn`; calling it compiles (once per specialization) and runs it."""

    def __init__(self, fn, compiler="cpu"):
        if isinstance(fn, DefnFunction):
            fn = fn.fn
        if not callable(fn) or not hasattr(fn, "__code__"):
            raise ArgumentError(f"defn takes a Python function, got {type(fn).__name__}")
        if compiler not in COMPILERS:
            raise ArgumentError(f"unknown compiler {compiler!r}; expected one of "
                                f"{', '.join(COMPILERS)}")
        self.fn = fn
        self.compiler = compiler
        functools.update_wrapper(self, fn)
        self._ref = None
        self._source = None  # (Source, ast node), before `ref` needs them
        self._annotated = None
        self._cache = {}
        self._native = {}
        self._fast = {}  # _plain_key -> (native function, result tree)
        self._direct = None  # the generated call of the latest signature of arrays

    @classmethod
    def from_ref(cls, ref):
        """A defn read from a file that is not run (`nxc compile` of `nx.grad(loss)`)."""
        self = cls.__new__(cls)
        self.fn = None
        self.__name__ = self.__qualname__ = ref.name
        self.__doc__ = ast.get_docstring(ref.node) if isinstance(ref.node, ast.FunctionDef) \
            else None
        self._ref, self._source, self._annotated, self._cache = ref, None, None, {}
        self.compiler, self._native, self._fast, self._direct = "cpu", {}, {}, None
        return self

    def __repr__(self):
        return f"<defn {self.__qualname__}>"

    @property
    def loc(self):
        """Where the function is defined (its `def`)."""
        return self.ref.src.loc(self.ref.node)

    @property
    def parameter_names(self):
        """The names of the tensor parameters."""
        from nxc.compiler.frontend.driver import parameters
        return [p.arg for p in parameters(self.ref)[0]]

    def annotated_types(self):
        """The annotated type of each tensor parameter (None where unannotated)."""
        from nxc.compiler.frontend.driver import annotation_types
        if self._annotated is None:
            self._annotated = annotation_types(self.ref)
        return list(self._annotated)

    @property
    def ref(self):
        """The function's source as the frontend sees it (read on first use)."""
        if self._ref is None:
            from nxc.compiler.frontend import resolve
            from nxc.compiler.frontend.values import DefnRef
            src, node = self.source()
            self._ref = DefnRef(self.__name__, node, src, resolve.LiveScope(self.fn))
        return self._ref

    def source(self):
        """(Source, ast node) of the function, the text `ref` lowers: all that the
        JIT's source index reads, without importing name resolution (a cache hit
        never resolves a name)."""
        if self._ref is not None:
            return self._ref.src, self._ref.node
        if self._source is None:
            from nxc.compiler.frontend import source
            self._source = source.from_function(self.fn)
        return self._source

    def source_read(self):
        """Whether this object has read its source (`source` gives that text now)."""
        return self._ref is not None or self._source is not None

    def specialize(self, *args, **kwargs):
        """The lowered specialization for these arguments (arrays, tensors, numbers or
        TensorTypes) and options: `.function` is its IR."""
        args, options = self._split(args, kwargs)
        types, _ = self._arguments(args, need_data=False)
        return self._lowered(types, options)

    def __call__(self, *args, **kwargs):
        if not kwargs and self._direct is not None:
            return self._direct(*args)  # any other call goes on to _call
        return self._call(args, kwargs)

    def _call(self, args, kwargs):
        """A call from Python, with every check (the first of each signature)."""
        from nxc.compiler.passes.batching.vectorized import Vectorized
        from nxc.tensor import Tensor
        plain_key, plain = _plain_key(args) if not kwargs else (None, None)
        if plain_key is not None and self.compiler == "cpu":
            entry = self._fast.get(plain_key)
            if entry is None:
                # Arrays type themselves: a signature compiled before (here, or by
                # another process: the JIT's index) needs neither the frontend nor a
                # lowering.
                try:
                    found = self._found(
                        [self._typed(i, a, None)[0] for i, a in enumerate(args)], {})
                except NxcError:  # the checks below say what is wrong, in their order
                    found = None
                if found is not None:
                    entry = self._remember(plain_key, found)
            if entry is not None:
                call, tree = entry
                out = call(*plain)
                return out if tree is None else \
                    unflatten(tree, list(out) if isinstance(out, tuple) else [out])
        given = list(args) + list(kwargs.values())
        if any(isinstance(a, Value) or isinstance(a, Vectorized) and isinstance(a.physical, Value)
               for a in given):
            return self._inline(args, kwargs)
        if any(isinstance(a, Vectorized) for a in given):
            raise ArgumentError(f"{self.__name__} called from Python takes ordinary tensors; "
                                f"devectorize vectorized ones (nx.devectorize), or vectorize "
                                f"inside the defn")
        args, options = self._split(args, kwargs)
        types, arrays = self._arguments(args, need_data=True)
        if self.compiler == "interpreter":
            lowered = self._lowered(types, options)
            outs = run_function(lowered.function, *arrays)
            results = [Tensor._wrap(o, t.names)
                       for o, t in zip(outs, lowered.function.result_types)]
            return unflatten(lowered.result_tree, results)
        native, tree = self._compiled(types, options)
        results = native(*arrays)
        if plain_key is not None:  # later calls of this signature skip the checks above
            self._remember(plain_key, (native, tree))
        return unflatten(tree, list(results) if isinstance(results, tuple) else [results])

    def _remember(self, plain_key, entry):
        """Send later calls with arguments of `plain_key` straight to the native
        function (its positional entry: the fewest steps); a signature of numpy
        arrays whose results are flat also becomes `_direct`, the generated entry
        that `__call__` tries first (runtime/fastcall.py), which sends any other
        call back to `_call`."""
        native, tree = entry
        self._fast[plain_key] = fast = (
            getattr(native, "call_positional", None) or native, tree)
        flat = tree is None or all(t is None for t in tree)
        if (flat and all(names is None for _, _, names in plain_key)
                and getattr(native, "call_positional", None) is not None):
            self._direct = native.positional_entry(self._call)
        return fast

    def _found(self, types, options):
        """(native function, result tree) of a specialization compiled before: by
        this object, or found through the JIT's source index (jit_cache.py) without
        lowering anything; None otherwise."""
        key = self._key(types, options)
        entry = self._native.get(key)
        if entry is None:
            from nxc.compiler import jit_cache
            from nxc.runtime import load
            index_key = jit_cache.key(self, types, options)
            found = jit_cache.lookup(jit_cache.default_cache_dir(), index_key) \
                if index_key else None
            if found is not None:
                path, name, tree = found
                try:
                    entry = self._native[key] = (getattr(load(path), name), tree)
                except (NxcError, AttributeError):  # a damaged entry: compile again
                    pass
        return entry

    def _compiled(self, types, options):
        """(native function, result tree) of a specialization, lowered and compiled (or
        found in the artifact cache) on its first call unless `_found` has it."""
        entry = self._found(types, options)
        if entry is None:
            from nxc.compiler import jit_cache
            from nxc.compiler.codegen import compile_cached
            from nxc.compiler.ir.core import Module
            from nxc.compiler.passes.simplify import Simplify
            from nxc.runtime import load
            lowered = self._lowered(types, options)
            fn = lowered.function
            if not fn.name.isidentifier():  # a lambda: export it under a C name
                fn = dataclasses.replace(fn, name="jit_function")
            module = Simplify().run(Module({fn.name: fn}, name=f"jit_{fn.name}"))
            cache_dir = jit_cache.default_cache_dir()
            path = compile_cached(module, cache_dir=cache_dir)
            entry = (getattr(load(path), fn.name), lowered.result_tree)
            index_key = jit_cache.key(self, types, options)
            if index_key:
                jit_cache.store(cache_dir, index_key, path, fn.name, lowered.result_tree)
            self._native[self._key(types, options)] = entry
        return entry

    def _inline(self, args, kwargs):
        """The call lowered where the function being built is (a traced call)."""
        from nxc._dispatch import current_builder
        from nxc.compiler.frontend.driver import option_value
        from nxc.compiler.frontend.lower import Lowerer, Session
        from nxc.compiler.frontend.values import is_tensor
        b = current_builder()
        if b is None:
            raise ArgumentError(f"{self.__name__}: an IR value was used outside of a function "
                                f"being built")
        ref = self.ref
        kwargs = {k: v if is_tensor(v) else option_value(k, v) for k, v in kwargs.items()}
        lw = Lowerer(Session(), ref.src, ref.module, b)
        return lw.inline(ref, list(args), kwargs, ref.node)

    def _split(self, args, kwargs):
        """(tensor arguments in order, options): tensors may also be given by name."""
        from nxc.compiler.frontend.driver import parameters
        positional, _ = parameters(self.ref)
        names = [p.arg for p in positional]
        args = list(args)
        options = {}
        for k, v in kwargs.items():
            if k in names:
                i = names.index(k)
                if i < len(args):
                    raise ArgumentError(f"{self.__name__} got argument {k} twice")
                args += [_MISSING] * (i + 1 - len(args))
                args[i] = v
            else:
                options[k] = v
        missing = [n for n, a in zip(names, args) if a is _MISSING]
        if missing or len(args) < len(names):
            missing += names[len(args):]
            raise ArgumentError(f"{self.__name__} is missing the tensor argument(s) "
                                f"{', '.join(missing)}")
        return args, options

    def _key(self, types, options):
        """The specialization's key: argument types and option values."""
        try:
            key = (tuple(types), tuple(sorted((k, _static_key(v)) for k, v in options.items())))
            hash(key)
        except TypeError:
            raise ArgumentError(
                f"{self.__name__}: options must be hashable static values (numbers, strings, "
                f"tuples), got {options!r}") from None
        return key

    def _lowered(self, types, options):
        from nxc.compiler.frontend.driver import lower_defn
        key = self._key(types, options)
        if key not in self._cache:
            self._cache[key] = lower_defn(self.ref, types, options)
        return self._cache[key]

    def _arguments(self, args, need_data):
        """(types, arrays) of the positional arguments; numbers take the annotated dtype."""
        from nxc.compiler.frontend.driver import parameters
        positional, _ = parameters(self.ref)
        annotated = self.annotated_types()
        if len(args) != len(positional):
            raise ArgumentError(
                f"{self.__name__} takes {len(positional)} tensor argument(s) "
                f"({', '.join(p.arg for p in positional)}), got {len(args)}; options are "
                f"passed by keyword")
        types, arrays = [], []
        for i, (a, want) in enumerate(zip(args, annotated)):
            if isinstance(a, TensorType) and not need_data:
                types.append(a)
                continue
            t, array = self._typed(i, a, want)
            types.append(t)
            arrays.append(array)
        return types, arrays

    def _typed(self, i, a, want):
        """(type, numpy data) of argument `i` (`want`: its annotated type, or None)."""
        array, names = _array(self.__name__, i, a, want)
        return TensorType(dtypes.from_numpy(array.dtype), array.shape, names), array


_MISSING = object()


def _plain_key(args):
    """(key, host arrays) of positional arguments that are all numpy arrays or host
    tensors, else (None, None). Arrays of equal dtype, shape and axis names
    lower alike, so a key seen before maps straight to its native function
    (which still checks the data it is given)."""
    key, arrays = [], []
    for a in args:
        t = type(a)
        if t is _Tensor:
            a, names = a._array, a._names
            if type(a) is not np.ndarray:
                return None, None
        elif t is np.ndarray:
            names = None
        else:
            return None, None
        key.append((a.dtype, a.shape, names))
        arrays.append(a)
    return tuple(key), arrays


def _static_key(v):
    """An option value with its type: 1, 1.0 and True compare equal but type differently."""
    if isinstance(v, (tuple, list)):
        return (type(v).__name__, tuple(_static_key(e) for e in v))
    return (type(v).__name__, v)


def _array(fname, i, a, want):
    """The numpy data and axis names of argument `i`."""
    from nxc.tensor import Tensor, to_array
    if is_number(a) and not isinstance(a, np.generic):
        dt = want.dtype if want is not None else dtypes.scalar_type(a)
        return convert(np.asarray(a), dt), None
    if isinstance(a, Tensor):
        return to_array(a), a.names
    if isinstance(a, (np.ndarray, np.generic)):
        return to_array(a), None
    raise ArgumentError(
        f"{fname}: argument {i} must be a tensor, a numpy array or a number, "
        f"got {type(a).__name__}")


COMPILERS = ("cpu", "interpreter")


def defn(fn=None, *, compiler="cpu"):
    """Mark `fn` as a numerical definition (see the module docstring).

    `@nx.defn` compiles for the CPU; `@nx.defn(compiler="interpreter")` runs the
    reference interpreter instead.
    """
    if fn is None:
        return lambda f: DefnFunction(f, compiler)
    return DefnFunction(fn, compiler)


def jit(fn):
    """Compile `fn` like a defn; `jit(fn)(*args)` runs it (a defn stays itself)."""
    return fn if isinstance(fn, DefnFunction) else DefnFunction(fn)
