"""Gradients of sort, the cumulative ops and the window ops at the points finite
differences cannot check: ties, zeros, NaN and windows that overlap."""
import numpy as np

from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.passes.grad import grad_function

from gradutil import f64, function


def _grad(body, x, weights=None):
    x = np.asarray(x, dtype=np.float64)

    def loss(b, p):
        y = body(b, p)
        w = np.ones(y.type.shape) if weights is None else np.asarray(weights, np.float64)
        return b.op("sum", b.op("multiply", y, b.constant(w)))
    (g,) = run_function(grad_function(function([f64(*x.shape)], loss)), x)
    return g.tolist()


def test_sort_sends_each_gradient_back_to_its_element():
    # sorted: [1 (index 1), 2 (index 3), 3 (index 0 and 2: stable)]
    weights = [10.0, 20.0, 30.0, 40.0]
    g = _grad(lambda b, x: b.op("sort", x), [3.0, 1.0, 3.0, 2.0], weights)
    assert g == [30.0, 10.0, 40.0, 20.0]
    g = _grad(lambda b, x: b.op("sort", x, direction="desc"), [3.0, 1.0, 3.0, 2.0], weights)
    assert g == [10.0, 40.0, 20.0, 30.0]


def test_cumulative_max_passes_gradients_to_the_first_maximum():
    x = [1.0, 3.0, 3.0, 2.0, 5.0]
    weights = [1.0, 10.0, 100.0, 1000.0, 10000.0]
    # y = [1, 3, 3, 3, 5]: y_1..y_3 copy x_1 (the first 3).
    assert _grad(lambda b, p: b.op("cumulative_max", p), x, weights) == \
        [1.0, 1110.0, 0.0, 0.0, 10000.0]
    # reverse: y = [5, 5, 5, 5, 5], all copy x_4.
    assert _grad(lambda b, p: b.op("cumulative_max", p, reverse=True), x, weights) == \
        [0.0, 0.0, 0.0, 0.0, 11111.0]
    # cumulative_min from the end: y = [1, 2, 2, 2, 5].
    assert _grad(lambda b, p: b.op("cumulative_min", p, reverse=True), x, weights) == \
        [1.0, 0.0, 0.0, 1110.0, 10000.0]


def test_cumulative_max_after_nan_passes_to_the_nan():
    g = _grad(lambda b, p: b.op("cumulative_max", p), [1.0, np.nan, 5.0, np.nan])
    assert g == [1.0, 3.0, 0.0, 0.0]


def test_cumulative_product_is_exact_at_zeros():
    # y = [2, 0, 0, 0]; dy_j/dx_1 = 2, 2*3, 2*3*4; dy/dx_2 = 0 (x_1 = 0 stays).
    g = _grad(lambda b, p: b.op("cumulative_product", p), [2.0, 0.0, 3.0, 4.0])
    assert g == [1.0, 2.0 + 6.0 + 24.0, 0.0, 0.0]


def test_cumulative_sum_gradient_is_the_reversed_sum():
    g = _grad(lambda b, p: b.op("cumulative_sum", p, axis=1), [[1.0, 2.0, 3.0]],
              [[1.0, 10.0, 100.0]])
    assert g == [[111.0, 110.0, 100.0]]


def test_window_max_sends_each_window_to_its_first_maximum():
    # Windows of 2 with stride 1: [4, 4] -> first 4; [4, 1]; [1, 4] -> the second 4.
    g = _grad(lambda b, p: b.op("window_max", p, window_dimensions=(2,)), [4.0, 4.0, 1.0, 4.0],
              [1.0, 10.0, 100.0])
    assert g == [1.0, 10.0, 0.0, 100.0]


def test_window_sum_counts_overlaps_strides_and_padding():
    g = _grad(lambda b, p: b.op("window_sum", p, window_dimensions=(3,), strides=2,
                                padding=((1, 1),)), [1.0, 2.0, 3.0, 4.0, 5.0])
    # Padded [0 1 2 3 4 5 0]: windows at 0, 2, 4 cover x0..x1, x1..x3, x3..x4 (+pad).
    assert g == [1.0, 2.0, 1.0, 2.0, 1.0]
