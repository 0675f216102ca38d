"""`nxc compile` of a module exporting a vmapped function: the artifact's
signature carries the batch dimension, symbolic when `axis_size` names it."""
import subprocess
import sys
import textwrap

import numpy as np

import nxc as nx

MODEL = textwrap.dedent("""
    import nxc as nx

    @nx.defn
    def score(w: nx.f32[3], x: nx.f32[3]):
        return nx.sum(w * x)

    batched = nx.vmap(score, in_axes=(None, 0), axis_size="batch")
    fixed = nx.vmap(score, in_axes=(None, 0), axis_size=2)
""")


def test_vmapped_export_keeps_its_batch_dimension(tmp_path):
    (tmp_path / "vmodel.py").write_text(MODEL)
    out = tmp_path / "vmodel_nxc"
    done = subprocess.run([sys.executable, "-m", "nxc.cli.main", "compile",
                           str(tmp_path / "vmodel.py"), "-o", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    shown = subprocess.run([sys.executable, "-m", "nxc.cli.main", "inspect", str(out)],
                           capture_output=True, text=True).stdout
    assert "batched(w: f32[3], x: f32[?batch][3]) -> f32[?batch]" in shown
    assert "fixed(w: f32[3], x: f32[2][3]) -> f32[2]" in shown
    model = nx.load(str(out))
    w = np.array([1, 2, 3], np.float32)
    xs = np.arange(12, dtype=np.float32).reshape(4, 3)
    assert np.asarray(model.batched(w, xs)).tolist() == [float(x @ w) for x in xs]
    assert np.asarray(model.fixed(w, xs[:2])).tolist() == [float(x @ w) for x in xs[:2]]
