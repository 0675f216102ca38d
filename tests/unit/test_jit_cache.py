"""The JIT source index's fingerprints of nxc's code, Python and the host: each
change that could change a lowering or the code it runs must change the key."""
import json
import linecache
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

import nxc as nx
from nxc.compiler import jit_cache
from nxc.runtime import host

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _double(x):
    return x * 2.0


@pytest.fixture
def fresh_fingerprints():
    """Recompute the cached fingerprints in the test, and again after it."""
    jit_cache.code_fingerprint.cache_clear()
    jit_cache.host_fingerprint.cache_clear()
    yield
    jit_cache.code_fingerprint.cache_clear()
    jit_cache.host_fingerprint.cache_clear()


def _bump(path, text=None):
    """Rewrite `path` in place (same size unless `text`) with a later mtime."""
    st = os.stat(path)
    with open(path, "r+", encoding="utf-8") as f:
        old = f.read()
        f.seek(0)
        f.write(old if text is None else text)
        f.truncate()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))


def test_tree_fingerprint_sees_edits_additions_and_removals(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub" / "__pycache__").mkdir(parents=True)
    (pkg / "a.py").write_text("A = 1\n")
    (pkg / "sub" / "b.py").write_text("B = 2\n")
    roots = [str(pkg)]
    base = jit_cache.tree_fingerprint(roots)
    assert jit_cache.tree_fingerprint(roots) == base
    # neither bytecode nor other files are source
    (pkg / "sub" / "__pycache__" / "b.py").write_text("stale")
    (pkg / "notes.txt").write_text("x")
    assert jit_cache.tree_fingerprint(roots) == base
    _bump(pkg / "sub" / "b.py")  # edited in place: same size, same inode
    edited = jit_cache.tree_fingerprint(roots)
    assert edited != base
    _bump(pkg / "a.py", "A = 10\n")
    assert jit_cache.tree_fingerprint(roots) not in (base, edited)
    before = jit_cache.tree_fingerprint(roots)
    (pkg / "sub" / "c.py").write_text("")
    added = jit_cache.tree_fingerprint(roots)
    assert added != before
    (pkg / "sub" / "c.py").unlink()
    assert jit_cache.tree_fingerprint(roots) == before
    # a link back up is not followed (os.walk's rule): no endless walk
    os.symlink(pkg, pkg / "sub" / "up")
    assert jit_cache.tree_fingerprint(roots) == before


def test_code_fingerprint_covers_each_package_once():
    dirs = {os.path.realpath(os.path.dirname(sys.modules[m].__file__))
            for m in ("nxc", "nxc.compiler", "nxc.runtime")}
    roots = jit_cache._code_roots()
    assert len(roots) == len(set(roots))
    # each package's directory is a root or inside one
    assert all(any(d == r or d.startswith(r + os.sep) for r in roots) for d in dirs)


CHILD = """
import json
import nxc
from nxc.compiler import jit_cache
print(json.dumps([jit_cache.code_fingerprint(), jit_cache._code_roots()]))
"""


def test_editing_a_source_file_of_an_installed_copy_changes_the_fingerprint(tmp_path):
    """nxc installed as one package (compiler/ inside nxc/; runtime/ a link to a
    directory elsewhere): each directory is walked once, and an edit to any of
    their files is seen."""
    site = tmp_path / "site"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(os.path.join(ROOT, "nxc"), site / "nxc", ignore=ignore)
    shutil.copytree(os.path.join(ROOT, "compiler"), site / "nxc" / "compiler", ignore=ignore)
    shutil.copytree(os.path.join(ROOT, "runtime"), tmp_path / "linked" / "runtime",
                    ignore=ignore)
    os.symlink(tmp_path / "linked" / "runtime", site / "nxc" / "runtime")
    env = dict(os.environ, PYTHONPATH=str(site))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the second run imports from bytecode

    def run():
        proc = subprocess.run([sys.executable, "-c", CHILD], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout.splitlines()[-1])
    first, roots = run()
    real = os.path.realpath(tmp_path)
    assert roots == [os.path.join(real, "linked", "runtime"), os.path.join(real, "site", "nxc")]
    assert run()[0] == first
    _bump(site / "nxc" / "compiler" / "codegen" / "emit.py")
    second = run()[0]
    assert second != first
    _bump(tmp_path / "linked" / "runtime" / "loader.py")
    assert run()[0] not in (first, second)


def test_python_version_and_host_cpu_are_in_the_key(monkeypatch, fresh_fingerprints):
    f = nx.defn(_double)
    types = [f._typed(0, np.ones(3, np.float32), None)[0]]
    base = jit_cache.key(f, types, {})
    assert base is not None and jit_cache.key(f, types, {}) == base
    monkeypatch.setattr(sys, "version", sys.version + " (another build)")
    jit_cache.code_fingerprint.cache_clear()
    assert jit_cache.key(f, types, {}) != base
    monkeypatch.undo()
    jit_cache.code_fingerprint.cache_clear()
    assert jit_cache.key(f, types, {}) == base
    flags = host.host_flags() or frozenset()
    monkeypatch.setattr(host, "host_flags", lambda: flags - {"avx2"} | {"nxc_test_flag"})
    jit_cache.host_fingerprint.cache_clear()
    assert jit_cache.key(f, types, {}) != base
    monkeypatch.setattr(host, "host_arch", lambda: "riscv64")
    monkeypatch.setattr(host, "host_flags", lambda: flags)
    jit_cache.host_fingerprint.cache_clear()
    assert jit_cache.key(f, types, {}) != base


SUMMARIZED = '''
import nxc as nx

@nx.defn
def shifted(x):
    return x + OFFSET

@nx.defn
def scaled(x):
    return x * OFFSET
'''


def _module_in(tmp_path, name, text, age_s):
    """Run `text` as module `name` from a file last modified `age_s` seconds ago."""
    path = tmp_path / f"{name}.py"
    path.write_text(text)
    t = time.time_ns() - int(age_s * 1e9)
    os.utime(path, ns=(t, t))
    namespace = {"__name__": name, "OFFSET": 1.0}
    exec(compile(text, str(path), "exec"), namespace)
    linecache.cache.pop(str(path), None)  # as in a new process: nothing read yet
    return path, namespace


def test_source_summaries_stand_for_the_file_as_it_was_read(tmp_path, monkeypatch):
    monkeypatch.setenv("NXC_CACHE_DIR", str(tmp_path / "cache"))
    memos = tmp_path / "cache" / "jit" / "src"
    path, ns = _module_in(tmp_path, "summarized", SUMMARIZED, age_s=10)
    f = ns["shifted"]
    want = jit_cache._summary(f)
    assert f.source_read() and want[1] == ["OFFSET", "defn", "nx", "x"]
    assert len(list(memos.iterdir())) == 1
    # linecache now holds the file, read after this process saw its stat: the next
    # defn's text is the file's too
    jit_cache._summary(ns["scaled"])
    assert len(list(memos.iterdir())) == 2
    linecache.cache.pop(str(path), None)
    g = nx.defn(f.fn)  # a new process's defn: the summary stands for the source
    assert jit_cache._summary(g) == want and not g.source_read()
    assert jit_cache.defn_fingerprint(g) == jit_cache.defn_fingerprint(f)
    # a damaged summary is ignored and written again
    memo = next(m for m in memos.iterdir() if json.loads(m.read_text())["digest"] == want[0])
    for damaged in ("{", json.dumps({"stat": json.loads(memo.read_text())["stat"],
                                     "digest": want[0], "names": [1, None]})):
        memo.write_text(damaged)
        linecache.cache.pop(str(path), None)
        k = nx.defn(f.fn)
        assert jit_cache._summary(k) == want and k.source_read()
        assert json.loads(memo.read_text())["names"] == want[1]
    # an edit (same size, an old mtime of its own) is read again, and summarized anew
    path, ns = _module_in(tmp_path, "summarized", SUMMARIZED.replace("+", "-"), age_s=5)
    h = ns["shifted"]
    edited = jit_cache._summary(h)
    assert h.source_read() and edited[0] != want[0]
    linecache.cache.pop(str(path), None)
    h2 = nx.defn(h.fn)
    assert jit_cache._summary(h2) == edited and not h2.source_read()


def test_recent_files_and_read_files_are_not_summarized(tmp_path, monkeypatch):
    monkeypatch.setenv("NXC_CACHE_DIR", str(tmp_path / "cache"))
    memos = tmp_path / "cache" / "jit" / "src"
    # modified just now: a later edit could keep its size and mtime
    _, ns = _module_in(tmp_path, "recent", SUMMARIZED, age_s=0)
    f = ns["shifted"]
    jit_cache._summary(f)
    assert f.source_read() and not memos.exists()
    # held by linecache (read earlier in the process): the lines may be older than the file
    path, ns = _module_in(tmp_path, "held", SUMMARIZED, age_s=10)
    linecache.getlines(str(path))
    g = ns["shifted"]
    jit_cache._summary(g)
    assert g.source_read() and not memos.exists()
    # read by linecache after this process saw the file, which has changed since
    path, ns = _module_in(tmp_path, "changed", SUMMARIZED, age_s=10)
    jit_cache._summary(ns["shifted"])
    assert len(list(memos.iterdir())) == 1
    t = time.time_ns() - 5_000_000_000
    os.utime(path, ns=(t, t))
    h = ns["scaled"]
    jit_cache._summary(h)
    assert h.source_read() and len(list(memos.iterdir())) == 1
