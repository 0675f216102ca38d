"""The call path: the fast path of compiled functions and defns (same results and
errors as the checked path), and the JIT's source index (a new process loads a
compiled defn without lowering it; edits to the source or globals recompile)."""
import json
import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import nxc as nx
from nxc.compiler import jit_cache
from nxc.runtime import fastcall
from nxc.runtime.errors import ArgumentError


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NXC_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _axpy(a, x, y):
    return a * x + y


def test_data_address_is_numpys():
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    for a in (base, base[1:], base[:, 2:], base.T, np.asarray(np.float64(2.5)),
              np.empty(0, np.int8)):
        assert fastcall.data_address(a) == a.ctypes.data


def test_generated_entry_takes_only_arrays_needing_no_conversion():
    calls = []

    def native(*addresses):
        calls.append(addresses)
        return 0

    def general(args, kwargs):
        return "general"

    def refused(status):
        raise AssertionError(status)
    f32 = np.dtype(np.float32)
    call = fastcall.entry([(f32, (3,)), (f32, ())], [((2,), f32, (None,))], native,
                          general, refused)
    x, s = np.ones(3, np.float32), np.asarray(1.0, np.float32)
    out = call(x, s)
    assert isinstance(out, nx.Tensor) and out.shape == (2,)
    assert calls == [(x.ctypes.data, s.ctypes.data, np.asarray(out).ctypes.data)]
    for other in (np.ones(3), np.ones(4, np.float32), np.ones(6, np.float32)[::2],
                  np.ones(3, ">f4"), [1.0, 1.0, 1.0], nx.tensor(x)):
        assert call(other, s) == "general"
    assert call(x) == "general" and call(x, s, s) == "general"
    assert len(calls) == 1
    # an entry of the same shape of signature shares the compiled template, not its values
    i32 = np.dtype(np.int32)
    other = fastcall.entry([(i32, (2,)), (i32, ())], [((5,), i32, ("k",))],
                           lambda *addresses: calls.append(("other",) + addresses) or 0,
                           general, refused)
    assert call(x, s).shape == (2,) and len(calls) == 2
    assert other(x, s) == "general" and len(calls) == 2
    r = other(np.ones(2, np.int32), np.asarray(3, np.int32))
    assert r.shape == (5,) and r.dtype == nx.s32 and r.names == ("k",)
    assert calls[-1][0] == "other"


def test_defn_fast_path_matches_the_checked_path(cache):
    f = nx.defn(_axpy)
    a = np.asarray(2.0, np.float32)
    x = np.arange(4, dtype=np.float32)
    y = np.ones(4, np.float32)
    want = 2.0 * np.arange(4.0) + 1.0
    first = f(a, x, y)
    assert f._fast, "the first call did not record its signature"
    for _ in range(3):
        out = f(a, x, y)
        assert isinstance(out, nx.Tensor) and out.dtype == nx.f32
        np.testing.assert_array_equal(np.asarray(out), want)
        # the result is read-only, unnamed, and owns its own buffer
        assert out.names == (None,) and not np.asarray(out).flags.writeable
        assert not np.shares_memory(np.asarray(out), np.asarray(first))
    np.testing.assert_array_equal(np.asarray(first), want)
    # other forms of the same values take the checked path, with the same result
    np.testing.assert_array_equal(np.asarray(f(a, np.arange(8, dtype=np.float32)[::2], y)),
                                  2.0 * np.arange(0, 8, 2.0) + 1.0)
    np.testing.assert_array_equal(np.asarray(f(a, x.astype(">f4"), y)), want)
    np.testing.assert_array_equal(np.asarray(f(a, x, y=y)), want)
    # a tensor with axis names keeps them
    named = f(a, nx.tensor(x, names=["i"]), y)
    assert named.names == ("i",)
    # errors are the checked path's
    with pytest.raises(ArgumentError, match=r"_axpy is missing the tensor argument\(s\) y"):
        f(a, x)
    with pytest.raises(nx.CompileError, match=r"cannot add f32\[4\] and f32\[5\]"):
        f(a, x, np.ones(5, np.float32))


