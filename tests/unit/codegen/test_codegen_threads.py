"""Threads in compiled code: the count (`nxc.set_num_threads`, NXC_NUM_THREADS),
results independent of it, concurrent callers, small work kept on the
calling thread, and the pool of threads_ir.py (workers kept across calls,
nested calls, fork, unloading, threads that cannot start, idle workers
asleep).

Chunks of a split loop (and slices of a split product) compute each element
exactly as one thread does, so results must be equal bit for bit.

The pool tests drive the thread support directly through a small library of
LLVM IR (`harness`) whose jobs record the kernel thread id that ran them.
"""
import ctypes
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import nxc
from nxc.compiler.codegen import compile_module, link, llvm, threads_ir
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


# -- the pool -------------------------------------------------------------------

# Jobs { ptr out, i64 index, i64 spin }: `job` spins `spin` iterations, then
# writes its thread id to out[index]; `outer` runs 4 such jobs on 2 threads
# (a parallel region inside a job). `run_auto` takes the thread count from
# `nxc_num_threads`, as generated code does.
_HARNESS = """
define internal ptr @job(ptr %j) {
entry:
  %v = alloca i64, align 8
  %out = load ptr, ptr %j, align 8
  %i.p = getelementptr inbounds { ptr, i64, i64 }, ptr %j, i32 0, i32 1
  %i = load i64, ptr %i.p, align 8
  %s.p = getelementptr inbounds { ptr, i64, i64 }, ptr %j, i32 0, i32 2
  %spin = load i64, ptr %s.p, align 8
  br label %loop
loop:
  %k = phi i64 [0, %entry], [%k1, %loop]
  store volatile i64 %k, ptr %v, align 8
  %k1 = add i64 %k, 1
  %more = icmp ult i64 %k1, %spin
  br i1 %more, label %loop, label %end
end:
  %tid = call i32 @gettid()
  %tid64 = sext i32 %tid to i64
  %slot = getelementptr inbounds i64, ptr %out, i64 %i
  store i64 %tid64, ptr %slot, align 8
  ret ptr null
}

define internal ptr @outer(ptr %j) {
entry:
  %out = load ptr, ptr %j, align 8
  %i.p = getelementptr inbounds { ptr, i64, i64 }, ptr %j, i32 0, i32 1
  %i = load i64, ptr %i.p, align 8
  %s.p = getelementptr inbounds { ptr, i64, i64 }, ptr %j, i32 0, i32 2
  %spin = load i64, ptr %s.p, align 8
  %at = mul i64 %i, 4
  %base = getelementptr inbounds i64, ptr %out, i64 %at
  call void @fill_run(ptr @job, ptr %base, i64 4, i64 2, i64 %spin)
  ret ptr null
}

define internal void @fill_run(ptr %fn, ptr %out, i64 %n, i64 %threads, i64 %spin) {
entry:
  %jobs = alloca { ptr, i64, i64 }, i64 %n, align 8
  br label %fill
fill:
  %i = phi i64 [0, %entry], [%i1, %fill]
  %j = getelementptr inbounds { ptr, i64, i64 }, ptr %jobs, i64 %i
  store ptr %out, ptr %j, align 8
  %i.p = getelementptr inbounds { ptr, i64, i64 }, ptr %j, i32 0, i32 1
  store i64 %i, ptr %i.p, align 8
  %s.p = getelementptr inbounds { ptr, i64, i64 }, ptr %j, i32 0, i32 2
  store i64 %spin, ptr %s.p, align 8
  %i1 = add i64 %i, 1
  %more = icmp ult i64 %i1, %n
  br i1 %more, label %fill, label %go
go:
  call void @__nxc_run_jobs(ptr %fn, ptr %jobs, i64 24, i64 %n, i64 %threads)
  ret void
}

define void @run(ptr %out, i64 %n, i64 %threads, i64 %spin) {
  call void @fill_run(ptr @job, ptr %out, i64 %n, i64 %threads, i64 %spin)
  ret void
}

define void @nested(ptr %out, i64 %n, i64 %threads, i64 %spin) {
  call void @fill_run(ptr @outer, ptr %out, i64 %n, i64 %threads, i64 %spin)
  ret void
}

define void @run_auto(ptr %out, i64 %n, i64 %spin) {
  %t = call i64 @__nxc_threads_for(i64 1099511627776, i64 1)
  call void @fill_run(ptr @job, ptr %out, i64 %n, i64 %t, i64 %spin)
  ret void
}

declare i32 @gettid()
"""

