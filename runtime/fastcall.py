"""The fast path of a compiled call: a Python function generated per signature.

A call whose arguments are numpy arrays of exactly the parameters' dtypes
and static shapes, C-contiguous and aligned, needs none of the conversions
and checks of arguments.py, only the arrays' data addresses. For each
signature without symbolic dimensions `entry` writes (as `dataclasses` and
`namedtuple` do) a function with one test per argument, one `np.empty` per
result and the native call inline; any other call goes to the general path,
which converts what it can and raises the same errors as ever. For two
scalars the generated code reads:

    def entry(*args):
        if len(args) == 2:
            a0, a1 = args
            if (type(a0) is ndarray and a0.dtype is d0 and a0.shape == s0
                    and a0.flags.num & ALIGNED_C == ALIGNED_C and ...):
                r0 = empty(rs0, rd0)
                status = native(address(a0), address(a1), address(r0))
                if status == 0:
                    return wrap(r0, names0)
                refused(status)
        return general(args, {})

`ndarray.ctypes.data` builds a helper object per call (1.5 us); on CPython
the data address is read from the array object itself, at the offset of
numpy's `data` field (right after the object header), found and verified on
live arrays at import, through a ctypes view of memory as 8-byte words (0.2
us). Other interpreters use `ndarray.ctypes.data`.
"""
from __future__ import annotations

import ctypes
import functools
import sys

import numpy as np

from . import results

ALIGNED_C = 0x0001 | 0x0100  # NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED


def _data_offset():
    """The offset of an ndarray's data pointer in its object, or None."""
    if sys.implementation.name != "cpython" or ctypes.sizeof(ctypes.c_void_p) != 8:
        return None
    probes = [np.empty(n, np.uint8) for n in (1, 24, 4096)] + [np.zeros((3, 2), np.float32)]
    return next((k for k in range(16, 64, 8)
                 if all(ctypes.c_uint64.from_address(id(p) + k).value == p.ctypes.data
                        for p in probes)), None)


_OFFSET = _data_offset()
_WORDS = (ctypes.c_uint64 * (1 << 44)).from_address(0) if _OFFSET is not None else None
# The expression of an array's data address in generated code.
_ADDRESS = "words[(id({0}) + offset) >> 3]" if _OFFSET is not None else "{0}.ctypes.data"


def data_address(a: np.ndarray) -> int:
    """The address of `a`'s data, as generated code reads it (`a.ctypes.data`)."""
    return _WORDS[(id(a) + _OFFSET) >> 3] if _OFFSET is not None else a.ctypes.data


def entry(params, outputs, native, general, refused):
    """The fast call of a signature: `params` [(numpy dtype, shape)], `outputs`
    [(shape, numpy dtype, axis names)], `native` the ctypes function,
    `general(args, kwargs)` the checked call, `refused(status)` raises; None
    for a function without results (nothing to gain)."""
    if not outputs:
        return None
    n = len(params)
    args = [f"a{i}" for i in range(n)]
    checks = " and ".join(
        f"type(a{i}) is ndarray and a{i}.dtype is d{i} and a{i}.shape == s{i} "
        f"and a{i}.flags.num & ALIGNED_C == ALIGNED_C" for i in range(n)) or "True"
    addresses = [_ADDRESS.format(a) for a in args] + \
        [_ADDRESS.format(f"r{k}") for k in range(len(outputs))]
    wrapped = ", ".join(f"wrap(r{k}, names{k})" for k in range(len(outputs)))
    lines = [
        "def entry(*args):",
        f"    if len(args) == {n}:",
        f"        {', '.join(args)}{',' if n == 1 else ''} = args" if n else "        pass",
        f"        if {checks}:",
        *[f"            r{k} = empty(rs{k}, rd{k})" for k in range(len(outputs))],
        f"            status = native({', '.join(addresses)})",
        "            if status == 0:",
        f"                return {wrapped if len(outputs) == 1 else f'({wrapped},)'}",
        "            refused(status)",
        "    return general(args, {})",
    ]
    namespace = {"ndarray": np.ndarray, "empty": np.empty, "ALIGNED_C": ALIGNED_C,
                 "words": _WORDS, "offset": _OFFSET, "native": native, "wrap": results.wrap,
                 "general": general, "refused": refused}
    for i, (dtype, shape) in enumerate(params):
        namespace[f"d{i}"], namespace[f"s{i}"] = dtype, tuple(shape)
    for k, (shape, dtype, names) in enumerate(outputs):
        namespace[f"rs{k}"], namespace[f"rd{k}"] = tuple(shape), dtype
        # The names as the hook would make them, once rather than per call.
        namespace[f"names{k}"] = tuple(names) if names is not None else (None,) * len(shape)
    exec(_code("\n".join(lines)), namespace)  # noqa: S102 - our own template, no user text
    return namespace["entry"]


@functools.lru_cache(maxsize=64)
def _code(text):
    """The template compiled once per shape of signature: the JIT asks for a second
    entry of each function it loads, and compiling one costs a third of a ms."""
    return compile(text, "<nxc fast call>", "exec")
