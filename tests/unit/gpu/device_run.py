"""Run the artifacts device_build.py wrote on a CUDA machine and compare with numpy.

    PYTHONPATH=. python3 tests/unit/gpu/device_run.py build/gpu_check

Needs only numpy and the NVIDIA driver: the driver API is called through
ctypes here (device memory, copies), the artifact's `__nxc_gpu_api` table is
filled from libcuda as the runtime fills it (runtime/gpu/api_table.py), and
each exported function is called with device pointers. Prints one line per
artifact (functions run, matched, mismatched with the first few names), then
timing ratios of the softmax against numpy (host) and torch (device) when
torch is present.
"""
import ctypes
import glob
import importlib.util
import json
import os
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
_spec = importlib.util.spec_from_file_location(
    "api_table", os.path.join(ROOT, "runtime", "gpu", "api_table.py"))
api_table = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(api_table)

TOL = {"f16": 4e-3, "bf16": 2e-2, "f32": 2e-5, "f64": 1e-11, "c64": 2e-5, "c128": 1e-11}
NUMPY = {"u8": np.uint8, "u16": np.uint16, "u32": np.uint32, "u64": np.uint64,
         "s8": np.int8, "s16": np.int16, "s32": np.int32, "s64": np.int64,
         "f16": np.float16, "bf16": np.uint16, "f32": np.float32, "f64": np.float64,
         "c64": np.complex64, "c128": np.complex128}

cuda = ctypes.CDLL("libcuda.so.1")
u64, i32 = ctypes.c_uint64, ctypes.c_int


def check(r, what):
    if r != 0:
        raise RuntimeError(f"{what} failed: CUresult {r}")


check(cuda.cuInit(0), "cuInit")
dev, ctx = i32(), ctypes.c_void_p()
check(cuda.cuDeviceGet(ctypes.byref(dev), 0), "cuDeviceGet")
check(cuda.cuDevicePrimaryCtxRetain(ctypes.byref(ctx), dev), "cuDevicePrimaryCtxRetain")
check(cuda.cuCtxSetCurrent(ctx), "cuCtxSetCurrent")
cuda.cuMemAlloc_v2.argtypes = [ctypes.POINTER(u64), ctypes.c_size_t]
cuda.cuMemFree_v2.argtypes = [u64]
cuda.cuMemcpyHtoD_v2.argtypes = [u64, ctypes.c_void_p, ctypes.c_size_t]
cuda.cuMemcpyDtoH_v2.argtypes = [ctypes.c_void_p, u64, ctypes.c_size_t]


def to_device(a):
    p = u64()
    check(cuda.cuMemAlloc_v2(ctypes.byref(p), max(a.nbytes, 1)), "cuMemAlloc")
    if a.nbytes:
        check(cuda.cuMemcpyHtoD_v2(p, a.ctypes.data, a.nbytes), "HtoD")
    return p.value


def from_device(p, like):
    out = np.empty_like(like)
    if out.nbytes:
        check(cuda.cuMemcpyDtoH_v2(out.ctypes.data, u64(p), out.nbytes), "DtoH")
    return out