# A pthread_create that always fails (EAGAIN).
_NO_THREADS = """
define internal i32 @no_thread(ptr %t, ptr %a, ptr %f, ptr %arg) {
  ret i32 11
}
"""

SPIN = 20000  # iterations per job: some microseconds, so that workers join in


def _harness_library(path, failing_create=False):
    support = threads_ir.THREADS_IR
    text = _HARNESS
    if failing_create:
        support = support.replace("@pthread_create(", "@no_thread(")
        text += _NO_THREADS
    text = support + text
    text += "\n" + threads_ir.missing_declarations(text, threads_ir.THREADS_DECLS) + "\n"
    target = llvm.host_target()
    mod = llvm.optimize(text, target, 2,
                        exports=("run", "nested", "run_auto", threads.NUM_THREADS_SYMBOL))
    link.link_shared(llvm.emit_object(mod, target, 2), str(path))
    lib = ctypes.CDLL(str(path))
    for name, args in (("run", 4), ("nested", 4), ("run_auto", 3)):
        getattr(lib, name).argtypes = [ctypes.c_void_p] + [ctypes.c_int64] * (args - 1)
        getattr(lib, name).restype = None
    return lib


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    path = tmp_path_factory.mktemp("pool") / "harness.so"
    return str(path), _harness_library(path)


def _tids(fn, n, *args):
    out = np.zeros(n, np.int64)
    fn(out.ctypes.data, n, *args)
    assert (out != 0).all(), "every job ran"
    return out


def _worker_tids(out):
    return set(out.tolist()) - {threading.get_native_id()}


def _workers_seen(fn, *args, calls=20, deadline=5.0):
    """The worker thread ids of `calls` calls of `fn`, and more calls until one
    job ran on a worker (on a busy machine the OS may not run a new thread at
    once) or `deadline` seconds passed."""
    seen, end = set(), time.monotonic() + deadline
    for k in range(1 << 20):
        seen |= _worker_tids(_tids(fn, *args))
        if k >= calls and (seen or time.monotonic() > end):
            return seen


# The pool needs Linux futexes (x86-64, aarch64); elsewhere every parallel
# call starts and joins its own threads, which the other tests cover.
NEEDS_POOL = pytest.mark.skipif(not threads_ir.POOL, reason="no thread pool on this machine "
                                "(it needs Linux futexes on x86-64 or aarch64): every "
                                "parallel call starts its own threads")


@NEEDS_POOL
def test_pool_workers_persist_across_calls(harness):
    _, lib = harness
    workers = _workers_seen(lib.run, 16, 3, SPIN)
    # Fork-join would start two new threads (new ids) per call.
    assert 1 <= len(workers) <= 2, workers
    live = set(map(int, os.listdir("/proc/self/task")))
    assert workers <= live, "the workers outlive the calls"


@NEEDS_POOL
def test_pool_follows_set_num_threads(tmp_path, restore_threads):
    lib = _harness_library(tmp_path / "auto.so")
    threads.attach(lib)
    nxc.set_num_threads(1)
    for _ in range(3):
        assert not _worker_tids(_tids(lib.run_auto, 16, SPIN))
    nxc.set_num_threads(3)
    three = _workers_seen(lib.run_auto, 16, SPIN)
    assert 1 <= len(three) <= 2, three
    nxc.set_num_threads(2)
    for _ in range(20):
        two = _worker_tids(_tids(lib.run_auto, 16, SPIN))
        # Any one of the pool's workers may be the one that joins in.
        assert len(two) <= 1 and two <= three, (two, three)


