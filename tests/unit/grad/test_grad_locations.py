"""Every op the grad pass creates carries a location: the location of the op it
derives from (the seed and the return: the differentiated function's return),
so errors and debug info point at the user's code."""
import numpy as np

import nxc as nx
from nxc.compiler.ir.core import walk


@nx.defn
def model(w, x):
    y = nx.tanh(x @ w)
    if nx.sum(y) > 0:
        y = y * 2
    else:
        y = -y
    i = 0
    while i < 3:
        y = nx.sin(y) * y
        i += 1
    for k in range(2):
        y = y + nx.custom_grad(y * 1.5, [y], lambda g: [g * 3])
    return nx.sum(nx.max(y, 0.1) + nx.stop_grad(y) * nx.mean(w))


@nx.defn
def coupled(w, x):
    return nx.sum(model(w, x) * w)


TYPES = (nx.f32[3, 2], nx.f32[3])


def locations(fn):
    return {op.loc for op in walk(fn.body)}


def assert_located_like(fn, forward):
    missing = [op.name for op in walk(fn.body) if not op.loc.known]
    assert not missing, f"ops without a location: {missing}"
    assert all(loc.file == __file__ for loc in locations(fn))
    # Each location is one of the forward function's: every op derives from one.
    assert locations(fn) <= locations(forward)


def test_grad_ops_are_located_where_the_ops_they_derive_from_are():
    forward = coupled.specialize(*TYPES).function  # model's ops, and its own
    assert all(op.loc.known for op in walk(forward.body))
    for f in (nx.grad(model), nx.value_and_grad(model, (0, 1)),
              nx.grad(nx.grad(coupled, 1), 0)):
        fn = f.specialize(*TYPES).function
        assert len(list(walk(fn.body))) > len(list(walk(forward.body)))
        assert_located_like(fn, forward)


@nx.defn
def training_step(w: nx.f32[3, 2], x: nx.f32[3]):
    return w - 0.1 * nx.grad(model)(w, x)


def test_a_grad_inlined_in_a_defn_is_located():
    fn = training_step.specialize(*TYPES).function
    assert all(op.loc.known and op.loc.file == __file__ for op in walk(fn.body))
    w = np.linspace(-1, 1, 6, dtype=np.float32).reshape(3, 2)
    assert np.isfinite(np.asarray(training_step(w, np.ones(3, np.float32)))).all()
