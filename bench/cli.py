"""`python -m bench`: run the suite, one process per workload and thread count.

    python -m bench                         # full size, 1 and 2 threads, table on stdout
    python -m bench --size tiny --threads 1 # what CI runs (seconds)
    python -m bench --png docs/performance.png --json results.json
    python -m bench --workloads W1,W3 --no-jax
    python -m bench --gpu                   # also G1, the softmax on an NVIDIA GPU
    python -m bench --gpu-build DIR         # G1's artifacts, for a GPU machine without MLIR
    python -m bench --workloads G1 --gpu-artifact DIR   # on that machine

Each process gets the thread count in OMP_NUM_THREADS, OPENBLAS_NUM_THREADS,
MKL_NUM_THREADS, NXC_NUM_THREADS and (one thread) XLA_FLAGS before it imports
anything, and binds itself to that many cores (job.py). The exit status is 1
when an implementation gave a wrong result or failed (the table says which),
0 otherwise: missed performance goals do not fail the run, nor does an
implementation skipped because this machine lacks a GPU (gpu.py).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from . import gpu, report
from .job import MARK
from .workloads import W

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKLOADS = [w.key for w in W] + ["W8"]  # the CPU's, run by default
GPU_WORKLOADS = [gpu.KEY]


def thread_env(threads) -> dict:
    """The environment of a job at `threads` (None: the libraries' defaults)."""
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "NXC_NUM_THREADS"):
        if threads:
            env[var] = str(threads)
    if threads == 1:
        env["XLA_FLAGS"] = (env.get("XLA_FLAGS", "") +
                            " --xla_cpu_multi_thread_eigen=false").strip()
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_job(spec: dict, timeout: float) -> list:
    """The rows one benchmark process reports (an error row when it fails)."""
    cmd = [sys.executable, "-m", "bench.job", json.dumps(spec)]
    try:
        proc = subprocess.run(cmd, env=thread_env(spec["threads"]), cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout)
        out, err, code = proc.stdout, proc.stderr, proc.returncode
    except subprocess.TimeoutExpired:
        out, err, code = "", f"timed out after {timeout:.0f} s", -1
    for line in out.splitlines():
        if line.startswith(MARK):
            return json.loads(line[len(MARK):])
    why = (err.strip().splitlines() or [f"exit status {code}"])[-1]
    return [{"key": spec["job"], "title": "(process failed)", "size": "", "threads":
             spec["threads"], "seconds": {}, "errors": {"run": why[:300]},
             "work": ["none", 0]}]


def jobs(workloads, threads, size, use_jax, gpu_artifact=None, gpu_arch=None):
    """The processes to run, in order: the probes first (when a CPU workload is
    run), then each workload; G1 once, on the GPU."""
    from .workloads import BY_KEY
    cpu = [k for k in workloads if k not in GPU_WORKLOADS]
    specs = [{"job": "probe", "size": size, "threads": t} for t in threads] if cpu else []
    for key in workloads:
        if key == gpu.KEY:
            specs.append({"job": key, "size": size, "threads": None, "jax": use_jax,
                          "artifact": gpu_artifact, "arch": gpu_arch})
            continue
        counts = BY_KEY[key].threads if key in BY_KEY else (1,)  # W8: compile is serial
        specs += [{"job": key, "size": size, "threads": t, "jax": use_jax}
                  for t in threads if t in counts]
    return specs


def run(workloads, threads, size, use_jax, progress=None, gpu_artifact=None, gpu_arch=None):
    """(rows, probes by thread count) of a whole run."""
    rows, probes = [], {}
    for spec in jobs(workloads, threads, size, use_jax, gpu_artifact, gpu_arch):
        if progress:
            on = "GPU" if spec["threads"] is None else f"{spec['threads']} thread(s)"
            progress(f"{spec['job']} ({on})")
        found = run_job(spec, timeout=900 if size == "full" else 120)
        if spec["job"] == "probe":
            if found and "copy_gbs" in found[0]:
                probes[spec["threads"]] = found[0]
        else:
            rows += found
    return rows, probes


def build_gpu(out_dir, arch) -> int:
    """--gpu-build: G1's artifacts at both sizes into `out_dir`; the exit status."""
    gpu.use_source_tree()
    from nxc.runtime.errors import NxcError
    try:
        for size in gpu.SIZES:
            print(gpu.build(out_dir, size, arch))
    except (ImportError, NxcError, OSError) as e:
        print(f"bench: G1's artifact was not built: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--size", choices=("full", "tiny"), default="full",
                   help="full: the sizes of docs/performance.md; tiny: a smoke test")
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    p.add_argument("--workloads", default=",".join(WORKLOADS),
                   help="comma-separated, of " + ",".join(WORKLOADS + GPU_WORKLOADS))
    p.add_argument("--no-jax", action="store_true", help="leave JAX out even if installed")
    p.add_argument("--gpu", action="store_true",
                   help="also run G1, the softmax on an NVIDIA GPU (skipped without one)")
    p.add_argument("--gpu-artifact", metavar="DIR",
                   help="run G1 with the artifacts --gpu-build wrote into DIR instead of "
                        "compiling them here (for a machine without MLIR)")
    p.add_argument("--gpu-build", metavar="DIR",
                   help="only compile G1's CUDA artifacts (both sizes) into DIR, then exit")
    p.add_argument("--gpu-arch", metavar="ARCHS",
                   help="G1's CUDA architectures, e.g. sm_80,sm_90 (default: the GPU's "
                        "when G1 compiles on it, sm_90 for --gpu-build)")
    p.add_argument("--json", metavar="FILE", help="also write the rows and limits as JSON")
    p.add_argument("--png", metavar="FILE", help="draw the ratio chart (needs matplotlib)")
    args = p.parse_args(argv)
    if args.gpu_build:
        sys.exit(build_gpu(args.gpu_build, args.gpu_arch))
    workloads = [k.strip().upper() for k in args.workloads.split(",") if k.strip()]
    known = WORKLOADS + GPU_WORKLOADS
    unknown = [k for k in workloads if k not in known]
    if unknown:
        p.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(known)}")
    if args.gpu:
        workloads += [k for k in GPU_WORKLOADS if k not in workloads]
    if args.gpu_artifact and gpu.KEY not in workloads:
        p.error("--gpu-artifact is for G1: add --gpu or --workloads G1")
    try:
        threads = [int(t) for t in args.threads.split(",")]
    except ValueError:
        p.error(f"--threads takes numbers like 1,2, got {args.threads!r}")
    if any(t < 1 for t in threads):
        p.error("--threads must be at least 1")

    def progress(what):
        print(f"bench: {what}", file=sys.stderr, flush=True)
    rows, probes = run(workloads, threads, args.size, not args.no_jax, progress,
                       gpu_artifact=args.gpu_artifact and os.path.abspath(args.gpu_artifact),
                       gpu_arch=args.gpu_arch)
    cpu_rows = [r for r in rows if r["key"] not in GPU_WORKLOADS]
    gpu_rows = [r for r in rows if r["key"] in GPU_WORKLOADS]
    tables = ([report.table(cpu_rows, probes)] if cpu_rows or probes else []) + \
        ([report.gpu_table(gpu_rows)] if gpu_rows else [])
    print("\n".join(tables), end="")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"size": args.size, "rows": rows,
                       "probes": {str(k): v for k, v in probes.items()}}, f, indent=1)
    if args.png and not report.chart(cpu_rows, args.png):
        print("bench: matplotlib is not installed; no chart drawn "
              "(pip install 'nxc[bench]')", file=sys.stderr)
    sys.exit(1 if report.wrong(rows) else 0)
