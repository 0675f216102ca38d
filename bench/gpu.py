"""G1: W1's softmax on an NVIDIA GPU, nxc's CUDA artifact against jax.jit and
torch.softmax on the same device.

Implementations (columns of the GPU table):
- host: the artifact's function called with a numpy array and its result read
  back with np.asarray (each call copies the input in and the result out);
- device: the input already on the device (`nx.tensor(x, device="cuda:0")`),
  the result left there; the call returns after the device has synchronized
  (the runtime's GPU call does so, runtime/gpu/function.py);
- jax_host, jax: jax.jit of the same function with a numpy input put on the
  GPU and read back in each call, or with the input already there
  (`jax.device_put`) and `block_until_ready` on the result;
- torch: `torch.softmax` of a CUDA tensor, then `torch.cuda.synchronize()`.

An implementation that cannot run on this machine (no CUDA driver or device,
JAX without a GPU backend, no torch) is skipped with the reason, which is no
failure. The artifact is compiled here when the compiler's dependencies
(MLIR) are installed, else taken from `--gpu-artifact DIR`, written by
`--gpu-build DIR` on a machine that has them (the runtime alone runs it).
"""
from __future__ import annotations

import importlib.util
import os
import sys
import tempfile

import numpy as np

from .measure import check, median_seconds
from .workloads import BY_KEY

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEY, TITLE = "G1", "softmax on the GPU"
SIZES = ("full", "tiny")
W1 = BY_KEY["W1"]  # the computation, sizes, inputs, oracle and tolerance


class Skipped(Exception):
    """An implementation this machine cannot run (not a failure)."""


def use_source_tree():
    """Make `import nxc` work where nxc is not installed (a GPU machine may have
    only numpy and the GPU libraries): the repository's folders mapped as
    pyproject.toml maps them, nxc.X -> X/ beside nxc/."""
    try:
        import nxc  # noqa: F401
        return
    except ModuleNotFoundError as e:  # the root's nxc/ alone lacks nxc.compiler, nxc.runtime
        if not (e.name or "").startswith("nxc."):
            raise
    for name in [m for m in sys.modules if m == "nxc" or m.startswith("nxc.")]:
        del sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        "nxc", os.path.join(ROOT, "nxc", "__init__.py"),
        submodule_search_locations=[os.path.join(ROOT, "nxc"), ROOT])
    module = importlib.util.module_from_spec(spec)
    sys.modules["nxc"] = module
    spec.loader.exec_module(module)


def artifact_path(root: str, size: str) -> str:
    return os.path.join(root, f"g1_{size}_nxc")


def build(root: str, size: str, arch: str | None) -> str:
    """Compile W1's defn for CUDA at `size` (static shape, as the CPU's AOT
    path) into `root`/g1_<size>_nxc; needs the compiler (MLIR)."""
    from nxc.compiler.codegen.gpu import compile_gpu_module
    from nxc.compiler.ir.core import Module
    from nxc.compiler.passes.simplify import Simplify

    from . import models
    args = W1.make_inputs(W1.sizes[size], np.random.default_rng(0))
    fn = models.softmax.specialize(*args).function
    module = Simplify().run(Module({fn.name: fn}, name=f"g1_{size}"))
    return compile_gpu_module(module, target="cuda", arch=arch,
                              out_dir=artifact_path(root, size))


def gpu_name() -> str:
    """The name of CUDA device 0, or "none" without a driver or device."""
    from nxc.runtime.errors import DeviceError
    from nxc.runtime.gpu import devices
    try:
        driver = devices.driver("cuda")
        return f"{driver.name(0)} ({driver.arch(0)})"
    except DeviceError:  # the skip lines say why
        return "none"


