"""What a compiled function returns: numpy arrays, wrapped by a hook.

By default results become `nxc.tensor.Tensor` (the eager tensor, numpy
compatible through `np.asarray`) when that module imports, plain numpy arrays
otherwise. `set_result_wrapper` replaces the hook, e.g. with `lambda a, names: a`.
The arrays are the call's own, freshly allocated (host arrays C-contiguous,
owning their data, referenced nowhere else; or a GPU call's device arrays),
so the default wraps host arrays without copying or checking them.
"""
from __future__ import annotations

import threading

_lock = threading.Lock()
_wrapper = None  # (array, axis names) -> object


def set_result_wrapper(fn):
    """Use `fn(array, names)` to wrap every result (None restores the default)."""
    global _wrapper
    with _lock:
        _wrapper = fn


def _plain(array, names):
    return array


def _default():
    try:
        from nxc.tensor import Tensor
    except Exception:  # the eager API is optional at run time
        return _plain
    return getattr(Tensor, "_fresh", _plain)


def wrap(array, names):
    global _wrapper
    fn = _wrapper
    if fn is None:
        with _lock:
            if _wrapper is None:
                _wrapper = _default()
            fn = _wrapper
    return fn(array, names)