def test_nested_parallel_calls(harness):
    """A job that runs a parallel region itself, on the caller (which holds the
    pool) and on workers: the inner calls start threads of their own."""
    _, lib = harness
    out = np.zeros(32, np.int64)  # 8 outer jobs, each of 4 inner ones
    caller = threading.Thread(target=lib.nested, args=(out.ctypes.data, 8, 2, SPIN))
    caller.start()
    caller.join(timeout=60)
    assert not caller.is_alive(), "the nested call never returned"
    assert (out != 0).all(), "every inner job ran"


def test_concurrent_callers_share_one_pool(harness):
    _, lib = harness
    errors = []

    def call():
        try:
            for _ in range(10):
                _tids(lib.run, 12, 2, SPIN)
                out = np.zeros(16, np.int64)
                lib.nested(out.ctypes.data, 4, 2, SPIN)
                assert (out != 0).all()
        except Exception as e:  # reported below: a failing thread must fail the test
            errors.append(e)
    callers = [threading.Thread(target=call) for _ in range(4)]
    for c in callers:
        c.start()
    for c in callers:
        c.join(timeout=60)
    assert not any(c.is_alive() for c in callers), "a call never returned"
    assert not errors, errors


def test_threads_that_cannot_start_leave_their_jobs_to_the_caller(tmp_path):
    lib = _harness_library(tmp_path / "nothreads.so", failing_create=True)
    for threads_ in (2, 4):
        assert not _worker_tids(_tids(lib.run, 9, threads_, 100))
    out = np.zeros(12, np.int64)
    lib.nested(out.ctypes.data, 3, 2, 100)
    assert set(out.tolist()) == {threading.get_native_id()}


def _cpu_ticks(tid):
    fields = open(f"/proc/self/task/{tid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


@NEEDS_POOL
def test_idle_workers_sleep(harness):
    _, lib = harness
    workers = _workers_seen(lib.run, 16, 2, SPIN)
    time.sleep(0.05)
    before = {t: _cpu_ticks(t) for t in workers}
    time.sleep(0.3)
    # A spinning worker would use about 30 ticks of 10 ms here.
    assert all(_cpu_ticks(t) - before[t] <= 2 for t in workers), (before, workers)


_FORK_CHILD = """
import ctypes, os, sys, threading
import numpy as np
lib = ctypes.CDLL(sys.argv[1])
lib.run.argtypes = [ctypes.c_void_p] + [ctypes.c_int64] * 3

def run():
    out = np.zeros(16, np.int64)
    lib.run(out.ctypes.data, 16, 2, 20000)
    return bool((out != 0).all())

def child():
    os._exit(0 if run() and run() else 1)

assert run()  # the parent's pool has a worker
stop = False

def busy():  # keeps the pool in use while the main thread forks
    while not stop:
        run()
t = threading.Thread(target=busy)
for phase in ("idle", "busy"):
    if phase == "busy":
        t.start()
    for _ in range(5):
        pid = os.fork()
        if pid == 0:
            child()
        _, status = os.waitpid(pid, 0)
        assert status == 0, (phase, status)
stop = True
t.join()
assert run()
print("ok")
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_fork_child_runs_parallel_calls(harness):
    path, _ = harness
    proc = subprocess.run([sys.executable, "-c", _FORK_CHILD, path], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


_UNLOAD = """
import _ctypes, ctypes, sys, time
import numpy as np
lib = ctypes.CDLL(sys.argv[1])
lib.run.argtypes = [ctypes.c_void_p] + [ctypes.c_int64] * 3
out = np.zeros(16, np.int64)
lib.run(out.ctypes.data, 16, 2, 20000)
_ctypes.dlclose(lib._handle)  # the workers are still spinning in its code
time.sleep(0.1)
print(sys.argv[1] in open("/proc/self/maps").read())
"""


def test_unloading_a_library_with_workers(harness, tmp_path):
    # A copy of its own: the harness fixture's library is loaded in this process.
    path = tmp_path / "unload.so"
    path.write_bytes(open(harness[0], "rb").read())
    proc = subprocess.run([sys.executable, "-c", _UNLOAD, str(path)], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    # Kept loaded where it started workers.
    assert proc.stdout.strip() == str(threads_ir.POOL)
