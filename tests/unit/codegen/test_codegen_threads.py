"""Threads in compiled code: the count (`nxc.set_num_threads`, NXC_NUM_THREADS),
results independent of it, concurrent callers, and small work kept on the
calling thread.

Chunks of a split loop (and slices of a split product) compute each element
exactly as one thread does, so results must be equal bit for bit.
"""
import ctypes
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import nxc
from nxc.compiler.codegen import compile_module
from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir.builder import Builder
from nxc.compiler.ir.core import Module
from nxc.compiler.ir.types import Dim, TensorType
from nxc.runtime import threads
from nxc.runtime.errors import ArgumentError

R, C = Dim("r"), Dim("c")


def _module(name="threaded", rows=R, cols=C):
    """tanh(a * b + c), row sums, a softmax (a sum over every axis) and a matrix
    product."""
    m = Module(name=name)
    b = Builder()
    mat = TensorType(T.f32, (rows, cols))
    fn = b.function(m, "fma_tanh", [mat, mat, mat])
    with b.at(fn.body):
        x, y, z = fn.params
        b.terminate("return", [b.op("tanh", b.op("add", b.op("multiply", x, y), z))])
    fn = b.function(m, "row_sums", [mat])
    with b.at(fn.body):
        b.terminate("return", [b.op("sum", fn.params[0], axes=(1,))])
    vec = (rows * cols,) if isinstance(rows, int) else (Dim("v"),)
    fn = b.function(m, "softmax", [TensorType(T.f32, vec)])
    with b.at(fn.body):
        e = b.op("exp", fn.params[0])
        b.terminate("return", [b.op("divide", e, b.op("sum", e))])
    fn = b.function(m, "matmul", [TensorType(T.f32, (R, Dim("k"))),
                                  TensorType(T.f32, (Dim("k"), C))])
    with b.at(fn.body):
        b.terminate("return", [b.op("dot", *fn.params)])
    return m


@pytest.fixture(scope="module")
def art(build):
    return build(_module())


@pytest.fixture
def restore_threads():
    before = nxc.get_num_threads()
    yield
    nxc.set_num_threads(before)


def _inputs(seed, rows=1024, cols=1024, k=300):
    rng = np.random.default_rng(seed)
    mats = [rng.standard_normal((rows, cols)).astype(np.float32) for _ in range(3)]
    return {"fma_tanh": mats, "row_sums": mats[:1], "softmax": [mats[1].ravel()],
            "matmul": [rng.standard_normal((rows // 4, k)).astype(np.float32),
                       rng.standard_normal((k, cols // 2)).astype(np.float32)]}


def _run(art, inputs):
    return {name: np.asarray(getattr(art, name)(*args)) for name, args in inputs.items()}


def test_results_do_not_depend_on_the_thread_count(art, restore_threads):
    inputs = _inputs(0)
    nxc.set_num_threads(1)
    one = _run(art, inputs)
    a, b, c = inputs["fma_tanh"]
    np.testing.assert_allclose(one["fma_tanh"], np.tanh(a.astype(np.float64) * b + c),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(one["row_sums"], a.astype(np.float64).sum(1), atol=1e-3)
    t = inputs["softmax"][0].astype(np.float64)
    np.testing.assert_allclose(one["softmax"], np.exp(t) / np.exp(t).sum(), rtol=1e-5,
                               atol=1e-12)
    x, y = inputs["matmul"]
    np.testing.assert_allclose(one["matmul"], x.astype(np.float64) @ y, atol=1e-3)
    for n in (2, 3):
        nxc.set_num_threads(n)
        for name, got in _run(art, inputs).items():
            np.testing.assert_array_equal(got, one[name], err_msg=f"{name}, {n} threads")


def test_concurrent_callers(art, restore_threads):
    """Python threads calling compiled code at once, each call running threads
    of its own, all get their own right results."""
    nxc.set_num_threads(1)
    inputs = [_inputs(seed, rows=512, cols=512) for seed in range(6)]
    want = [_run(art, i) for i in inputs]
    nxc.set_num_threads(2)
    got, errors = [None] * len(inputs), []

    def call(i):
        try:
            for _ in range(3):
                got[i] = _run(art, inputs[i])
        except Exception as e:  # reported below: a failing thread must fail the test
            errors.append(e)
    workers = [threading.Thread(target=call, args=(i,)) for i in range(len(inputs))]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not errors
    for g, w in zip(got, want):
        for name in w:
            np.testing.assert_array_equal(g[name], w[name], err_msg=name)


def test_set_num_threads_checks_its_argument(restore_threads):
    for bad in (0, -2, 1.5, "2", True, None):
        with pytest.raises(ArgumentError, match="positive integer"):
            nxc.set_num_threads(bad)
    nxc.set_num_threads(np.int64(3))
    assert nxc.get_num_threads() == 3


def test_library_counter_follows_set_num_threads(art, restore_threads):
    counters = [slot for ref, slot in threads._slots if ref() is not None]
    assert counters, "a library with parallel code registers its counter"
    nxc.set_num_threads(2)
    assert all(isinstance(s, ctypes.c_int32) and s.value == 2 for s in counters)
    nxc.set_num_threads(1)
    assert all(s.value == 1 for s in counters)


_CHILD = """
import sys, numpy as np
from nxc.runtime import load, threads
art = load(sys.argv[1])
rng = np.random.default_rng(5)
x = rng.standard_normal((1024, 1024)).astype(np.float32)
y = rng.standard_normal((300, 700)).astype(np.float32)
np.save(sys.argv[2], np.concatenate([np.asarray(art.row_sums(x)), np.asarray(art.matmul(
    x[:300, :300], y)).ravel()]))
print(threads.get_num_threads())
"""


def test_nxc_num_threads_environment(art, tmp_path, restore_threads):
    path = art.manifest.directory
    outs = {}
    for n in ("1", "2"):
        env = dict(os.environ, NXC_NUM_THREADS=n)
        out = tmp_path / f"r{n}.npy"
        proc = subprocess.run([sys.executable, "-c", _CHILD, path, str(out)], env=env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == n
        outs[n] = np.load(out)
    np.testing.assert_array_equal(outs["1"], outs["2"])
    env = dict(os.environ, NXC_NUM_THREADS="many")
    proc = subprocess.run([sys.executable, "-c", _CHILD, path, str(tmp_path / "x.npy")],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "NXC_NUM_THREADS must be a positive integer, got 'many'" in proc.stderr


def _after_bufferize(module):
    out = []
    compile_module(module, emit="llvm", print_after="bufferize", out=out.append)
    return out[0]


def test_only_large_loops_are_split():
    large = _after_bufferize(_module("large", 1024, 1024))
    small = _after_bufferize(_module("small", 16, 16))
    # Static and large: the element-wise ops, the row sums and the softmax's
    # sum and division call dispatchers.
    assert large.count("call @__nxc_parallel_") >= 4
    # Static and small: run inline (the product, of symbolic size, always calls
    # the matrix product, which picks its thread count at run time).
    assert "__nxc_parallel_" not in small
    assert compile_module(_module("large", 1024, 1024), emit="llvm").count(
        "@pthread_create(") >= 2