class Artifact:
    def __init__(self, path):
        self.manifest = json.load(open(os.path.join(path, "manifest.json")))
        self.lib = ctypes.CDLL(os.path.join(path, self.manifest["library"]))
        slots = api_table.SLOTS[self.manifest["target"]["kind"]]
        table = (ctypes.c_void_p * len(slots)).in_dll(self.lib, api_table.TABLE_SYMBOL)
        for i, (name, _) in enumerate(slots):
            table[i] = ctypes.cast(getattr(cuda, name), ctypes.c_void_p).value
        self.status = ctypes.c_int32.in_dll(self.lib, api_table.STATUS_SYMBOL)
        self.functions = {f["name"]: f for f in self.manifest["functions"]}

    def call(self, name, *args, sizes=()):
        f = self.functions[name]
        fn = getattr(self.lib, f["symbol"])
        fn.restype = ctypes.c_int32
        ins = [to_device(np.ascontiguousarray(a)) for a in args]
        dims = dict(sizes)
        outs, likes = [], []
        for r in f["results"]:
            shape = tuple(dims[d] if isinstance(d, str) else d for d in r["shape"])
            like = np.zeros(shape, NUMPY[r["dtype"]])
            likes.append(like)
            outs.append(to_device(like))
        dim_args = [ctypes.c_int64(dims[d]) for d in f["dims"]]
        rc = fn(*[u64(p) for p in ins + outs], *dim_args)
        status = self.status.value
        results = [from_device(p, like) for p, like in zip(outs, likes)]
        for p in ins + outs:
            cuda.cuMemFree_v2(u64(p))
        if rc != 0:
            raise RuntimeError(f"{name} returned {rc} (status {status})")
        return results


def close(got, want, dt):
    if got.dtype != want.dtype or got.shape != want.shape:
        return False
    if dt not in TOL:
        return np.array_equal(got, want)
    if dt == "bf16":
        got, want = ((np.asarray(x).reshape(-1).view(np.uint16).astype(np.uint32) << 16)
                     .view(np.float32) for x in (got, want))
    tol = TOL[dt] * 5  # libdevice vs numpy's own math functions
    g, w = got.astype(np.complex128), want.astype(np.complex128)
    ok = True
    for part in ("real", "imag"):
        a, b = getattr(g, part), getattr(w, part)
        with np.errstate(invalid="ignore"):
            ok &= bool(((a == b) | (np.isnan(a) & np.isnan(b)) | (np.abs(a - b) <= tol + tol * np.abs(b))).all())
    return ok


def _first_difference(got, want, kinds):
    for g, w, dt in zip(got, want, kinds):
        if g.shape != w.shape:
            return f"[shape {g.shape} vs {w.shape}]"
        flat_g, flat_w = g.reshape(-1), w.reshape(-1)
        for i in range(flat_g.size):
            if not close(flat_g[i:i + 1], flat_w[i:i + 1], dt):
                return f"[{i}: {flat_g[i]!r} vs {flat_w[i]!r}]"
    return ""


def run_ops(path):
    art = Artifact(path)
    cases = np.load(os.path.join(path, "cases.npz"))
    good, bad = 0, []
    for name, f in art.functions.items():
        print(f"running {name}", file=sys.stderr, flush=True)  # the last one names a crash
        args = [cases[f"{name}/in{i}"] for i in range(len(f["params"]))]
        want = [cases[f"{name}/out{i}"] for i in range(len(f["results"]))]
        try:
            got = art.call(name, *args)
        except RuntimeError as e:
            bad.append(f"{name}({e})")
            art.status.value = 0
            continue
        got = [g.view(w.dtype) if g.dtype != w.dtype and g.itemsize == w.itemsize else g
               for g, w in zip(got, want)]
        kinds = [r["dtype"] for r in f["results"]]  # compared by each result's own dtype
        if all(close(g, w, k) for g, w, k in zip(got, want, kinds)):
            good += 1
        else:
            bad.append(name + _first_difference(got, want, kinds))
    print(f"{os.path.basename(path)}: {len(art.functions)} functions, {good} match, "
          f"{len(bad)} differ: {' '.join(bad[:40])}")
    return good, bad


def softmax_checks(path):
    art = Artifact(path)
    rng = np.random.default_rng(0)
    for n in (5, 1_000_000):
        t = rng.standard_normal(n).astype(np.float32)
        (got,) = art.call("softmax", t, sizes={"n": n})
        e = np.exp(t.astype(np.float64) - t.max())
        want = e / e.sum()
        err = np.abs(got - want).max() / want.max()
        print(f"softmax n={n}: max error / max {err:.2e}, sum {got.sum(dtype=np.float64):.6f}")
    x = rng.standard_normal((4096, 4)).astype(np.float32)
    w = rng.standard_normal((4, 3)).astype(np.float32)
    b = rng.standard_normal(3).astype(np.float32)
    (got,) = art.call("classify", x, w, b, sizes={"batch": 4096})
    logits = x.astype(np.float64) @ w + b
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    want = e / e.sum(axis=1, keepdims=True)
    print(f"classify 4096x4: max abs error {np.abs(got - want).max():.2e}")
    timing(art)


