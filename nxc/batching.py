"""Auto-batching: `nx.vmap` (JAX's conventions) and Nx's `nx.vectorize` / `nx.devectorize`.

    batched = nx.vmap(predict, in_axes=(0, None))   # predict(x, w) for each row of x
    batched(xs, w)

    v = nx.vectorize(xs, "rows")                     # each row is an entry
    nx.sum(v * 2)                                    # one sum per row
    nx.devectorize(v)                                # back to an ordinary tensor

vmap lowers the function for one entry (a @defn, a plain Python function, or
another vmap) and batches its IR with the pass in compiler/passes/batching;
the same works on values being traced. vectorize builds ops per entry as they
are applied. docs/batching.md has the rules.
"""
from __future__ import annotations

from dataclasses import dataclass

from nxc.compiler.ir.builder import is_number
from nxc.compiler.ir.core import Function, Value
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.types import Dim, TensorType
from nxc.compiler.passes.batching import vectorized as _vectorized
from nxc.compiler.passes.batching.driver import (
    batch_size, normalize_axis, per_argument, vmap_function, vmap_into)
from nxc.compiler.passes.batching.axes import unbatched_type
from nxc.runtime.errors import ArgumentError, ShapeError

from ._dispatch import apply, current_builder, function_loc, host_constant, parameter_names

__all__ = ["vmap", "vectorize", "devectorize"]


@dataclass
class Specialization:
    """A vmapped function for given argument types, and how its flat results nest."""

    function: Function
    result_tree: object


def vmap(fun, in_axes=0, out_axes=0, *, axis_size=None, axis_name=None):
    """`fun` applied to every entry of a batch, with JAX's conventions.

    `in_axes`: per argument, the axis that holds the batch, or None for an
    argument shared by every entry (one int or None applies to all). `out_axes`:
    the same for the results; None says a result is the same for every entry.
    `axis_size` gives the batch size when no argument is batched (an int), or
    makes it symbolic when the function is specialized from types (a name).
    `axis_name` names the batch axis. vmap of a vmap batches again.
    """
    return Vmapped(fun, in_axes, out_axes, axis_size, axis_name)


class Vmapped:
    """A function made by `nx.vmap`: callable on tensors, on traced values, and from types."""

    def __init__(self, fun, in_axes, out_axes, axis_size, axis_name):
        self.fun = fun
        self.in_axes, self.out_axes = in_axes, out_axes
        self.axis_size, self.axis_name = axis_size, axis_name
        name = getattr(fun, "__name__", None) or getattr(fun, "name", "function")
        self.__name__ = f"vmap({name})"
        self._per_entry = {}
        self._cache = {}

    def __repr__(self):
        return f"<{self.__name__} in_axes={self.in_axes!r} out_axes={self.out_axes!r}>"

    @property
    def loc(self):
        """Where the function of one entry is defined, when nxc knows it."""
        return function_loc(self.fun)

    @property
    def parameter_names(self):
        return parameter_names(self.fun)

    # -- the function of one entry ------------------------------------------------

    def entry_types(self, types):
        """(types of one entry, batch size) for arguments of `types`."""
        in_axes = per_argument(self.in_axes, len(types), "in_axes")
        entries, sizes = [], set()
        for i, (t, ax) in enumerate(zip(types, in_axes)):
            if ax is not None:
                ax = normalize_axis(ax, t.rank, f"in_axes entry {i}")
                sizes.add(t.shape[ax])
            entries.append(unbatched_type(t, ax))
        if self.axis_size is not None and not sizes:
            sizes.add(batch_size(self.axis_size))
        if not sizes:
            raise ArgumentError(f"{self.__name__}: no argument is batched (every in_axes entry "
                                f"is None); give axis_size to say how many entries to make")
        if len(sizes) > 1:
            raise ShapeError(f"{self.__name__}: the batched axes have different sizes "
                             f"{sorted(map(str, sizes))}")
        return entries, sizes.pop()

    def per_entry(self, entries):
        """The IR function of one entry, and the nesting of its results."""
        key = tuple(entries)
        if key not in self._per_entry:
            self._per_entry[key] = _lower(self.fun, entries)
        return self._per_entry[key]

    def signature(self, entry_types) -> list:
        """The argument types for entries of `entry_types`: each batched argument
        gains the batch axis at its in_axes entry, named axis_name, of size
        axis_size (an int; a name makes it symbolic; by default a symbolic ?batch,
        renamed ?batch_1, ... when the entry types use that name)."""
        in_axes = per_argument(self.in_axes, len(entry_types), "in_axes")
        if self.axis_size is not None:
            size = batch_size(self.axis_size)
        else:
            used = {d.name for t in entry_types for d in t.shape if isinstance(d, Dim)}
            name, k = "batch", 0
            while name in used:
                k += 1
                name = f"batch_{k}"
            size = Dim(name)
        out = []
        for i, (t, ax) in enumerate(zip(entry_types, in_axes)):
            if ax is not None:
                ax = normalize_axis(ax, t.rank + 1, f"in_axes entry {i}")
                t = TensorType(t.dtype, t.shape[:ax] + (size,) + t.shape[ax:],
                               t.names[:ax] + (self.axis_name,) + t.names[ax:])
            out.append(t)
        return out

    def specialize(self, *types) -> Specialization:
        """The vmapped IR function for arguments of these types (TensorTypes).

        A str `axis_size` makes the batch axis symbolic in the signature.
        """
        types = [t if isinstance(t, TensorType) else _type(t) for t in types]
        key = tuple(types)
        if key not in self._cache:
            entries, size = self.entry_types(types)
            fn, tree = self.per_entry(entries)
            if isinstance(self.axis_size, str):
                size = batch_size(self.axis_size)
            self._cache[key] = Specialization(
                vmap_function(fn, self.in_axes, self.out_axes, axis_size=size,
                              axis_name=self.axis_name, name=fn.name), tree)
        return self._cache[key]

    # -- calls ----------------------------------------------------------------------

    def __call__(self, *args):
        from nxc.compiler.frontend.values import unflatten
        if any(isinstance(a, _vectorized.Vectorized) for a in args):
            raise ArgumentError(f"{self.__name__} takes ordinary tensors; devectorize "
                                f"vectorized ones first (nx.devectorize)")
        if any(isinstance(a, Value) for a in args):
            return self._traced(args)
        from nxc.tensor import Tensor, to_array
        tensors = [a if isinstance(a, Tensor) else Tensor(a) for a in args]
        spec = self.specialize(*[t.type for t in tensors])
        outs = run_function(spec.function, *[to_array(t) for t in tensors])
        results = [Tensor._wrap(o, t.names) for o, t in zip(outs, spec.function.result_types)]
        return unflatten(spec.result_tree, results)

    def _traced(self, args):
        """Inside a function being built: the batched body is emitted where the call is."""
        from nxc.compiler.frontend.values import unflatten
        b = current_builder()
        values = [a if isinstance(a, Value) else b.constant(a) if is_number(a)
                  else host_constant(b, a) for a in args]
        entries, size = self.entry_types([v.type for v in values])
        fn, tree = self.per_entry(entries)
        outs = vmap_into(b, fn, values, self.in_axes, self.out_axes, axis_size=size,
                         axis_name=self.axis_name)
        return unflatten(tree, outs)


