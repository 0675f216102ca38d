"""Oracles of the shape and indexing compositions (nxc/shape_ops.py, nxc/indexed.py),
written with numpy's own functions: np.take, np.tile, np.diff, np.pad..."""
import numpy as np


def _clip(indices, size):
    return np.clip(indices.astype(np.int64), 0, size - 1)


def _flatten(x, axes=None):
    if axes is None:
        return x.reshape(-1)
    first, last = min(axes), max(axes) + 1
    return x.reshape(x.shape[:first] + (-1,) + x.shape[last:])


def _outer(a, b):
    a, b = np.asarray(a), np.asarray(b)
    b = np.conj(b) if np.iscomplexobj(b) else b
    return np.multiply.outer(a.reshape(-1), b.reshape(-1))


def _split(x, split, axis=0):
    size = x.shape[axis]
    at = (split if split >= 0 else size + split) if isinstance(split, int) \
        else int(np.ceil(split * size))
    return tuple(np.split(x, [at], axis=axis))


def _slice_along_axis(x, start_index, length, axis=0, strides=1):
    return np.take(x, range(start_index, start_index + length, strides), axis=axis)


NUMPY_PAD_MODES = {"reflect": "reflect", "mirror": "symmetric", "cyclic": "wrap",
                   "replicate": "edge"}


COMPOSITE_ORACLES = {
    "take": lambda x, i, axis=0: np.take(x, _clip(i, x.shape[axis]), axis=axis),
    "take_along_axis": lambda x, i, axis=0: np.take_along_axis(
        x, _clip(i, x.shape[axis]), axis=axis),
    "flatten": _flatten,
    "tile": lambda x, repetitions: np.tile(x, repetitions),
    "diff": lambda x, order=1, axis=-1: np.diff(x, n=order, axis=axis),
    "outer": _outer,
    "split": _split,
    "slice_along_axis": _slice_along_axis,
    "pad_edge": lambda x, config, mode="reflect": np.pad(x, config, mode=NUMPY_PAD_MODES[mode]),
}
