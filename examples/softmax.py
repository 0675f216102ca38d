"""A small model: `nxc compile examples/softmax.py --emit ir` prints its IR
without running this file; examples/softmax_demo.py calls it from Python."""
import nxc as nx


@nx.defn
def softmax(t: nx.f32["n"]):
    """exp(t) / sum(exp(t)), shifted by the maximum for stability."""
    e = nx.exp(t - nx.reduce_max(t))
    return e / nx.sum(e)


@nx.defn
def dense(x: nx.f32["batch", 4], w: nx.f32[4, 3], b: nx.f32[3], *, relu: bool = True):
    y = x @ w + b
    return nx.max(y, 0.0) if relu else y


@nx.defn
def classify(x: nx.f32["batch", 4], w: nx.f32[4, 3], b: nx.f32[3]):
    """Class probabilities per row: a dense layer, then a softmax of each row."""
    logits = dense(x, w, b, relu=False)
    e = nx.exp(logits - nx.reduce_max(logits, axes=[1], keep_axes=True))
    return e / nx.sum(e, axes=[1], keep_axes=True)
