"""Wall time per compile stage, for `nxc compile --time-report`.

    with timing.collect() as report:
        ...                       # code that runs `with timing.stage("link"):`
    print(report.format())

Outside `collect()` the hooks only check a context variable, so they cost
nothing measurable. Stages with the same name add up (two functions' links
are one "link" line), in the order they first ran.
"""
from __future__ import annotations

import contextlib
import contextvars
import time

_report = contextvars.ContextVar("nxc_time_report", default=None)


class TimeReport:
    def __init__(self):
        self.seconds = {}  # stage name -> seconds, in first-run order
        self.start = time.perf_counter()
        self.total = None

    def add(self, name: str, seconds: float):
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def format(self, title="time report") -> str:
        total = self.total if self.total is not None else time.perf_counter() - self.start
        width = max([len(n) for n in self.seconds] + [len("other")])
        lines = [f"{title}:"]
        rows = list(self.seconds.items())
        other = total - sum(self.seconds.values())
        if other > 0.0005:
            rows.append(("other", other))
        for name, s in rows:
            lines.append(f"  {name:<{width}}  {s * 1e3:9.1f} ms  {s / total:6.1%}"
                         if total > 0 else f"  {name:<{width}}  {s * 1e3:9.1f} ms")
        lines.append(f"  {'total':<{width}}  {total * 1e3:9.1f} ms")
        return "\n".join(lines) + "\n"


@contextlib.contextmanager
def collect():
    """Record the stages run inside the block into the TimeReport it yields."""
    report = TimeReport()
    token = _report.set(report)
    try:
        yield report
    finally:
        report.total = time.perf_counter() - report.start
        _report.reset(token)


@contextlib.contextmanager
def stage(name: str):
    """Time the block as stage `name` when a report is being collected."""
    report = _report.get()
    if report is None:
        yield
        return
    t0 = time.perf_counter()
    try:
        yield
    finally:
        report.add(name, time.perf_counter() - t0)


def timed(items, name_of, prefix=""):
    """Iterate `items`, timing each loop body as the stage `prefix + name_of(item)`
    (a loop over pipeline stages becomes timed by changing its `for` line)."""
    for item in items:
        report = _report.get()
        t0 = time.perf_counter()
        yield item
        if report is not None:
            report.add(prefix + name_of(item), time.perf_counter() - t0)
