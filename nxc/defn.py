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
no compilation. `@nx.defn(compiler="interpreter")` runs the IR through the
reference interpreter instead. Results are `nx.Tensor`s; a tuple return gives
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

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.builder import is_number
from nxc.compiler.ir.core import Value
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.ops.cast import convert
from nxc.compiler.ir.types import TensorType
from nxc.runtime.errors import ArgumentError


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
        self._annotated = None
        self._cache = {}
        self._native = {}

    @classmethod
    def from_ref(cls, ref):
        """A defn read from a file that is not run (`nxc compile` of `nx.grad(loss)`)."""
        self = cls.__new__(cls)
        self.fn = None
        self.__name__ = self.__qualname__ = ref.name
        self.__doc__ = ast.get_docstring(ref.node) if isinstance(ref.node, ast.FunctionDef) \
            else None
        self._ref, self._annotated, self._cache = ref, None, {}
        self.compiler, self._native = "cpu", {}
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
            from nxc.compiler.frontend import resolve, source
            from nxc.compiler.frontend.values import DefnRef
            src, node = source.from_function(self.fn)
            self._ref = DefnRef(self.__name__, node, src, resolve.LiveScope(self.fn))
        return self._ref

    def specialize(self, *args, **kwargs):
        """The lowered specialization for these arguments (arrays, tensors, numbers or
        TensorTypes) and options: `.function` is its IR."""
        args, options = self._split(args, kwargs)
        types, _ = self._arguments(args, need_data=False)
        return self._lowered(types, options)

    def __call__(self, *args, **kwargs):
        from nxc.compiler.frontend.values import unflatten
        from nxc.compiler.passes.batching.vectorized import Vectorized
        from nxc.tensor import Tensor
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
        lowered = self._lowered(types, options)
        if self.compiler == "interpreter":
            outs = run_function(lowered.function, *arrays)
            results = [Tensor._wrap(o, t.names)
                       for o, t in zip(outs, lowered.function.result_types)]
        else:
            results = self._compiled(lowered)(*arrays)
            results = list(results) if isinstance(results, tuple) else [results]
        return unflatten(lowered.result_tree, results)

    def _compiled(self, lowered):
        """The native function of a specialization, compiled (or found in the disk
        cache) on its first call."""
        native = self._native.get(id(lowered))
        if native is None:
            from nxc.compiler.codegen import compile_cached
            from nxc.compiler.ir.core import Module
            from nxc.compiler.passes.simplify import Simplify
            from nxc.runtime import load
            fn = lowered.function
            if not fn.name.isidentifier():  # a lambda: export it under a C name
                fn = dataclasses.replace(fn, name="jit_function")
            module = Simplify().run(Module({fn.name: fn}, name=f"jit_{fn.name}"))
            native = getattr(load(compile_cached(module)), fn.name)
            self._native[id(lowered)] = native
        return native

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

    def _lowered(self, types, options):
        from nxc.compiler.frontend.driver import lower_defn
        try:
            key = (tuple(types), tuple(sorted((k, _static_key(v)) for k, v in options.items())))
            hash(key)
        except TypeError:
            raise ArgumentError(
                f"{self.__name__}: options must be hashable static values (numbers, strings, "
                f"tuples), got {options!r}") from None
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
            array, names = _array(self.__name__, i, a, want)
            types.append(TensorType(dtypes.from_numpy(array.dtype), array.shape, names))
            arrays.append(array)
        return types, arrays


_MISSING = object()


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
