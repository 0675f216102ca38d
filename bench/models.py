"""The nxc side of the workloads: `@nx.defn` functions, unannotated so that one
definition serves every size (the JIT types them by the call; the
ahead-of-time path specializes them for the benchmark's inputs).

They mirror the numpy and JAX versions in workloads.py operation for operation.
"""
import nxc as nx


@nx.defn
def softmax(t):
    """W1: exp(t) / sum(exp(t)) over a vector."""
    e = nx.exp(t)
    return e / nx.sum(e)


@nx.defn
def tanh_fma(a, b, c):
    """W2: tanh(a * b + c), element-wise."""
    return nx.tanh(a * b + c)


@nx.defn
def matmul(a, b):
    """W3: a @ b."""
    return a @ b


@nx.defn
def row_sums(x):
    """W4: the sum of each row."""
    return nx.sum(x, axes=[1])


@nx.defn
def mlp_loss(w1, b1, w2, b2, x, y):
    """Mean cross-entropy of a one-hidden-layer ReLU network against labels `y`."""
    h = nx.max(x @ w1 + b1, 0.0)
    logits = h @ w2 + b2
    shifted = logits - nx.reduce_max(logits, axes=[1], keep_axes=True)
    log_probs = shifted - nx.log(nx.sum(nx.exp(shifted), axes=[1], keep_axes=True))
    return -nx.mean(nx.sum(y * log_probs, axes=[1]))


@nx.defn
def sgd_step(w1, b1, w2, b2, x, y):
    """W5: the loss and the parameters after one SGD step (learning rate 0.1)."""
    l, grads = nx.value_and_grad(mlp_loss, argnums=(0, 1, 2, 3))(w1, b1, w2, b2, x, y)
    g1, gb1, g2, gb2 = grads
    return l, w1 - 0.1 * g1, b1 - 0.1 * gb1, w2 - 0.1 * g2, b2 - 0.1 * gb2


@nx.defn
def example_loss(w, x, y):
    """The squared error of a linear model on one example."""
    d = nx.sum(x * w) - y
    return d * d


@nx.defn
def per_example_grads(w, xs, ys):
    """W6: the gradient of example_loss with respect to w, for each example."""
    return nx.vmap(nx.grad(example_loss), in_axes=(None, 0, 0))(w, xs, ys)


@nx.defn
def add(a, b):
    """W7: the sum of two scalars (the cost of a call)."""
    return a + b
