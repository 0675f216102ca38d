"""The benchmark suite (python -m bench) at its tiny size, as CI runs it: every
workload gives a row with finite ratios, and a wrong result is reported."""
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