def timing(art):
    """Device time of nxc's softmax over 1M elements, against numpy on the host
    and torch on the device, as ratios."""
    n = 1_000_000
    t = np.random.default_rng(1).standard_normal(n).astype(np.float32)
    d_in = to_device(t)
    d_out = to_device(np.zeros_like(t))
    fn = getattr(art.lib, art.functions["softmax"]["symbol"])
    fn.restype = ctypes.c_int32

    def nxc_call():
        fn(u64(d_in), u64(d_out), ctypes.c_int64(n))  # synchronizes before returning
    times = {"nxc (cuda)": best(nxc_call)}
    times["numpy (host)"] = best(lambda: (lambda e: e / e.sum())(np.exp(t - t.max())))
    try:
        import torch
        x = torch.from_numpy(t).cuda()

        def torch_call():
            torch.softmax(x, 0)
            torch.cuda.synchronize()
        times["torch (cuda)"] = best(torch_call)
    except Exception as e:  # torch missing or without CUDA
        print(f"torch: not timed ({type(e).__name__})")
    base = times["nxc (cuda)"]
    for k, v in times.items():
        print(f"softmax 1M f32: {k} takes {v / base:.2f}x nxc's time")


def best(f, repeat=20):
    f()
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        out.append(time.perf_counter() - t0)
    return min(out)


def main(root):
    """Each artifact runs in a process of its own: a fault in one (a kernel
    reading out of bounds kills the context) does not hide the others."""
    import subprocess
    totals = [0, 0]
    paths = sorted(glob.glob(os.path.join(root, "ops_*")))
    paths += [os.path.join(root, name) for name in ("control_nxc", "softmax_nxc")
              if os.path.isdir(os.path.join(root, name))]
    for path in paths:
        proc = subprocess.run([sys.executable, __file__, "--one", path], capture_output=True,
                              text=True, timeout=240)
        out = proc.stdout.strip()
        print(out or f"{os.path.basename(path)}: no output", flush=True)
        if proc.returncode:
            err = [line for line in proc.stderr.strip().splitlines() if line]
            print(f"{os.path.basename(path)}: exit {proc.returncode} {' | '.join(err[-3:])[-600:]}",
                  flush=True)
        for line in out.splitlines():
            if " functions, " in line:
                n = line.split()
                totals[0] += int(n[3])
                totals[1] += int(n[5])
    print(f"total: {totals[0]} functions match, {totals[1]} differ or fail")


def control_checks(path):
    art = Artifact(path)
    for x in (np.array([1, -2, 3], np.float32), np.array([-1, -2, 3], np.float32)):
        (got,) = art.call("branch", x, sizes={"n": 3})
        want = x * 2 if x.sum() > 0 else -x
        print(f"branch({x.tolist()}): {got.tolist()} {'ok' if np.array_equal(got, want) else 'WRONG'}")
    x = np.array([1, 2, 3, 4], np.float32)
    (got,) = art.call("doubling", x)
    want = x.copy()
    while want.max() < 100:
        want = want * 2
    print(f"doubling: {got.tolist()} {'ok' if np.array_equal(got, want) else 'WRONG'}")


def one(path):
    if os.path.basename(path) == "control_nxc":
        control_checks(path)
    elif os.path.basename(path) == "softmax_nxc":
        softmax_checks(path)
    else:
        run_ops(path)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        one(sys.argv[2])
    else:
        main(sys.argv[1] if len(sys.argv) > 1 else "build/gpu_check")
