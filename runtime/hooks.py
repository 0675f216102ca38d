"""Host side of nx.print_value: formatting, and the callback compiled code calls.

The interpreter and eager mode call `emit(array, label)`. A compiled
print_value streams its value to the function pointer an artifact exports as
PRINT_HOOK_SYMBOL (null until `attach` sets it at load, and then a no-op):
`hook(kind, a, b, meta)` with kind START (a = rank), DIM (a = size), ELEMENT
(a, b = the bits of the element, of its real and imaginary parts for complex
types) and END, once per call in that order; `meta` is the C string
"<dtype>:<label>" of the print site. Values are assembled per thread and site,
so prints from threads running at once do not mix.
"""
from __future__ import annotations

import ctypes
import sys
import threading

import numpy as np

from .dtypes import NUMPY

PRINT_HOOK_SYMBOL = "nxc_print_hook"
START, DIM, ELEMENT, END = 0, 1, 2, 3

HOOK_TYPE = ctypes.CFUNCTYPE(None, ctypes.c_int64, ctypes.c_int64, ctypes.c_int64,
                             ctypes.c_char_p)


def format_value(array: np.ndarray, dtype: str, label=None) -> str:
    """`label: f32[2][3]` (or the type alone), then the values on the next lines."""
    head = dtype + "".join(f"[{d}]" for d in array.shape)
    body = np.array2string(np.asarray(array), separator=", ", threshold=1000)
    return f"{label}: {head}\n{body}" if label else f"{head}\n{body}"


def emit(array: np.ndarray, dtype: str, label=None) -> None:
    print(format_value(array, dtype, label), file=sys.stdout, flush=True)


_pending = threading.local()


def _bits_to_array(dtype: str, dims, elements) -> np.ndarray:
    np_dtype = NUMPY[dtype]
    lo = np.array([a for a, _ in elements], dtype=np.int64).view(np.uint64)
    if np_dtype.kind == "c":
        part = np.dtype(np.float32 if np_dtype.itemsize == 8 else np.float64)
        hi = np.array([b for _, b in elements], dtype=np.int64).view(np.uint64)
        width = np.dtype(f"u{part.itemsize}")
        out = np.empty(lo.shape, np_dtype)
        out.real, out.imag = lo.astype(width).view(part), hi.astype(width).view(part)
        return out.reshape(dims)
    width = np.dtype(f"u{np_dtype.itemsize}")
    return lo.astype(width).view(np_dtype).reshape(dims)


def _hook(kind, a, b, meta):
    state = _pending.__dict__.setdefault("sites", {})
    if kind == START:
        state[meta] = ([], [])
    elif kind == DIM:
        state[meta][0].append(int(a))
    elif kind == ELEMENT:
        state[meta][1].append((int(a), int(b)))
    elif kind == END:
        dims, elements = state.pop(meta)
        dtype, _, label = meta.decode().partition(":")
        emit(_bits_to_array(dtype, dims, elements), dtype, label or None)


_CALLBACK = HOOK_TYPE(_hook)  # kept alive for as long as libraries may call it


def attach(library: ctypes.CDLL) -> None:
    """Point a newly loaded library's print hook at `_hook` (libraries without
    print_value have no hook)."""
    try:
        slot = ctypes.c_void_p.in_dll(library, PRINT_HOOK_SYMBOL)
    except ValueError:
        return
    slot.value = ctypes.cast(_CALLBACK, ctypes.c_void_p).value