def test_artifact_fast_path_keeps_every_check(cache):
    f = nx.defn(_axpy)
    x = np.arange(3, dtype=np.float32)
    f(np.float32(1), x, x)  # compiles the specialization f32[], f32[3], f32[3]
    native = next(iter(f._native.values()))[0]
    assert native.call_positional is not None  # static shapes: the fast path applies
    a = np.asarray(3.0, np.float32)
    np.testing.assert_array_equal(np.asarray(native(a, x, x)), 4 * np.arange(3.0))
    np.testing.assert_array_equal(np.asarray(native(a, x=x, y=x)), 4 * np.arange(3.0))
    np.testing.assert_array_equal(np.asarray(native(a, np.arange(6, dtype=np.float32)[::2], x)),
                                  3 * np.arange(0, 6, 2.0) + np.arange(3.0))
    with pytest.raises(ArgumentError, match=r"argument x must be f32\[3\], got an array of f64"):
        native(a, x.astype(np.float64), x)
    with pytest.raises(ArgumentError, match=r"got shape \(4,\) \(axis 0 has size 4, expected 3\)"):
        native(a, np.ones(4, np.float32), x)
    with pytest.raises(ArgumentError, match="takes 3 argument"):
        native(a, x, x, x)


CHILD = """
import json, sys
import numpy as np
sys.path.insert(0, {dir!r})
import model
out = model.scaled(np.arange(3, dtype=np.float32))
from nxc.compiler import jit_cache
print(json.dumps({{"out": np.asarray(out).tolist(), "mlir": "mlir" in sys.modules,
                  "resolve": "nxc.compiler.frontend.resolve" in sys.modules,
                  "source": "nxc.compiler.frontend.source" in sys.modules,
                  "code": jit_cache.code_fingerprint()}}))
"""

MODEL = """
import nxc as nx

SCALE = {scale}

@nx.defn
def helper(x):
    return x {op} 1.0

@nx.defn
def scaled(x):
    return helper(x) * SCALE
"""


