"""Host data among traced operands: `nxc._dispatch.apply` makes numpy arrays, numpy
scalars and nx.Tensors constants of the function being built, so a Python
function traced by nx.grad or nx.vmap can mix them with the values it traces."""
import numpy as np

import nxc as nx
from nxc._dispatch import apply, building
from nxc.compiler.ir.builder import Builder
from nxc.compiler.ir.core import Module
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.types import TensorType
from nxc.compiler.ir.verifier import verify_function


def build(types, body):
    b = Builder()
    fn = b.function(Module(), "f", list(types))
    with building(b), b.at(fn.body):
        b.terminate("return", [body(*fn.params)])
    return verify_function(fn)


def test_arrays_scalars_and_tensors_become_typed_constants():
    host = np.array([1.0, 2.0, 3.0], np.float32)
    named = nx.tensor([10, 20, 30], dtype=nx.s32, names=["k"])
    fn = build([TensorType(nx.f32, (3,))], lambda x: apply(
        "add", apply("multiply", apply("add", x, host), np.float64(2.0)), named))
    consts = [op for op in fn.body.ops if op.name == "constant"]
    assert [op.results[0].type for op in consts] == [
        TensorType(nx.f32, (3,)), TensorType(nx.f64, ()), TensorType(nx.s32, (3,))]
    # A numpy scalar is a typed tensor (f32 * f64 is f64), unlike a Python float;
    # the Tensor's axis name survives.
    assert fn.result_types == [TensorType(nx.f64, (3,), ("k",))]
    x = np.array([0.5, -1.0, 4.0], np.float32)
    (out,) = run_function(fn, x)
    np.testing.assert_allclose(out, (x.astype(np.float64) + [1, 2, 3]) * 2 + [10, 20, 30])


def test_python_numbers_still_take_the_type_of_the_tensor_beside_them():
    fn = build([TensorType(nx.f32, (2,))], lambda x: apply("multiply", x, 2.0))
    assert fn.result_types == [TensorType(nx.f32, (2,))]


def test_grad_of_a_python_function_that_holds_arrays():
    a = np.array([1.0, -2.0, 3.0])
    t = nx.tensor([0.5, 0.25, 2.0], dtype=nx.f64)
    g = nx.grad(lambda w: nx.sum(nx.multiply(nx.multiply(w, a), t)))(np.zeros(3))
    np.testing.assert_allclose(np.asarray(g), a * [0.5, 0.25, 2.0], rtol=1e-15)


def test_vmap_of_a_python_function_that_holds_a_tensor():
    bias = nx.tensor([1.0, 2.0], dtype=nx.f64, names=["out"])
    xs = np.arange(6.0).reshape(3, 2)
    out = nx.vmap(lambda x: nx.add(nx.multiply(x, np.float64(3.0)), bias))(xs)
    assert out.names == (None, "out")
    np.testing.assert_allclose(np.asarray(out), xs * 3 + [1.0, 2.0], rtol=1e-15)