def nxc_impls(x, size, artifact_root, arch, tmp):
    """{"host": ..., "device": ...}: (call, its arguments, result -> numpy) each,
    or the Skipped / exception that stops them."""
    import nxc as nx
    from nxc.runtime.errors import DeviceError
    from nxc.runtime.gpu import devices
    try:
        device_arch = devices.driver("cuda").arch(0)
    except DeviceError as e:
        return dict.fromkeys(("host", "device"), Skipped(f"{type(e).__name__}: {e}"))
    try:
        if artifact_root:
            path = artifact_path(artifact_root, size)
        else:
            path = build(tmp, size, arch or device_arch)
        fn = nx.load(path).softmax
    except ModuleNotFoundError as e:
        return dict.fromkeys(("host", "device"), Skipped(
            f"compiling the artifact needs {e.name}, which is not installed; build it with "
            f"`python -m bench --gpu-build DIR` where it is and pass --gpu-artifact DIR"))
    except Exception as e:  # a compile or load failure: reported as the row's error
        return dict.fromkeys(("host", "device"), e)
    on_device = nx.tensor(x, device="cuda:0")
    return {"host": (lambda t: np.asarray(fn(t)), (x,), np.asarray),
            "device": (fn, (on_device,), np.asarray)}


def jax_impls(x):
    """{"jax_host": ..., "jax": ...} on JAX's first GPU, or Skipped without one."""
    from .job import load_jax
    jaxlib = load_jax()
    if jaxlib is None:
        return dict.fromkeys(("jax_host", "jax"), Skipped("JAX is not installed"))
    jax, jnp = jaxlib
    try:
        gpu = jax.devices("gpu")[0]
    except RuntimeError:
        platforms = ", ".join(sorted({d.platform for d in jax.devices()}))
        return dict.fromkeys(("jax_host", "jax"), Skipped(
            f"JAX has no GPU backend (its platforms here: {platforms})"))
    f = jax.jit(W1.jax_fn(jax, jnp))
    on_device = jax.device_put(x, gpu)
    return {"jax_host": (lambda t: np.asarray(f(jax.device_put(t, gpu))), (x,), np.asarray),
            "jax": (lambda t: f(t).block_until_ready(), (on_device,), np.asarray)}


def torch_impl(x):
    """torch.softmax on CUDA (call, arguments, result -> numpy), or Skipped."""
    try:
        import torch
    except ImportError:
        return Skipped("torch is not installed")
    if not torch.cuda.is_available():
        return Skipped("torch has no CUDA device (torch.cuda.is_available() is False)")

    def call(t):
        out = torch.softmax(t, 0)
        torch.cuda.synchronize()
        return out
    return call, (torch.from_numpy(x).cuda(),), lambda r: r.cpu().numpy()


def run(size, use_jax, *, artifact=None, arch=None, impls=None, budget=0.5):
    """The G1 row: median seconds per implementation, what was wrong, what was
    skipped and why. `impls` replaces the implementations (tests)."""
    n = W1.sizes[size]
    (x,) = W1.make_inputs(n, np.random.default_rng(0))
    want = W1.numpy_fn(x.astype(np.float64))
    # Three libraries share the GPU: JAX must not take most of its memory first.
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    seconds, errors, skipped = {}, {}, {}
    with tempfile.TemporaryDirectory(prefix="nxc-bench-gpu-") as tmp:
        if impls is None:
            impls = nxc_impls(x, size, artifact, arch, tmp)
            if use_jax:
                impls.update(jax_impls(x))
            impls["torch"] = torch_impl(x)
        for name, impl in impls.items():
            if isinstance(impl, Skipped):
                skipped[name] = f"skipped: {impl}"
                continue
            if isinstance(impl, Exception):
                errors[name] = f"failed: {type(impl).__name__}: {impl}"[:300]
                continue
            fn, args, to_host = impl
            try:
                wrong = check(to_host(fn(*args)), want, W1.tolerance)
            except Exception as e:
                wrong = f"failed: {type(e).__name__}: {e}"[:300]
            if wrong:
                errors[name] = wrong
                continue
            seconds[name] = median_seconds(fn, args, budget=budget)
    return {"key": KEY, "title": TITLE, "size": W1.describe(n), "threads": None,
            "device": gpu_name(), "seconds": seconds, "errors": errors, "skipped": skipped,
            "work": list(W1.work(n))}
