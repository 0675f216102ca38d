"""nx.conv: N-dimensional cross-correlation, as Nx.conv (the registry op `conv`,
compiler/ir/ops/conv.py, holds the full rules)."""
from __future__ import annotations

from ._dispatch import apply

__all__ = ["conv"]


def _tuples(value):
    """Lists (Nx's option spelling) as tuples, recursively; other values unchanged."""
    if isinstance(value, (list, tuple)):
        return tuple(_tuples(v) for v in value)
    return value


def conv(tensor, kernel, strides=1, padding="valid", input_dilation=1, kernel_dilation=1,
         feature_group_size=1, batch_group_size=1, input_permutation=None,
         kernel_permutation=None, output_permutation=None):
    """Cross-correlates `tensor` (batch, channels, spatial...) with `kernel`
    (out channels, channels / feature_group_size, kernel spatial...).

    `strides`, `input_dilation` and `kernel_dilation` are an int or one int
    per spatial axis; `padding` is "valid", "same" or one (low, high) pair per
    spatial axis; the permutations give the layout of the input, kernel and
    result (`standard = transpose(t, permutation)`). The result is
    (batch / batch_group_size, out channels, out spatial...) and floating.
    """
    return apply("conv", tensor, kernel, strides=_tuples(strides), padding=_tuples(padding),
                 input_dilation=_tuples(input_dilation), kernel_dilation=_tuples(kernel_dilation),
                 feature_group_size=feature_group_size, batch_group_size=batch_group_size,
                 input_permutation=_tuples(input_permutation),
                 kernel_permutation=_tuples(kernel_permutation),
                 output_permutation=_tuples(output_permutation))