def _type(x) -> TensorType:
    from ._types import type_of
    return type_of(x)


def _lower(fun, entries):
    """(IR function, result nesting) of `fun` for arguments of types `entries`."""
    if hasattr(fun, "specialize"):  # a defn, a grad (per-example gradients), another vmap
        s = fun.specialize(*entries)
        return s.function, s.result_tree
    from nxc.compiler.frontend.values import DefnRef
    if isinstance(fun, DefnRef):  # a defn named inside another defn
        from nxc.compiler.frontend.driver import lower_defn
        lowered = lower_defn(fun, entries)
        return lowered.function, lowered.result_tree
    if callable(fun):
        return _trace(fun, entries)
    raise ArgumentError(f"vmap takes a function (a @defn, a Python function, a grad or a vmap), "
                        f"got {type(fun).__name__}")


def _trace(fun, entries):
    """Call a Python function on values being traced (as nx.grad does): its IR.

    Inside defn, the frontend passes functions this way; a plain Python
    function must use nx.* functions (mark it @nx.defn to use operators).
    """
    from nxc.compiler.frontend.values import flatten
    from nxc.compiler.ir.builder import Builder
    from nxc.compiler.ir.core import Module
    from ._dispatch import building
    name = getattr(fun, "__name__", "f")
    b = Builder(loc=function_loc(fun))
    fn = b.function(Module(), name if name.isidentifier() else "f", list(entries),
                    parameter_names(fun, len(entries)))
    with building(b), b.at(fn.body):
        try:
            out = fun(*fn.params)
        except TypeError as e:
            if "Value" not in str(e):
                raise
            raise ArgumentError(f"{name} was called on values being traced and failed ({e}); a "
                                f"Python function given to vmap must use nx.* functions, not "
                                f"operators on its arguments. Mark it @nx.defn to use "
                                f"operators") from None
        leaves, tree = flatten(out)
        b.terminate("return", [_as_value(b, x, name) for x in leaves])
    return fn, tree


def _as_value(b, x, name):
    if isinstance(x, Value):
        return x
    if isinstance(x, _vectorized.Vectorized):
        raise ArgumentError(f"{name} returned a vectorized tensor under vmap; devectorize it "
                            f"(nx.devectorize) before returning")
    from nxc.tensor import Tensor, to_array
    return b.constant(to_array(x if isinstance(x, Tensor) else Tensor(x)))


def vectorize(tensor, name):
    """`tensor` with its leading axis vectorized as `name` (or a list of names, one axis each).

    Every op then applies per entry; axis arguments and shapes refer to the
    inner shape. Tensors with different vectorized axes combine over the union
    of their axes (the same name must have equal sizes, or 1).
    """
    return _vectorized.vectorize(apply, tensor, name)


def devectorize(tensor, keep_names=True):
    """An ordinary tensor again: the vectorized axes lead, named after them when `keep_names`."""
    return _vectorized.devectorize(apply, tensor, keep_names)
