"""One benchmark process: a workload (or the machine probes) at one thread count.

`python -m bench.job '{"job": "W1", "size": "full", "threads": 1, "jax": true}'`
prints one line `BENCH-RESULT <json>`. The parent (cli.py) sets the thread
variables of every library in the environment; this process also binds itself
to `threads` cores before numpy, JAX or nxc start their thread pools, which is
what holds XLA to one thread (its flags alone do not limit its matmuls).
The GPU workload G1 (gpu.py) has `"threads": null` and is not bound.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time

MARK = "BENCH-RESULT "


def bind_cores(threads: int) -> bool:
    """Run on the first `threads` usable cores; False when there are fewer."""
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except AttributeError:  # not Linux: the thread variables alone apply
        return True
    if len(cpus) > threads:
        os.sched_setaffinity(0, cpus[:threads])
    return len(cpus) >= threads


def load_jax():
    """(jax, jax.numpy), or None when JAX is not installed."""
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    return jax, jnp


# -- nxc ----------------------------------------------------------------------

def build_aot(defn, args, *, out_dir=None, cache_dir=None):
    """Compile `defn` for the types of `args` with the compiler API into an artifact
    and load it with the runtime: the ahead-of-time path. The artifact is the
    directory `out_dir` (every stage runs: a cold compile), or an entry of the
    artifact cache `cache_dir` under the module name the JIT gives the same
    function, so that the JIT finds this code compiled instead of compiling it
    again (the JIT then lowers and emits MLIR only)."""
    from nxc.compiler.codegen import compile_cached, compile_module
    from nxc.compiler.ir.core import Module
    from nxc.compiler.passes.simplify import Simplify
    from nxc.runtime import load
    fn = defn.specialize(*args).function
    module = Simplify().run(Module({fn.name: fn}, name=f"jit_{fn.name}"))
    if out_dir is not None:
        path = compile_module(module, out_dir=os.path.join(out_dir, f"{fn.name}_nxc"))
    else:
        path = compile_cached(module, cache_dir=cache_dir)
    return getattr(load(path), fn.name)


def implementations(w, args, jaxlib):
    """{name: (callable, its arguments)} for every implementation of workload `w`;
    an implementation that cannot be built maps to the exception."""
    from . import models
    impls = {"numpy": (w.numpy_fn, args)}
    defn = getattr(models, w.nxc)
    try:
        impls["aot"] = (build_aot(defn, args, cache_dir=os.environ["NXC_CACHE_DIR"]), args)
    except Exception as e:  # reported in the table, not fatal to the run
        impls["aot"] = e
    impls["jit"] = (defn, args)
    if jaxlib is not None:
        jax, jnp = jaxlib
        f = jax.jit(w.jax_fn(jax, jnp))
        jargs = tuple(jnp.asarray(a) for a in args)
        impls["jax"] = (lambda *a: jax.block_until_ready(f(*a)), jargs)
    return impls


def run_workload(w, size, threads, jaxlib, *, impls=None, budget=0.5):
    """The row of workload `w`: median seconds per implementation, and what was wrong."""
    import numpy as np

    from .measure import check, median_seconds
    params = w.sizes[size]
    args = w.make_inputs(params, np.random.default_rng(0))
    want = w.numpy_fn(*(a.astype(np.float64) for a in args))
    if impls is None:
        impls = implementations(w, args, jaxlib)
    seconds, errors = {}, {}
    for name, impl in impls.items():
        if isinstance(impl, Exception):
            errors[name] = f"failed: {type(impl).__name__}: {impl}"[:300]
            continue
        fn, fargs = impl
        try:
            wrong = check(fn(*fargs), want, w.tolerance)
        except Exception as e:
            wrong = f"failed: {type(e).__name__}: {e}"[:300]
        if wrong:
            errors[name] = wrong
            continue
        seconds[name] = median_seconds(fn, fargs, budget=budget)
    kind, amount = w.work(params)
    row = {"key": w.key, "title": w.title, "size": w.describe(params), "threads": threads,
           "seconds": seconds, "errors": errors, "work": [kind, amount]}
    if kind in ("bytes", "flops"):  # the limit, measured right here (the load may vary)
        row["limits"] = probe(size, threads, only="copy" if kind == "bytes" else "sgemm")
    return row


# -- W8: compile time ---------------------------------------------------------

def compile_rows(size, jaxlib, tmp):
    """Cold compile (lower + compile) of W1 and W5 for nxc and JAX, and the cost of
    a JIT call that hits the disk cache in a new process."""
    import statistics

    import numpy as np

    import nxc as nx

    from . import models
    from .workloads import BY_KEY
    repeats = 3 if size == "full" else 1
    # The first compile of a process also imports MLIR and LLVM: not part of a compile.
    build_aot(nx.defn(models.add.fn), BY_KEY["W7"].make_inputs(None, None),
              out_dir=os.path.join(tmp, "warm"))
    rows = []
    for key in ("W1", "W5"):
        w = BY_KEY[key]
        args = w.make_inputs(w.sizes[size], np.random.default_rng(0))
        seconds = {}
        times = []
        for i in range(repeats):
            fresh = nx.defn(getattr(models, w.nxc).fn)  # nothing lowered yet
            t0 = time.perf_counter()
            build_aot(fresh, args, out_dir=os.path.join(tmp, f"{key}-{i}"))
            times.append(time.perf_counter() - t0)
        seconds["aot"] = statistics.median(times)
        if jaxlib is not None:
            seconds["jax"] = _jax_compile_seconds(w, args, jaxlib, repeats)
        rows.append({"key": "W8", "title": f"cold compile {w.key} ({w.title})",
                     "size": w.describe(w.sizes[size]), "threads": 1, "seconds": seconds,
                     "errors": {}, "work": ["compile", 1]})
        hit, error = _cache_hit_seconds(key, size, tmp)
        rows.append({"key": "W8", "title": f"JIT cache hit {w.key} ({w.title})",
                     "size": "first call in a new process", "threads": 1,
                     "seconds": {"jit": hit} if hit is not None else {},
                     "errors": {"jit": error} if error else {}, "work": ["hit", 1]})
    return rows


def _jax_compile_seconds(w, args, jaxlib, repeats):
    import statistics
    jax, jnp = jaxlib
    jargs = tuple(jnp.asarray(a) for a in args)
    times = []
    for _ in range(repeats):
        body = w.jax_fn(jax, jnp)

        def fresh(*a):  # a new function: nothing traced or compiled for it yet
            return body(*a)
        t0 = time.perf_counter()
        jax.jit(fresh).lower(*jargs).compile()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _cache_hit_seconds(key, size, tmp):
    """(median seconds of the first call in a process whose JIT finds the function
    in the disk cache, None) or (None, what went wrong)."""
    import statistics
    import subprocess
    # Bytecode is written, as an installed nxc has it: without it every run
    # compiles the modules that changed since their .pyc, which is no cache hit.
    env = dict(os.environ, NXC_CACHE_DIR=os.path.join(tmp, "hit-cache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cmd = [sys.executable, "-m", "bench.hit", key, size]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    wanted = 3 if size == "full" else 1
    times = []
    for _ in range(wanted + 3):  # a miss fills the cache (nxc's files may change meanwhile)
        proc = subprocess.run(cmd, env=env, cwd=root, capture_output=True, text=True)
        if proc.returncode != 0:
            return None, f"failed: {proc.stderr.strip()[-300:]}"
        seconds, outcome = proc.stdout.split()[-2:]
        if outcome == "hit":
            times.append(float(seconds))
            if len(times) == wanted:
                return statistics.median(times), None
    return None, "no run found the function in the cache (nxc's source files kept changing?)"


# -- the machine's limits -----------------------------------------------------

def probe(size, threads, only=None):
    """Copy bandwidth (GB/s, bytes read + written) and numpy sgemm (GFLOP/s);
    `only`: "copy" or "sgemm"."""
    import numpy as np

    from .measure import median_seconds
    out = {"key": "probe", "threads": threads}
    if only in (None, "copy"):
        n = 16 * 2 ** 20 if size == "full" else 2 ** 18  # 64 MB: far beyond the caches
        src = np.ones(n, np.float32)
        dst = np.empty_like(src)
        out["copy_gbs"] = 2 * src.nbytes / median_seconds(np.copyto, (dst, src),
                                                          budget=0.5) / 1e9
    if only in (None, "sgemm"):
        m = 1024 if size == "full" else 128
        a = np.random.default_rng(0).standard_normal((m, m), dtype=np.float32)
        out["sgemm_gflops"] = 2 * m ** 3 / median_seconds(np.matmul, (a, a),
                                                          budget=0.5) / 1e9
    return out


def main(spec: dict):
    threads = spec["threads"]  # None: not bound (G1 works on the GPU)
    enough = bind_cores(threads) if threads else True
    jaxlib = load_jax() if spec.get("jax", True) else None
    with tempfile.TemporaryDirectory(prefix="nxc-bench-") as tmp:
        os.environ["NXC_CACHE_DIR"] = os.path.join(tmp, "cache")  # the JIT's, fresh
        if spec["job"] == "G1":
            from . import gpu
            gpu.use_source_tree()
            rows = [gpu.run(spec["size"], spec.get("jax", True), artifact=spec.get("artifact"),
                            arch=spec.get("arch"),
                            budget=0.5 if spec["size"] == "full" else 0.02)]
        elif spec["job"] == "probe":
            rows = [probe(spec["size"], threads)]
        elif spec["job"] == "W8":
            rows = compile_rows(spec["size"], jaxlib, tmp)
        else:
            from .workloads import BY_KEY
            budget = 0.5 if spec["size"] == "full" else 0.02
            rows = [run_workload(BY_KEY[spec["job"]], spec["size"], threads, jaxlib,
                                 budget=budget)]
    for row in rows:
        row["cores_short"] = not enough
        row["jax"] = jaxlib is not None
    print(MARK + json.dumps(rows), flush=True)


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
