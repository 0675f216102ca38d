"""The number of threads compiled code may use.

Native code splits large products (and other large loops) across threads of
its own (a pool of pthreads per library, no runtime library); each artifact
library holds the count in its exported `nxc_num_threads`, which this module
writes when the library is loaded and whenever the count changes, and which
the library reads at every call. The count is `NXC_NUM_THREADS` when
set, else the CPUs this process may run on; `set_num_threads` changes it for
every loaded artifact.
"""
from __future__ import annotations

import ctypes
import operator
import os
import threading
import weakref

from .errors import ArgumentError

NUM_THREADS_SYMBOL = "nxc_num_threads"
ENV = "NXC_NUM_THREADS"

_lock = threading.Lock()
_count: int | None = None
_slots: list = []  # (weak reference to a loaded library, its counter)


def _positive(value, what) -> int:
    """`value` (an integer, or a decimal string from the environment) if it is >= 1."""
    try:
        n = int(value, 10) if what == ENV else operator.index(value)
    except (TypeError, ValueError):
        n = None
    if n is None or n < 1 or isinstance(value, bool):
        raise ArgumentError(f"{what} must be a positive integer, got {value!r}")
    return n


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def get_num_threads() -> int:
    """The number of threads compiled code may use."""
    global _count
    with _lock:
        if _count is None:
            env = os.environ.get(ENV)
            _count = _positive(env.strip(), ENV) if env else usable_cpus()
        return _count


def set_num_threads(n: int) -> None:
    """Let compiled code use up to `n` threads (1: run on the calling thread only)."""
    global _count
    n = _positive(n, "the number of threads")
    with _lock:
        _count = n
        _slots[:] = [(lib, slot) for lib, slot in _slots if lib() is not None]
        for _, slot in _slots:
            slot.value = n


def attach(library: ctypes.CDLL) -> None:
    """Give a newly loaded library the thread count (libraries without parallel
    code have no counter)."""
    try:
        slot = ctypes.c_int32.in_dll(library, NUM_THREADS_SYMBOL)
    except ValueError:
        return
    n = get_num_threads()
    with _lock:
        slot.value = n
        _slots.append((weakref.ref(library), slot))
