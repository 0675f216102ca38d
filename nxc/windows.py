"""Window reductions (compiler/ir/ops/windows.py) and `nx.window_mean`, their composite.

Options follow Nx: `window_dimensions` (a tuple, one size per axis),
`strides` (an int or a tuple), `padding` ("valid", "same" or a (low, high)
pair per axis) and `window_dilations` (an int or a tuple).
"""
from __future__ import annotations

import math

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.types import TensorType

from . import api
from ._dispatch import apply
from .composite import composite

__all__ = ["window_sum", "window_product", "window_max", "window_min", "window_mean",
           "window_scatter_max", "window_scatter_min"]


def window_sum(tensor, window_dimensions, strides=1, padding="valid", window_dilations=1):
    """The sum of each window; padding adds 0; the operand's type (integers wrap)."""
    return _window("window_sum", tensor, window_dimensions, strides, padding, window_dilations)


def window_product(tensor, window_dimensions, strides=1, padding="valid", window_dilations=1):
    """The product of each window; padding multiplies by 1; the operand's type."""
    return _window("window_product", tensor, window_dimensions, strides, padding,
                   window_dilations)


def window_max(tensor, window_dimensions, strides=1, padding="valid", window_dilations=1):
    """The maximum of each window (NaN wins); padding is -inf (the type's min for ints)."""
    return _window("window_max", tensor, window_dimensions, strides, padding, window_dilations)


def window_min(tensor, window_dimensions, strides=1, padding="valid", window_dilations=1):
    """The minimum of each window (NaN wins); padding is +inf (the type's max for ints)."""
    return _window("window_min", tensor, window_dimensions, strides, padding, window_dilations)


def _window(name, tensor, window_dimensions, strides, padding, window_dilations):
    return apply(name, tensor, window_dimensions=_tuple(window_dimensions), strides=strides,
                 padding=padding, window_dilations=window_dilations)


def _tuple(v):
    return tuple(v) if isinstance(v, list) else v


def _mean_samples(dt):
    T = TensorType
    return [((T(dt, (5,)),), {"window_dimensions": (2,)}),
            ((T(dt, (3, 4)),), {"window_dimensions": (2, 2), "strides": (1, 2)}),
            ((T(dt, (2, 5)),), {"window_dimensions": (1, 2), "padding": ((0, 0), (1, 1)),
                                "window_dilations": (1, 2)})]


@composite(accepts=dtypes.ALL, samples=_mean_samples)
def window_mean(tensor, window_dimensions, strides=1, padding="valid", window_dilations=1):
    """The mean of each window: window_sum divided by the window's size (padding
    counts as 0); floating (integers give f32)."""
    total = window_sum(tensor, window_dimensions, strides, padding, window_dilations)
    return api.divide(total, math.prod(window_dimensions))


def window_scatter_max(tensor, source, init_value, window_dimensions, strides=1,
                       padding="valid", window_dilations=1):
    """init_value in tensor's shape, plus each source element (one per window) added
    where its window of tensor has its first maximum (NaN wins); the type of source
    and init_value promoted. The gradient of window_max."""
    return apply("window_scatter_max", tensor, source, init_value,
                 window_dimensions=_tuple(window_dimensions), strides=strides, padding=padding,
                 window_dilations=window_dilations)


def window_scatter_min(tensor, source, init_value, window_dimensions, strides=1,
                       padding="valid", window_dilations=1):
    """init_value in tensor's shape, plus each source element (one per window) added
    where its window of tensor has its first minimum (NaN wins); the type of source
    and init_value promoted. The gradient of window_min."""
    return apply("window_scatter_min", tensor, source, init_value,
                 window_dimensions=_tuple(window_dimensions), strides=strides, padding=padding,
                 window_dilations=window_dilations)
