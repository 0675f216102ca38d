"""The benchmark suite (python -m bench) at its tiny size, as CI runs it: every
workload gives a row with finite ratios, and a wrong result is reported."""
import ctypes
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from bench import job, measure, report  # noqa: E402
from bench.workloads import BY_KEY, W  # noqa: E402


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """One run of the whole suite, tiny, one thread, without JAX (seconds)."""
    out = tmp_path_factory.mktemp("bench") / "results.json"
    proc = subprocess.run([sys.executable, "-m", "bench", "--size", "tiny", "--threads", "1",
                           "--no-jax", "--json", str(out)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout, json.loads(out.read_text())


def test_every_workload_has_a_row_with_finite_ratios(tiny_run):
    table, data = tiny_run
    rows = {r["key"]: r for r in data["rows"] if r["key"] != "W8"}
    assert sorted(rows) == [w.key for w in W]
    for key, row in rows.items():
        assert row["errors"] == {}, (key, row["errors"])
        for impl in ("aot", "jit", "numpy"):
            assert row["seconds"][impl] > 0, (key, impl)
        for other in ("aot", "jit"):
            r = report.ratio(row, other, "numpy")
            assert r is not None and math.isfinite(r) and r > 0, (key, other)
        assert f"| {key} {row['title']} |" in table
    compile_rows = [r for r in data["rows"] if r["key"] == "W8"]
    assert [r["work"][0] for r in compile_rows] == ["compile", "hit", "compile", "hit"]
    for r in compile_rows:
        assert r["errors"] == {} and all(s > 0 for s in r["seconds"].values()), r
    probe = data["probes"]["1"]
    assert probe["copy_gbs"] > 0 and probe["sgemm_gflops"] > 0
    assert "limits at 1 thread(s): copy" in table


def test_checker_flags_a_perturbed_output():
    want = np.linspace(-1.0, 1.0, 50)
    good = want.astype(np.float32)
    assert measure.check(good, want, 1e-6) is None
    bad = good.copy()
    bad[7] += 1e-3
    assert "max error 0.001" in measure.check(bad, want, 1e-4)
    assert "shape" in measure.check(good[:-1], want, 1e-4)
    assert "dtype float64" in measure.check(want, want, 1e-4)
    assert "non-finite" in measure.check(np.full(50, np.nan, np.float32), want, 1e-4)
    assert "output 1" in measure.check((good, bad), (want, want), 1e-4)


def test_a_wrong_implementation_is_reported_in_the_table():
    w = BY_KEY["W4"]
    x = w.make_inputs(w.sizes["tiny"], np.random.default_rng(0))

    def off_by_a_little(x):
        out = x.sum(axis=1)
        out[0] += 1.0
        return out
    impls = {"numpy": (w.numpy_fn, x), "aot": (off_by_a_little, x),
             "jit": ValueError("could not compile")}
    row = job.run_workload(w, "tiny", 1, None, impls=impls, budget=0.01)
    assert set(row["errors"]) == {"aot", "jit"}
    assert "max error" in row["errors"]["aot"] and "could not compile" in row["errors"]["jit"]
    assert "aot" not in row["seconds"] and row["seconds"]["numpy"] > 0
    table = report.table([row], {})
    assert "| WRONG |" in table and "W4 row sums (1 thread(s)), aot: max error" in table
    assert report.wrong([row])


def test_goals_say_by_how_much_they_are_missed():
    row = {"key": "W2", "title": "t", "size": "", "threads": 1, "work": ["bytes", 8e6],
           "seconds": {"aot": 2e-3, "jit": 2e-3, "numpy": 1e-3, "jax": 1e-3}}
    assert report.goal(row, {}) == (False, "missed: JAX x2.00")
    row["seconds"]["aot"] = 0.5e-3
    assert report.goal(row, {}) == (True, "met")
    w1 = dict(row, key="W1", seconds={"aot": 1e-3, "jax": 2e-3})
    # 8 MB at 16 GB/s is 0.5 ms; 1.5x that is 0.75 ms
    assert report.goal(w1, {"copy_gbs": 16.0}) == (False, "missed: 1.5x bandwidth bound x1.33")
    assert report.goal(dict(row, seconds={"aot": 1.0}), {}) == (None, "n/a")


# -- G1: the softmax on the GPU (bench/gpu.py) ----------------------------------

def _no_cuda_reason():
    """The runtime's error for CUDA device 0 here, or None when there is one."""
    from nxc.runtime.errors import DeviceError
    from nxc.runtime.gpu import devices
    try:
        devices.driver("cuda").arch(0)
    except DeviceError as e:
        return f"{type(e).__name__}: {e}"
    return None


def test_gpu_workload_without_a_gpu_says_why_and_exits_0(tmp_path):
    reason = _no_cuda_reason()
    if reason is None:
        pytest.skip("this machine has a CUDA device: G1 runs instead of being skipped")
    out = tmp_path / "results.json"
    proc = subprocess.run([sys.executable, "-m", "bench", "--workloads", "G1", "--size", "tiny",
                           "--no-jax", "--json", str(out)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert "| G1 softmax on the GPU | 1,000 elements | none | skipped | skipped | - | - |" \
        " skipped | - | - | - | - |" in lines
    assert f"- G1 softmax on the GPU, nxc host: skipped: {reason}" in lines
    assert f"- G1 softmax on the GPU, nxc device: skipped: {reason}" in lines
    assert any(line.startswith("- G1 softmax on the GPU, torch: skipped: torch ")
               for line in lines)
    assert "limits at" not in proc.stdout  # no CPU workload: no CPU probes
    (row,) = json.loads(out.read_text())["rows"]
    assert row["seconds"] == {} and row["errors"] == {}
    assert sorted(row["skipped"]) == ["device", "host", "torch"]


def test_jax_without_a_gpu_backend_is_skipped():
    jax = pytest.importorskip("jax", reason="JAX is optional (pip install 'nxc[bench]')")
    if any(d.platform == "gpu" for d in jax.devices()):
        pytest.skip("JAX has a GPU backend here")
    from bench import gpu
    impls = gpu.jax_impls(np.ones(4, np.float32))
    assert sorted(impls) == ["jax", "jax_host"]
    for skipped in impls.values():
        assert isinstance(skipped, gpu.Skipped)
        assert str(skipped) == "JAX has no GPU backend (its platforms here: cpu)"


def test_gpu_build_writes_cuda_artifacts_of_both_sizes(tmp_path):
    from nxc.compiler.codegen.gpu.targets import find_ptxas
    proc = subprocess.run([sys.executable, "-m", "bench", "--gpu-build", str(tmp_path),
                           "--gpu-arch", "sm_80"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.split() == [str(tmp_path / "g1_full_nxc"), str(tmp_path / "g1_tiny_nxc")]
    for size, n in (("full", 1_000_000), ("tiny", 1000)):
        m = json.loads((tmp_path / f"g1_{size}_nxc" / "manifest.json").read_text())
        assert m["target"]["kind"] == "cuda" and m["target"]["archs"] == ["sm_80"]
        formats = {(i["arch"], i["format"]) for i in m["target"]["images"]}
        # PTX always; a cubin too where ptxas is found (without it the driver compiles PTX)
        assert formats == {("sm_80", "ptx")} | ({("sm_80", "cubin")} if find_ptxas() else set())
        (fn,) = m["functions"]
        assert fn["name"] == "softmax"
        assert [(p["dtype"], p["shape"]) for p in fn["params"]] == [("f32", [n])]
        assert [(r["dtype"], r["shape"]) for r in fn["results"]] == [("f32", [n])]


class _FakeCuda:
    """A CUDA driver over host memory: enough to load an artifact and place a
    tensor, never to launch a kernel (no call is made)."""

    kind, dlpack_device_type = "cuda", 2

    def __init__(self):
        self.buffers = {}

    def arch(self, index):
        return "sm_80"

    def name(self, index):
        return "Fake GPU"

    def address(self, name):
        return 0x1000

    def alloc(self, index, nbytes):
        buf = ctypes.create_string_buffer(max(nbytes, 1))
        self.buffers[ctypes.addressof(buf)] = buf
        return ctypes.addressof(buf)

    def free(self, index, ptr):
        self.buffers.pop(ptr)

    def copy_to_device(self, index, dst, src, nbytes):
        ctypes.memmove(dst, src, nbytes)

    copy_to_host = copy_to_device


def test_nxc_on_a_gpu_compiles_for_its_arch_or_says_what_is_missing(tmp_path, monkeypatch):
    from nxc.runtime.gpu import devices

    from bench import gpu
    monkeypatch.setattr(devices, "_drivers", {"cuda": _FakeCuda()})
    x = np.linspace(-1, 1, 1000, dtype=np.float32)
    impls = gpu.nxc_impls(x, "tiny", None, None, str(tmp_path))
    m = json.loads((tmp_path / "g1_tiny_nxc" / "manifest.json").read_text())
    assert m["target"]["archs"] == ["sm_80"]  # the device's
    _, (host_input,), _ = impls["host"]
    fn, (on_device,), _ = impls["device"]
    assert host_input is x and on_device.device == "cuda:0"
    assert np.array_equal(np.asarray(on_device), x)
    assert repr(fn) == "<compiled function softmax(t: f32[1000]) -> f32[1000] on cuda:0>"

    def no_mlir(*args):
        raise ModuleNotFoundError("No module named 'mlir'", name="mlir")
    monkeypatch.setattr(gpu, "build", no_mlir)
    impls = gpu.nxc_impls(x, "tiny", None, None, str(tmp_path))
    assert sorted(impls) == ["device", "host"]
    assert all(isinstance(s, gpu.Skipped) for s in impls.values())
    assert str(impls["host"]) == ("compiling the artifact needs mlir, which is not installed; "
                                  "build it with `python -m bench --gpu-build DIR` where it is "
                                  "and pass --gpu-artifact DIR")


def test_gpu_table_gives_like_for_like_ratios_and_a_line_per_skip_or_failure():
    from bench import gpu
    (x,) = gpu.W1.make_inputs(1000, np.random.default_rng(0))

    def softmax(t):
        e = np.exp(t)
        return e / e.sum()

    def off(t):
        out = softmax(t)
        out[3] += 0.5
        return out
    impls = {"host": (softmax, (x,), np.asarray), "device": (softmax, (x,), np.asarray),
             "jax_host": gpu.Skipped("JAX has no GPU backend (its platforms here: cpu)"),
             "jax": (off, (x,), np.asarray), "torch": ValueError("no kernel")}
    row = gpu.run("tiny", True, impls=impls, budget=0.01)
    assert sorted(row["seconds"]) == ["device", "host"] and row["seconds"]["host"] > 0
    assert sorted(row["errors"]) == ["jax", "torch"] and sorted(row["skipped"]) == ["jax_host"]
    table = report.gpu_table([row])
    assert "| skipped | WRONG | WRONG | - | - | - |" in table
    assert "- G1 softmax on the GPU, JAX host: skipped: JAX has no GPU backend" in table
    assert "- G1 softmax on the GPU, JAX: max error" in table
    assert "- G1 softmax on the GPU, torch: failed: ValueError: no kernel" in table
    assert report.wrong([row]) and not report.wrong([dict(row, errors={})])
    timed = dict(row, device="Fake GPU (sm_80)", errors={}, skipped={}, seconds={
        "host": 2e-3, "jax_host": 1e-3, "device": 1e-4, "jax": 2e-4, "torch": 1e-4})
    # 8,000 bytes (1,000 f32 read and written) in 0.1 ms: 0.08 GB/s
    assert "| Fake GPU (sm_80) | 2 ms | 100 us | 1 ms | 200 us | 100 us | 2.00 | 0.50 | 1.00 |" \
        " 0.08 GB/s |" in report.gpu_table([timed])
