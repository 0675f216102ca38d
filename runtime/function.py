"""A compiled function: checks its arguments, allocates its results, calls native code.

The call goes through ctypes, which releases the GIL for its duration; nothing
is shared between calls, so several threads may call at once.

A call of a function without symbolic dimensions whose arguments are numpy
arrays needing no conversion (exactly the parameters' dtypes and shapes,
C-contiguous, aligned, passed by position) takes a fast path generated for
its signature (fastcall.py). Any other call, including every one that would
fail a check, takes the general path and gets its full check and message.
"""
from __future__ import annotations

import ctypes

import numpy as np

from . import arguments, fastcall, results
from .dtypes import NUMPY
from .errors import ArgumentError, NxcError

# Status codes of the C ABI (see the artifact's header).
_STATUS = {1: "a symbolic size is negative",
           2: "a symbolic size is below what the function needs"}


class CompiledFunction:
    def __init__(self, signature, library: ctypes.CDLL):
        self.signature = signature
        self.__name__ = signature.name
        self.__doc__ = _docstring(signature)
        try:
            self._fn = getattr(library, signature.symbol)
        except AttributeError:
            raise NxcError(f"the native library has no function {signature.symbol}") from None
        n = len(signature.params) + len(signature.results)
        self._fn.argtypes = [ctypes.c_void_p] * n + [ctypes.c_int64] * len(signature.dims)
        self._fn.restype = ctypes.c_int32
        # The positional call (None when sizes are only known at call time).
        self.call_positional = None if signature.dims else \
            self.positional_entry(self._call_checked)

    def positional_entry(self, general):
        """The generated fast call of this signature (fastcall.py), which passes
        every call it does not take to `general(args, kwargs)`; None when the
        signature has symbolic dimensions."""
        sig = self.signature
        if sig.dims:
            return None
        return fastcall.entry([(NUMPY[spec.dtype], spec.shape) for _, spec in sig.params],
                              [(r.shape, NUMPY[r.dtype], r.names) for r in sig.results],
                              self._fn, general, self._refused)

    def __repr__(self):
        return f"<compiled function {self.signature}>"

    def _bind(self, args, kwargs):
        sig = self.signature
        names = [n for n, _ in sig.params]
        if len(args) > len(names):
            raise ArgumentError(f"{sig.name} takes {len(names)} argument(s) "
                                f"({', '.join(names)}), got {len(args)}")
        values = dict(zip(names, args))
        for k, v in kwargs.items():
            if k not in names:
                raise ArgumentError(f"{sig.name} has no parameter {k!r}; its parameters are "
                                    f"{', '.join(names) or 'none'}")
            if k in values:
                raise ArgumentError(f"{sig.name} got two values for parameter {k}")
            values[k] = v
        missing = [n for n in names if n not in values]
        if missing:
            raise ArgumentError(f"{sig.name} is missing argument(s) {', '.join(missing)}")
        return [values[n] for n in names]

    def __call__(self, *args, **kwargs):
        if kwargs or self.call_positional is None:
            return self._call_checked(args, kwargs)
        return self.call_positional(*args)

    def _refused(self, status):
        raise ArgumentError(f"{self.signature.name}: the native code refused the call: "
                            f"{_STATUS.get(status, f'status {status}')}")

    def _call_checked(self, args, kwargs):
        sig = self.signature
        dims, owner, inputs = {}, {}, []
        for (name, spec), x in zip(sig.params, self._bind(args, kwargs)):
            a = arguments.as_array(sig.name, name, spec, x)
            inputs.append(arguments.check(sig.name, name, spec, a, dims, owner))
        arguments.check_constraints(sig.name, sig.constraints, dims, owner)
        outputs = [np.empty(arguments.result_shape(r, dims), dtype=NUMPY[r.dtype])
                   for r in sig.results]
        status = self._fn(*[a.ctypes.data for a in inputs], *[o.ctypes.data for o in outputs],
                          *[dims[d] for d in sig.dims])
        if status != 0:
            self._refused(status)
        wrapped = [results.wrap(o, r.names) for o, r in zip(outputs, sig.results)]
        return wrapped[0] if len(wrapped) == 1 else tuple(wrapped)


def _docstring(sig) -> str:
    lines = [str(sig)]
    if sig.doc:
        lines += ["", sig.doc]
    return "\n".join(lines)
