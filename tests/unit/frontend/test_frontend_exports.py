"""`nxc compile` exports module-level transformed functions (nx.grad, nx.value_and_grad,
nx.vmap of the file's defns), found without running the module.

Oracles: the gradients of the model below written by hand in float64.
"""
import textwrap

import numpy as np
import pytest
from click.testing import CliRunner

from nxc.cli.main import main
from nxc.compiler.frontend.driver import compile_file
from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir.core import walk
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.types import Dim, TensorType
from nxc.compiler.ir.verifier import verify
from nxc.runtime.errors import CompileError

MODEL = """
import nxc as nx
raise SystemExit("the model ran")


@nx.defn
def loss(w: nx.f64[3, 2], x: nx.f64[3], y: nx.f64[2]):
    return nx.sum((nx.tanh(x @ w) - y) ** 2)


@nx.defn
def predict(x: nx.f64[3], w: nx.f64[3, 2]):
    return nx.tanh(x @ w)


dloss = nx.grad(loss)
vg = nx.value_and_grad(loss, argnums=(0, 1))
per_example = nx.vmap(nx.grad(loss), in_axes=(None, 0, 0))
batched = nx.vmap(predict, in_axes=(0, None), axis_size="batch")
four = nx.vmap(predict, in_axes=(0, None), axis_size=4)
twice = nx.vmap(nx.vmap(predict, in_axes=(0, None)), in_axes=(0, None))


@nx.defn
def step(w: nx.f64[3, 2], x: nx.f64[3], y: nx.f64[2]):
    return w - 0.5 * dloss(w, x, y)
"""

rng = np.random.default_rng(5)
W, X, Y = rng.normal(size=(3, 2)), rng.normal(size=3), rng.normal(size=2)


def by_hand(w, x, y):
    """(loss, d/dw, d/dx) of sum((tanh(x w) - y)^2)."""
    t = np.tanh(x @ w)
    s = 2 * (t - y) * (1 - t * t)
    return ((t - y) ** 2).sum(), np.outer(x, s), w @ s


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    path = tmp_path_factory.mktemp("exports") / "model.py"
    path.write_text(textwrap.dedent(MODEL).lstrip())
    return verify(compile_file(str(path))), path


def test_exports_follow_the_defns_in_source_order(module):
    m, _ = module
    assert list(m.functions) == ["loss", "predict", "dloss", "vg", "per_example", "batched",
                                 "four", "twice", "step"]


def test_grad_and_value_and_grad_exports(module):
    m, path = module
    f64 = lambda *s: TensorType(T.f64, s)  # noqa: E731
    assert m["dloss"].param_types == [f64(3, 2), f64(3), f64(2)]
    assert [p.hint for p in m["dloss"].params] == ["w", "x", "y"]
    assert m["dloss"].loc.file == str(path) and m["dloss"].loc.line == 15
    value, dw, dx = by_hand(W, X, Y)
    (g,) = run_function(m["dloss"], W, X, Y)
    np.testing.assert_allclose(g, dw, rtol=1e-12)
    assert m["vg"].result_types == [f64(), f64(3, 2), f64(3)]
    got = run_function(m["vg"], W, X, Y)
    for a, b in zip(got, (value, dw, dx)):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    (w2,) = run_function(m["step"], W, X, Y)  # a defn calling the export
    np.testing.assert_allclose(w2, W - 0.5 * dw, rtol=1e-12)


def test_per_example_gradients_export(module):
    m, _ = module
    fn = m["per_example"]
    batch = Dim("batch")
    assert fn.param_types == [TensorType(T.f64, (3, 2)), TensorType(T.f64, (batch, 3)),
                              TensorType(T.f64, (batch, 2))]
    assert fn.result_types == [TensorType(T.f64, (batch, 3, 2))]
    xs, ys = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    (g,) = run_function(fn, W, xs, ys)
    for i in range(5):
        np.testing.assert_allclose(g[i], by_hand(W, xs[i], ys[i])[1], rtol=1e-12)


def test_vmap_exports_carry_the_batch_dimension(module):
    m, _ = module
    assert m["batched"].param_types[0] == TensorType(T.f64, (Dim("batch"), 3))
    assert m["four"].param_types[0] == TensorType(T.f64, (4, 3))
    # vmap of vmap: a fresh symbolic dimension per level
    assert m["twice"].param_types[0] == TensorType(T.f64, (Dim("batch_1"), Dim("batch"), 3))
    xs = rng.normal(size=(2, 7, 3))
    (out,) = run_function(m["twice"], xs, W)
    np.testing.assert_allclose(out, np.tanh(xs @ W), rtol=1e-12)
    (out,) = run_function(m["batched"], xs[0], W)
    np.testing.assert_allclose(out, np.tanh(xs[0] @ W), rtol=1e-12)


def test_every_op_of_an_export_is_located_in_the_model(module):
    m, path = module
    for name in ("dloss", "vg", "per_example", "batched", "twice"):
        for op in walk(m[name].body):
            assert op.loc.file == str(path), (name, op.name, op.loc)


def test_selected_exports_and_unannotated_ones(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(textwrap.dedent("""
        import nxc as nx

        @nx.defn
        def f(x):
            return nx.sum(x * x)

        @nx.defn
        def g(x: nx.f32[2]):
            return nx.sum(nx.sin(x))

        df = nx.grad(f)
        dg = nx.grad(g)
    """).lstrip())
    assert list(compile_file(str(path)).functions) == ["g", "dg"]  # df has no signature
    assert list(compile_file(str(path), ["dg"]).functions) == ["dg"]
    with pytest.raises(CompileError, match="df cannot be compiled: parameter x of f has no "
                                           "type annotation") as e:
        compile_file(str(path), ["df"])
    assert (e.value.loc.line, e.value.loc.col) == (11, 1)


def test_errors_in_an_export_are_located_at_its_assignment(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(textwrap.dedent("""
        import nxc as nx

        @nx.defn
        def f(x: nx.f32[2], y: nx.f32[3]):
            return nx.sum(x) * nx.sum(y)

        bad = nx.vmap(f, in_axes=(0, 1, 0))
    """).lstrip())
    result = CliRunner().invoke(main, ["compile", str(path), "--emit", "ir"])
    assert result.exit_code == 1
    assert result.output.startswith(f"{path}:7:1: error: in_axes has 3 entries for 2 argument(s)")
