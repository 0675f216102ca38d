"""A 784-512-10 multilayer perceptron: forward pass, loss and one SGD step.

`nxc compile examples/mlp.py --emit ir` prints the IR of every function here;
examples/train_mlp.py trains it on synthetic data.
"""
import nxc as nx


@nx.defn
def predict(w1: nx.f32[784, 512], b1: nx.f32[512], w2: nx.f32[512, 10], b2: nx.f32[10],
            x: nx.f32["batch", 784]):
    """Class probabilities for each row of `x`."""
    h = nx.max(x @ w1 + b1, 0.0)
    logits = h @ w2 + b2
    e = nx.exp(logits - nx.reduce_max(logits, axes=[1], keep_axes=True))
    return e / nx.sum(e, axes=[1], keep_axes=True)


@nx.defn
def loss(w1: nx.f32[784, 512], b1: nx.f32[512], w2: nx.f32[512, 10], b2: nx.f32[10],
         x: nx.f32["batch", 784], y: nx.f32["batch", 10]):
    """Mean cross-entropy of the predictions against one-hot labels `y`."""
    h = nx.max(x @ w1 + b1, 0.0)
    logits = h @ w2 + b2
    shifted = logits - nx.reduce_max(logits, axes=[1], keep_axes=True)
    log_probs = shifted - nx.log(nx.sum(nx.exp(shifted), axes=[1], keep_axes=True))
    return -nx.mean(nx.sum(y * log_probs, axes=[1]))


@nx.defn
def step(w1: nx.f32[784, 512], b1: nx.f32[512], w2: nx.f32[512, 10], b2: nx.f32[10],
         x: nx.f32["batch", 784], y: nx.f32["batch", 10], *, lr: float = 0.1):
    """One step of gradient descent: the loss before the step and the new parameters."""
    l, grads = nx.value_and_grad(loss, argnums=(0, 1, 2, 3))(w1, b1, w2, b2, x, y)
    g1, gb1, g2, gb2 = grads
    return l, w1 - lr * g1, b1 - lr * gb1, w2 - lr * g2, b2 - lr * gb2
