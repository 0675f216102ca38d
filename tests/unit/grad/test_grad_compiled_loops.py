"""Compiled gradients through `for` and `while` loops agree with the interpreter
and with central finite differences (the loop body depends on the variable)."""
import numpy as np
import pytest

import nxc as nx
from nxc.compiler.codegen import compile_cached
from nxc.compiler.ir.core import Module
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.passes.grad import grad_function
from nxc.runtime import load


@nx.defn
def for_loss(x: nx.f32[3]):
    acc = x
    for i in range(4):
        acc = nx.sin(acc) * x
    return nx.sum(acc)


@nx.defn
def while_loss(x: nx.f32[3]):
    acc = x
    i = 0
    while i < 3:
        acc = nx.tanh(acc * x + 0.5)
        i = i + 1
    return nx.sum(acc * acc)


def numpy_for(x):
    acc = x
    for _ in range(4):
        acc = np.sin(acc) * x
    return acc.sum()


def numpy_while(x):
    acc = x
    for _ in range(3):
        acc = np.tanh(acc * x + 0.5)
    return (acc * acc).sum()


@pytest.mark.parametrize("loss, oracle", [(for_loss, numpy_for), (while_loss, numpy_while)])
def test_compiled_loop_gradient(loss, oracle, tmp_path):
    fn = grad_function(loss.specialize(nx.f32[3]).function, 0)
    module = Module(name="loop_grad")
    module.add(fn)
    native = getattr(load(compile_cached(module, cache_dir=str(tmp_path))), fn.name)
    x = np.array([0.3, -0.5, 1.2], np.float32)
    got = np.asarray(native(x))
    np.testing.assert_allclose(got, run_function(fn, x)[0], rtol=1e-5, atol=1e-6)
    x64, eps = x.astype(np.float64), 1e-6
    fd = [(oracle(x64 + eps * e) - oracle(x64 - eps * e)) / (2 * eps) for e in np.eye(3)]
    np.testing.assert_allclose(got, fd, rtol=1e-4, atol=1e-5)
