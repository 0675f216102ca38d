"""The table of results: times, ratios, rates against the machine's limits, goals.

Ratios are times, nxc over the other (below 1: nxc is faster). The rate is
the ahead-of-time nxc's: GB/s of the bytes a workload must move at least, or
GFLOP/s, and its fraction of the machine's limit (copy bandwidth, or numpy's
sgemm at the same thread count) measured in the workload's own process, right
after it (the probes at the start of the run are the fallback). The goals are
issue #9's; a missed goal says by how much.
"""
from __future__ import annotations

import math

COLUMNS = ("aot", "jit", "numpy", "jax")
HEADER = ("workload", "size", "thr", "nxc AOT", "nxc JIT", "numpy", "JAX", "AOT/np",
          "AOT/JAX", "JIT/np", "JIT/JAX", "rate", "of limit", "goal")


def ratio(row, a, b):
    s = row["seconds"]
    if a in s and b in s and s[b] > 0:
        return s[a] / s[b]
    return None


def _time(seconds, kind):
    if seconds is None:
        return "-"
    if kind == "call" or seconds < 1e-3:
        return f"{seconds * 1e6:.3g} us"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def _ratio(r):
    return "-" if r is None else f"{r:.2f}"


def rate(row, limits):
    """(text, fraction of the limit or None) of the AOT nxc time."""
    kind, amount = row["work"]
    t = row["seconds"].get("aot")
    if t is None or kind not in ("bytes", "flops"):
        return "-", None
    if kind == "bytes":
        value, limit, unit = amount / t / 1e9, limits.get("copy_gbs"), "GB/s"
    else:
        value, limit, unit = amount / t / 1e9, limits.get("sgemm_gflops"), "GFLOP/s"
    return f"{value:.3g} {unit}", (value / limit if limit else None)


def goal(row, limits):
    """(met: True/False/None when it cannot be judged, the text)."""
    s, key, kind = row["seconds"], row["key"], row["work"][0]
    checks = []  # (name, actual / allowed)

    def at_most(name, t, bound, factor=1.0):
        if t is not None and bound is not None:
            checks.append((name, t / (bound * factor)))

    aot, jax, numpy = s.get("aot"), s.get("jax"), s.get("numpy")
    if key in ("W1", "W2", "W4"):
        at_most("JAX", aot, jax)
        if key == "W1" and limits.get("copy_gbs"):
            at_most("1.5x bandwidth bound", aot, row["work"][1] / (limits["copy_gbs"] * 1e9),
                    1.5)
    elif key == "W3":
        at_most("80% of numpy GFLOP/s", aot, numpy, 1 / 0.8)
    elif key in ("W5", "W6"):
        at_most("numpy", aot, numpy)
        at_most("JAX", aot, jax)
    elif key == "W7":
        at_most("3 us (AOT)", aot, 3e-6)
        at_most("3 us (JIT)", s.get("jit"), 3e-6)
    elif key == "W8" and kind == "compile":
        at_most("2x JAX", aot, jax, 2.0)
    elif key == "W8" and kind == "hit":
        at_most("10 ms", s.get("jit"), 10e-3)
    if not checks:
        return None, "n/a"
    missed = [f"{name} x{r:.2f}" for name, r in checks if r > 1]
    if not missed:
        return True, "met"
    return False, "missed: " + ", ".join(missed)


def wrong(rows):
    """The implementations whose result was wrong or that failed: [(row, impl, why)]."""
    return [(r, impl, why) for r in rows for impl, why in r.get("errors", {}).items()]


