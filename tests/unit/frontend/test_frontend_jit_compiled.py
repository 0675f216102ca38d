"""Calling a defn compiles it for the CPU once per specialization, with an
on-disk cache; `compiler="interpreter"` selects the reference interpreter."""
import numpy as np
import pytest

import nxc as nx
from nxc.compiler.codegen import driver


def _poly(x, y):
    return nx.sum(x * x + 2.0 * y, axes=[0]) - 1.0


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NXC_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_compiled_and_interpreted_calls_agree(cache):
    x = np.arange(6, dtype=np.float32).reshape(3, 2)
    y = np.ones((3, 2), np.float32)
    compiled = nx.defn(_poly)(x, y)
    interpreted = nx.defn(_poly, compiler="interpreter")(x, y)
    want = (x.astype(np.float64) ** 2 + 2 * y).sum(axis=0) - 1
    np.testing.assert_allclose(np.asarray(compiled), want, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(interpreted), want, rtol=1e-6)
    assert any(cache.rglob("manifest.json")), "the compiled call left no artifact in the cache"


def test_second_call_does_not_compile(cache, monkeypatch):
    f = nx.defn(_poly)
    x = np.ones((2, 2), np.float32)
    first = np.asarray(f(x, x))

    def no_compile(*a, **k):
        raise AssertionError("compiled again")
    monkeypatch.setattr(driver.Compilation, "write", no_compile)
    assert np.asarray(f(x, x)).tolist() == first.tolist()
    # A new defn of the same source finds the artifact on disk.
    assert np.asarray(nx.defn(_poly)(x, x)).tolist() == first.tolist()


def test_each_signature_compiles_its_own_specialization(cache):
    f = nx.defn(_poly)
    assert np.asarray(f(np.ones(2, np.float32), np.ones(2, np.float32))).tolist() == 5.0
    out = f(np.ones(3, np.float64), np.zeros(3, np.float64))
    assert out.dtype == nx.f64 and float(out) == 2.0


def test_unknown_compiler_is_an_error():
    with pytest.raises(nx.ArgumentError, match="unknown compiler 'gpu'"):
        nx.defn(_poly, compiler="gpu")


def test_cache_command_reports_and_clears(cache):
    from click.testing import CliRunner

    from nxc.cli.main import main
    nx.defn(_poly)(np.ones(2, np.float32), np.ones(2, np.float32))
    shown = CliRunner().invoke(main, ["cache"])
    assert shown.exit_code == 0 and f"{cache}: 1 compiled module(s)" in shown.output
    assert CliRunner().invoke(main, ["cache", "--clear"]).exit_code == 0
    assert not cache.exists() or not any(cache.rglob("manifest.json"))
