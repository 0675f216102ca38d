"""Nx's documentation examples of conv (nx.ex), eagerly and compiled (nxex.check)."""
import pytest

import nxc as nx
from nxex import check, example

EXAMPLES = [
    example("conv-1x1", lambda a, k: nx.conv(a, k, strides=[1, 1]),
            [nx.iota((1, 1, 3, 3)), nx.iota((4, 1, 1, 1))],
            [[[[0.0] * 3] * 3,
              [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]],
              [[0.0, 2.0, 4.0], [6.0, 8.0, 10.0], [12.0, 14.0, 16.0]],
              [[0.0, 3.0, 6.0], [9.0, 12.0, 15.0], [18.0, 21.0, 24.0]]]], "f32"),
    example("conv-same-dilated",
            lambda a, k: nx.conv(a, k, strides=2, padding="same", kernel_dilation=[2, 1]),
            [nx.iota((1, 1, 3, 3)), nx.iota((4, 1, 2, 1))],
            [[[[3.0, 5.0], [0.0, 0.0]], [[9.0, 15.0], [6.0, 10.0]],
              [[15.0, 25.0], [12.0, 20.0]], [[21.0, 35.0], [18.0, 30.0]]]], "f32"),
    example("conv-complex", lambda a, k: nx.conv(a, k, padding=[(2, 2)]),
            [nx.tensor([[[1 + 1j, 2, 3 - 3j]]]), nx.tensor([[[1, 2j, 3j]]])],
            [[[-3 + 3j, -2 + 8j, 10 + 14j, 8 + 6j, 3 - 3j]]], "c64"),
]


@pytest.mark.parametrize("ex", EXAMPLES)
def test_nx_example(ex):
    check(ex)