def table(rows, probes) -> str:
    """The markdown table of `rows`, with `probes` (thread count -> limits)."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for r in rows:
        limits = r.get("limits") or probes.get(r["threads"], {})
        kind = r["work"][0]
        cells = []
        for c in COLUMNS:
            t = r["seconds"].get(c)
            cells.append("WRONG" if c in r.get("errors", {}) else _time(t, kind))
        text, fraction = rate(r, limits)
        _, g = goal(r, limits)
        thr = f"{r['threads']}" + ("*" if r.get("cores_short") else "")
        lines.append("| " + " | ".join([
            f"{r['key']} {r['title']}", r["size"], thr, *cells,
            _ratio(ratio(r, "aot", "numpy")), _ratio(ratio(r, "aot", "jax")),
            _ratio(ratio(r, "jit", "numpy")), _ratio(ratio(r, "jit", "jax")),
            text, "-" if fraction is None else f"{fraction:.0%}", g]) + " |")
    notes = []
    for t, p in sorted(probes.items()):
        notes.append(f"limits at {t} thread(s): copy {p['copy_gbs']:.1f} GB/s, "
                     f"numpy sgemm {p['sgemm_gflops']:.1f} GFLOP/s")
    if any(r.get("cores_short") for r in rows):
        notes.append("*: fewer cores than threads on this machine")
    for r, impl, why in wrong(rows):
        notes.append(f"{r['key']} {r['title']} ({r['threads']} thread(s)), {impl}: {why}")
    return "\n".join(lines + [""] + [f"- {n}" for n in notes]) + "\n"


GPU_COLUMNS = (("host", "nxc host"), ("device", "nxc device"), ("jax_host", "JAX host"),
               ("jax", "JAX"), ("torch", "torch"))
# Like for like: host data against host data, data on the device against the same.
GPU_RATIOS = (("host", "jax_host"), ("device", "jax"), ("device", "torch"))
GPU_NAMES = dict(GPU_COLUMNS)


def gpu_table(rows) -> str:
    """The markdown table of the GPU workload's rows (gpu.py): times, the ratios
    nxc / JAX and nxc / torch, and a note per implementation skipped or wrong."""
    ratios = [f"{GPU_NAMES[a].replace('nxc ', '')}/{GPU_NAMES[b]}" for a, b in GPU_RATIOS]
    header = ("workload", "size", "GPU", *(name for _, name in GPU_COLUMNS), *ratios,
              "rate (nxc device)")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    notes = []
    for r in rows:
        errors, skipped = r.get("errors", {}), r.get("skipped", {})
        cells = ["WRONG" if c in errors else "skipped" if c in skipped
                 else _time(r["seconds"].get(c), "bytes") for c, _ in GPU_COLUMNS]
        t = r["seconds"].get("device")
        gbs = "-" if t is None else f"{r['work'][1] / t / 1e9:.3g} GB/s"
        lines.append("| " + " | ".join([
            f"{r['key']} {r['title']}", r["size"], r.get("device", "-"), *cells,
            *(_ratio(ratio(r, a, b)) for a, b in GPU_RATIOS), gbs]) + " |")
        for impl, why in list(skipped.items()) + list(errors.items()):
            notes.append(f"{r['key']} {r['title']}, {GPU_NAMES.get(impl, impl)}: {why}")
    return "\n".join(lines + [""] + [f"- {n}" for n in notes]) + "\n"


def finite_ratios(row) -> bool:
    """Whether nxc/numpy is a finite positive number for this row (what CI asserts)."""
    r = ratio(row, "aot", "numpy") or ratio(row, "jit", "numpy")
    return r is not None and math.isfinite(r) and r > 0


def chart(rows, path):
    """A bar chart of the ratios nxc AOT / numpy and / JAX (log scale) at `path`;
    False when matplotlib is not installed."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import matplotlib.ticker
    except ImportError:
        return False
    shown = [r for r in rows if ratio(r, "aot", "numpy") or ratio(r, "aot", "jax")]
    labels = [f"{r['key']} {r['title']}\n{r['threads']} thr" for r in shown]
    fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(shown)), 4.5))
    width = 0.4
    for i, (other, color) in enumerate((("numpy", "#4c72b0"), ("jax", "#dd8452"))):
        values = [ratio(r, "aot", other) or float("nan") for r in shown]
        ax.bar([k + (i - 0.5) * width for k in range(len(shown))], values, width,
               label=f"nxc / {'JAX' if other == 'jax' else other}", color=color)
    ax.axhline(1.0, color="black", linewidth=0.8)
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(matplotlib.ticker.FixedLocator(
        [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100]))
    ax.yaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%g"))
    ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_ylabel("time ratio (below 1: nxc faster)")
    ax.set_xticks(range(len(shown)))
    ax.set_xticklabels(labels, fontsize=7, rotation=45, ha="right")
    ax.legend()
    ax.set_title("nxc (ahead of time) against numpy and jax.jit, CPU, float32")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True
