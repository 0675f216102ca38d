"""Every op the batching pass creates carries a location: the location of the op it
derives from, so errors and debug info point at the user's code."""
import numpy as np

import nxc as nx
from nxc.compiler.ir.core import walk


@nx.defn
def model(w, x):
    y = nx.tanh(x @ w)
    if nx.sum(y) > 0:  # batched: a select per entry
        y = y * 2
    else:
        y = -y
    while nx.sum(y) < 5:  # batched condition: runs until every entry is done
        y = nx.abs(nx.sin(y) * y) + y + 0.5
    for k in range(2):
        y = nx.concatenate([y, y])[1:3] + k
    return nx.sum(nx.max(y, 0.1)) * nx.mean(w)


def test_vmap_ops_are_located_where_the_ops_they_derive_from_are():
    forward = model.specialize(nx.f32[3, 2], nx.f32[3]).function
    for f in (nx.vmap(model, in_axes=(None, 0)), nx.vmap(nx.grad(model), in_axes=(None, 0)),
              nx.vmap(nx.vmap(model, in_axes=(None, 0)), in_axes=(0, None))):
        types = (nx.f32[4, 3, 2], nx.f32[5, 3]) if f.in_axes == (0, None) else \
            (nx.f32[3, 2], nx.f32[5, 3])
        fn = f.specialize(*types).function
        missing = [op.name for op in walk(fn.body) if not op.loc.known]
        assert not missing, f"ops without a location: {missing}"
        locations = {op.loc for op in walk(fn.body)}
        assert all(loc.file == __file__ for loc in locations)
        if f.fun is model:  # the batched copy of model: each op derives from one of its ops
            assert locations <= {op.loc for op in walk(forward.body)}


@nx.defn
def vectorized_step(w: nx.f32[3, 2], xs: nx.f32[4, 3]):
    x = nx.vectorize(xs, "rows")
    return nx.devectorize(nx.grad(model)(w, x))


def test_vectorized_code_and_its_gradient_are_located():
    fn = vectorized_step.specialize(nx.f32[3, 2], nx.f32[4, 3]).function
    assert all(op.loc.known and op.loc.file == __file__ for op in walk(fn.body))
    out = vectorized_step(np.full((3, 2), 0.1, np.float32), np.ones((4, 3), np.float32))
    assert out.shape == (4, 3, 2) and out.names == ("rows", None, None)