def _run_child(tmp_path, env):
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(dir=str(tmp_path)))
    proc = subprocess.run([sys.executable, str(script)], env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def _hit(tmp_path, env):
    """A run that should hit the index; repeated while nxc's own files change under
    it (the index is rightly invalidated then)."""
    for _ in range(3):
        before = _run_child(tmp_path, env)
        after = _run_child(tmp_path, env)
        if after["code"] == before["code"]:
            return after
    raise AssertionError("nxc's code fingerprint differed between two processes three "
                         "times in a row: a cache hit could never happen")


def _write_model(tmp_path, scale, op, age_s=None):
    """Write model.py (last modified `age_s` seconds ago, if given)."""
    path = tmp_path / "model.py"
    path.write_text(textwrap.dedent(MODEL.format(scale=scale, op=op)))
    if age_s is not None:
        t = time.time_ns() - int(age_s * 1e9)
        os.utime(path, ns=(t, t))
    for stale in (tmp_path / "__pycache__").glob("model*"):
        stale.unlink()


def test_new_process_hits_the_index_and_edits_invalidate_it(tmp_path, cache):
    env = dict(os.environ, NXC_CACHE_DIR=str(cache))
    _write_model(tmp_path, 2.0, "+")
    first = _run_child(tmp_path, env)
    assert first["out"] == [2.0, 4.0, 6.0] and first["mlir"]
    hit = _hit(tmp_path, env)
    assert hit["out"] == [2.0, 4.0, 6.0]
    assert not hit["mlir"], "a cache hit imported MLIR (it lowered the function again)"
    assert not hit["resolve"], "a cache hit resolved names (only lowering needs to)"
    _write_model(tmp_path, 3.0, "+")  # a global the defn reads
    assert _run_child(tmp_path, env)["out"] == [3.0, 6.0, 9.0]
    _write_model(tmp_path, 3.0, "-")  # the source of a defn it calls
    assert _run_child(tmp_path, env)["out"] == [-3.0, 0.0, 3.0]


def test_a_hit_on_an_unchanged_file_reads_no_source(tmp_path, cache):
    """The source summaries of a file modified a while ago stand for its text: a
    hit then reads no source; an edit (same size, an old mtime of its own) still
    misses and recompiles."""
    env = dict(os.environ, NXC_CACHE_DIR=str(cache))
    _write_model(tmp_path, 2.0, "+", age_s=10)
    assert _run_child(tmp_path, env)["out"] == [2.0, 4.0, 6.0]
    # The first process summarized both defns; a change to nxc's own files meanwhile
    # invalidates the summaries with the entries: the next process records them again.
    for _ in range(4):
        hit = _run_child(tmp_path, env)
        if not hit["source"]:
            break
    assert hit["out"] == [2.0, 4.0, 6.0] and not hit["mlir"]
    assert not hit["source"], "a hit on an unchanged file read its source"
    _write_model(tmp_path, 2.0, "-", age_s=5)  # the callee's source, same size
    edited = _run_child(tmp_path, env)
    assert edited["out"] == [-2.0, 0.0, 2.0] and edited["mlir"]


def test_values_the_index_cannot_capture_leave_a_defn_unindexed(cache):
    g = nx.grad(_axpy)  # a transformed function: used by value, which the index cannot see

    def uses_grad(x):
        return g(x, x, x)
    f = nx.defn(uses_grad)
    x = np.ones(3, np.float32)
    types = [f._typed(0, x, None)[0]]
    assert jit_cache.key(f, types, {}) is None
    h = nx.defn(_axpy)
    k1 = jit_cache.key(h, types * 3, {})
    assert k1 is not None and k1 == jit_cache.key(nx.defn(_axpy), types * 3, {})
    assert k1 != jit_cache.key(h, types * 3, {"unused": 1})



def test_closures_over_local_functions_are_not_indexed(cache):
    """Two closures of one factory share a qualified name: keying them by it would
    give the second the first one's code."""
    def calling(name):
        def op(x):
            return getattr(nx, name)(x)
        op.__module__ = "nxc.api"  # as nxc's own generated functions are
        return lambda x: op(x)
    x = nx.tensor([-1, 2])
    assert nx.defn(calling("negate"))(x).tolist() == [1, -2]
    assert nx.defn(calling("abs"))(x).tolist() == [1, 2]
    types = [nx.defn(calling("abs"))._typed(0, x, None)[0]]
    assert jit_cache.key(nx.defn(calling("abs")), types, {}) is None


BLOCKS = '''
import nxc as nx

@nx.defn
def commented(x):
    y = x + 1.0
# a comment at column 0 inside the body
    return y * 2.0

def continued(x):
    y = (x +
1.0)
    return y

def after(x):
    return x
'''


def test_source_blocks_by_indentation_or_not_at_all(tmp_path):
    from nxc.compiler.frontend import source
    path = tmp_path / "blocks.py"
    path.write_text(BLOCKS)
    namespace = {"__name__": "blocks"}
    exec(compile(BLOCKS, str(path), "exec"), namespace)
    lines, first = source._block(namespace["commented"].fn)
    assert first == 4 and lines[0] == "@nx.defn\n" and lines[-1] == "    return y * 2.0\n"
    # a continuation line at column 0 would cut the function short: inspect decides
    assert source._block(namespace["continued"]) is None
    lines, first = source._block(namespace["after"])
    assert (first, len(lines)) == (15, 2)
    src, node = source.from_function(namespace["continued"])
    assert node.name == "continued" and src.loc(node.body[-1]).line == 13
