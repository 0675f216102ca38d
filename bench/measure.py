"""Timing (medians after warm-up) and the correctness check of a result."""
from __future__ import annotations

import statistics
import time

import numpy as np


def median_seconds(fn, args, *, budget=0.5, warmup=2, min_repeats=5, max_repeats=200):
    """The median time of one call `fn(*args)`, after `warmup` calls.

    Calls shorter than 0.2 ms are timed in batches (so that the clock's
    resolution and the loop's own cost do not count); the batches, or single
    calls, repeat until `budget` seconds are spent (at least `min_repeats`).
    """
    for _ in range(warmup):
        fn(*args)
    t0 = time.perf_counter()
    fn(*args)
    once = time.perf_counter() - t0
    number = max(1, int(2e-4 / once)) if once < 2e-4 else 1
    samples = []
    end = time.perf_counter() + budget
    while len(samples) < min_repeats or (time.perf_counter() < end
                                         and len(samples) < max_repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            fn(*args)
        samples.append((time.perf_counter() - t0) / number)
    return statistics.median(samples)


def flatten(out):
    """A result as a list of numpy arrays (tuples, nx tensors and JAX arrays alike)."""
    if isinstance(out, (tuple, list)):
        return [a for o in out for a in flatten(o)]
    return [np.asarray(out)]


def check(got, want, tolerance) -> str | None:
    """None when `got` matches the oracle `want` (max |error| at most `tolerance`
    times max |want|, per output), else what is wrong."""
    got, want = flatten(got), flatten(want)
    if len(got) != len(want):
        return f"{len(got)} outputs, expected {len(want)}"
    for i, (g, w) in enumerate(zip(got, want)):
        where = f"output {i}: " if len(want) > 1 else ""
        if g.shape != w.shape:
            return f"{where}shape {g.shape}, expected {w.shape}"
        if g.dtype != np.float32:
            return f"{where}dtype {g.dtype}, expected float32"
        if not np.all(np.isfinite(g)):
            return f"{where}non-finite values"
        scale = float(np.max(np.abs(w))) if w.size else 0.0
        err = float(np.max(np.abs(g.astype(np.float64) - w))) if w.size else 0.0
        if err > tolerance * max(scale, np.finfo(np.float32).tiny):
            return f"{where}max error {err:.3g} (relative {err / max(scale, 1e-30):.3g}, " \
                   f"allowed {tolerance:g})"
    return None
