"""`python -m bench`: run the suite, one process per workload and thread count.

    python -m bench                         # full size, 1 and 2 threads, table on stdout
    python -m bench --size tiny --threads 1 # what CI runs (seconds)
    python -m bench --png docs/performance.png --json results.json
    python -m bench --workloads W1,W3 --no-jax

Each process gets the thread count in OMP_NUM_THREADS, OPENBLAS_NUM_THREADS,
MKL_NUM_THREADS, NXC_NUM_THREADS and (one thread) XLA_FLAGS before it imports
anything, and binds itself to that many cores (job.py). The exit status is 1
when an implementation gave a wrong result or failed (the table says which),
0 otherwise: missed performance goals do not fail the run.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from . import report
from .job import MARK
from .workloads import W

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKLOADS = [w.key for w in W] + ["W8"]


def thread_env(threads: int) -> dict:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "NXC_NUM_THREADS"):
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


def jobs(workloads, threads, size, use_jax):
    """The processes to run, in order: the probes first, then each workload."""
    from .workloads import BY_KEY
    specs = [{"job": "probe", "size": size, "threads": t} for t in threads]
    for key in workloads:
        counts = BY_KEY[key].threads if key in BY_KEY else (1,)  # W8: compile is serial
        specs += [{"job": key, "size": size, "threads": t, "jax": use_jax}
                  for t in threads if t in counts]
    return specs


def run(workloads, threads, size, use_jax, progress=None):
    """(rows, probes by thread count) of a whole run."""
    rows, probes = [], {}
    for spec in jobs(workloads, threads, size, use_jax):
        if progress:
            progress(f"{spec['job']} ({spec['threads']} thread(s))")
        found = run_job(spec, timeout=900 if size == "full" else 120)
        if spec["job"] == "probe":
            if found and "copy_gbs" in found[0]:
                probes[spec["threads"]] = found[0]
        else:
            rows += found
    return rows, probes


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--size", choices=("full", "tiny"), default="full",
                   help="full: the sizes of docs/performance.md; tiny: a smoke test")
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    p.add_argument("--workloads", default=",".join(WORKLOADS),
                   help="comma-separated, of " + ",".join(WORKLOADS))
    p.add_argument("--no-jax", action="store_true", help="leave JAX out even if installed")
    p.add_argument("--json", metavar="FILE", help="also write the rows and limits as JSON")
    p.add_argument("--png", metavar="FILE", help="draw the ratio chart (needs matplotlib)")
    args = p.parse_args(argv)
    workloads = [k.strip().upper() for k in args.workloads.split(",") if k.strip()]
    unknown = [k for k in workloads if k not in WORKLOADS]
    if unknown:
        p.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
    try:
        threads = [int(t) for t in args.threads.split(",")]
    except ValueError:
        p.error(f"--threads takes numbers like 1,2, got {args.threads!r}")
    if any(t < 1 for t in threads):
        p.error("--threads must be at least 1")

    def progress(what):
        print(f"bench: {what}", file=sys.stderr, flush=True)
    rows, probes = run(workloads, threads, args.size, not args.no_jax, progress)
    print(report.table(rows, probes), end="")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"size": args.size, "rows": rows,
                       "probes": {str(k): v for k, v in probes.items()}}, f, indent=1)
    if args.png and not report.chart(rows, args.png):
        print("bench: matplotlib is not installed; no chart drawn "
              "(pip install 'nxc[bench]')", file=sys.stderr)
    sys.exit(1 if report.wrong(rows) else 0)
