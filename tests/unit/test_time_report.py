"""`nxc compile --time-report`: one line per compile stage, in pipeline order, on stderr."""
import re
import textwrap

import numpy as np
from click.testing import CliRunner

from nxc.cli.main import main
from nxc.compiler import timing
from nxc.compiler.codegen.pipeline import STAGES
from nxc.runtime import load

MODEL = """
import nxc as nx

@nx.defn
def scale(x: nx.f32[4]):
    return x * 2.0
"""

# Every stage of a compile to an artifact, in the order they run.
EXPECTED = (["frontend", "IR passes", "import backend", "emit MLIR", "verify MLIR"]
            + [f"mlir {s}" for s in STAGES]
            + ["translate to LLVM IR", "support code", "LLVM optimize", "codegen", "link",
               "artifact write"])

LINE = re.compile(r"^  (?P<name>.+?)\s+(?P<ms>\d+\.\d) ms(\s+\d+\.\d%)?$")


def report_lines(stderr):
    lines = stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if line.endswith("time report:"))
    found = []
    for line in lines[start + 1:]:
        m = LINE.match(line)
        if not m:
            break
        found.append((m.group("name"), float(m.group("ms"))))
    return found


def test_time_report_names_every_stage_in_order(tmp_path):
    model = tmp_path / "model.py"
    model.write_text(textwrap.dedent(MODEL))
    out = tmp_path / "model_nxc"
    result = CliRunner().invoke(main, ["compile", str(model), "-o", str(out), "--time-report"])
    assert result.exit_code == 0, result.output
    found = report_lines(result.stderr)
    names = [n for n, _ in found if n not in ("other", "total")]
    assert names == EXPECTED
    total = dict(found)["total"]
    assert all(0 <= ms <= total for _, ms in found)
    assert sum(ms for n, ms in found if n != "total") <= total + 0.1 * len(found)
    # the artifact is still written and right
    assert np.asarray(load(out).scale(np.arange(4, dtype=np.float32))).tolist() == [0, 2, 4, 6]


def test_no_report_without_the_flag(tmp_path):
    model = tmp_path / "model.py"
    model.write_text(textwrap.dedent(MODEL))
    result = CliRunner().invoke(main, ["compile", str(model), "--emit", "ir"])
    assert result.exit_code == 0, result.output
    assert "time report" not in result.stderr


def test_stages_add_up_and_cost_nothing_outside_a_report():
    with timing.stage("ignored"):
        pass
    with timing.collect() as report:
        for _ in timing.timed([1, 2], lambda i: "loop"):
            pass
        with timing.stage("a"):
            pass
        with timing.stage("a"):
            pass
    assert list(report.seconds) == ["loop", "a"]
    assert report.total >= sum(report.seconds.values())
    assert "ignored" not in report.format()
