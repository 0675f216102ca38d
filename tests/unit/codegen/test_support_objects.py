"""The support code compiled once and cached (support.py, support_objects.py),
and linking (link.py): cache hits, stale and damaged entries, concurrent
writers, and libraries that stay self-contained and export only their ABI."""
import ctypes
import os
import shutil
import struct
import threading

import numpy as np
import pytest

from nxc.compiler.codegen import (compile_module, driver, link, llvm, support,
                                  support_objects, threads_ir)
from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir.builder import Builder
from nxc.compiler.ir.core import Module
from nxc.compiler.ir.types import Dim, TensorType
from nxc.runtime import load
from nxc.runtime.errors import CompileError
from nxc.runtime.threads import NUM_THREADS_SYMBOL


def scaled(name="scaled") -> Module:
    """x * 3 over a symbolic size: a parallel loop, so it calls the thread support."""
    m = Module(name=name)
    b = Builder()
    fn = b.function(m, "triple", [TensorType(T.f32, (Dim("n"),))], hints=["x"])
    with b.at(fn.body):
        b.terminate("return", [b.op("multiply", fn.params[0], 3.0)])
    return m


def product(name="product") -> Module:
    """A 64x64 f32 matrix product: the gemm kernels and the thread support."""
    m = Module(name=name)
    b = Builder()
    fn = b.function(m, "mm", [TensorType(T.f32, (64, 64))] * 2)
    with b.at(fn.body):
        b.terminate("return", [b.op("dot", *fn.params)])
    return m


def translated(module: Module) -> str:
    return driver.Compilation(module).translated()


def test_split_declares_the_shared_code_hidden():
    text, pieces = support.split(translated(product()))
    assert [p.name for p in pieces] == ["threads", "gemm_f32"]
    threads, gemm_f32 = pieces
    assert set(threads.entries) == {"__nxc_threads_for", "__nxc_run_jobs"}
    assert threads.exports == (NUM_THREADS_SYMBOL,)
    assert gemm_f32.entries == ("__nxc_gemm_f32",)
    assert "declare hidden void @__nxc_gemm_f32(ptr, ptr, i64" in text
    assert "declare hidden void @__nxc_run_jobs(ptr, ptr, i64, i64, i64)" in gemm_f32.text
    assert "@__nxc_pool_worker" not in text
    # link() pastes the same pieces into one module instead.
    whole = support.link(translated(product()))
    assert "define internal void @__nxc_run_jobs(" in whole and "declare hidden" not in whole


def test_the_dispatchers_stay_in_the_module():
    text, pieces = support.split(translated(scaled()))
    assert [p.name for p in pieces] == ["threads"]
    assert "define internal ptr @__nxc_thunk_0(ptr %job)" in text
    assert "declare hidden void @__nxc_run_jobs(ptr, ptr, i64, i64, i64)" in text
    assert pieces[0].text.startswith(threads_ir.THREADS_IR)


def test_a_module_without_support_calls_has_no_pieces():
    m = Module(name="tiny")
    b = Builder()
    fn = b.function(m, "f", [TensorType(T.f32, (3,))])
    with b.at(fn.body):
        b.terminate("return", [b.op("add", fn.params[0], 1.0)])
    text = translated(m)
    assert support.split(text) == (text, [])


def test_emit_stages_stay_self_contained():
    text = compile_module(scaled(), emit="llvm", opt_level=0)
    assert "define internal void @__nxc_run_jobs(" in text and "declare hidden" not in text
    assert "__nxc_pool_worker:" in compile_module(scaled(), emit="asm")


def _store(tmp_path):
    return sorted(os.listdir(tmp_path / "support"))


def test_cache_hit_compiles_nothing(tmp_path, monkeypatch):
    text, pieces = support.split(translated(scaled()))
    target = llvm.host_target()
    first = support_objects.objects(pieces, target, 2, cache_dir=str(tmp_path), fingerprint="a")
    assert len(first) == 1 and first[0][:4] == b"\x7fELF"
    assert [f.split("-")[0] for f in _store(tmp_path)] == ["threads"]
    monkeypatch.setattr(support_objects, "compile_piece",
                        lambda *a: pytest.fail("compiled again"))
    again = support_objects.objects(pieces, target, 2, cache_dir=str(tmp_path),
                                    fingerprint="a")
    assert again == first


def test_through_the_driver_the_cache_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("NXC_CACHE_DIR", str(tmp_path / "cache"))
    compile_module(scaled(), out_dir=str(tmp_path / "first_nxc"))
    stored = _store(tmp_path / "cache")
    assert len(stored) == 1
    monkeypatch.setattr(support_objects, "compile_piece",
                        lambda *a: pytest.fail("compiled again"))
    art = load(compile_module(scaled("other"), out_dir=str(tmp_path / "second_nxc")))
    np.testing.assert_array_equal(np.asarray(art.triple(np.arange(5, dtype=np.float32))),
                                  [0.0, 3.0, 6.0, 9.0, 12.0])
    assert _store(tmp_path / "cache") == stored


def test_stale_fingerprint_or_target_is_not_used(tmp_path):
    _, pieces = support.split(translated(scaled()))
    host = llvm.host_target()
    support_objects.objects(pieces, host, 2, cache_dir=str(tmp_path), fingerprint="old")
    support_objects.objects(pieces, host, 2, cache_dir=str(tmp_path), fingerprint="new")
    assert len(_store(tmp_path)) == 2
    support_objects.objects(pieces, host, 1, cache_dir=str(tmp_path), fingerprint="new")
    baseline = llvm.host_target(cpu="x86-64", features="") if host.triple.startswith(
        "x86_64") else host
    support_objects.objects(pieces, baseline, 2, cache_dir=str(tmp_path), fingerprint="new")
    assert len(_store(tmp_path)) == (4 if baseline != host else 3)
    keys = {support_objects.key(pieces[0], host, 2, fp) for fp in ("old", "new")}
    assert len(keys) == 2


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_damaged_entry_is_compiled_again(tmp_path, damage):
    _, pieces = support.split(translated(scaled()))
    target = llvm.host_target()
    good = support_objects.objects(pieces, target, 2, cache_dir=str(tmp_path),
                                   fingerprint="f")[0]
    (name,) = _store(tmp_path)
    path = tmp_path / "support" / name
    data = path.read_bytes()
    damaged = {"truncate": data[:len(data) // 2],
               "flip": data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:],
               "garbage": b"not an object at all",
               "empty": b""}[damage]
    path.write_bytes(damaged)
    assert support_objects.read(str(path)) is None
    again = support_objects.objects(pieces, target, 2, cache_dir=str(tmp_path),
                                    fingerprint="f")[0]
    assert again == good
    assert support_objects.read(str(path)) == good  # rewritten whole


def test_concurrent_writers_leave_one_whole_file(tmp_path):
    path = str(tmp_path / "support" / "piece.o")
    obj = os.urandom(1 << 16)
    seen, stop = [], threading.Event()

    def reader():
        while not stop.is_set():
            seen.append(support_objects.read(path))

    def writer():
        for _ in range(20):
            assert support_objects.write(path, obj)
    r = threading.Thread(target=reader)
    r.start()
    writers = [threading.Thread(target=writer) for _ in range(6)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    stop.set()
    r.join()
    assert support_objects.read(path) == obj
    assert os.listdir(tmp_path / "support") == ["piece.o"]  # no temporary files left
    assert all(s is None or s == obj for s in seen)  # never a part of a file


def test_unwritable_cache_only_costs_the_compile(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory would be")
    _, pieces = support.split(translated(scaled()))
    (obj,) = support_objects.objects(pieces, llvm.host_target(), 2, cache_dir=str(blocker),
                                     fingerprint="f")
    assert obj[:4] == b"\x7fELF"
    assert not support_objects.write(str(blocker / "support" / "x.o"), obj)


def test_artifact_is_self_contained_and_exports_its_abi_only(tmp_path, monkeypatch):
    monkeypatch.setenv("NXC_CACHE_DIR", str(tmp_path / "cache"))
    out = compile_module(product("selfcontained"), out_dir=str(tmp_path / "mm_nxc"))
    shutil.rmtree(tmp_path / "cache")
    art = load(out)
    a = np.arange(64 * 64, dtype=np.float32).reshape(64, 64) / 4096
    np.testing.assert_allclose(np.asarray(art.mm(a, a.T)),
                               a.astype(np.float64) @ a.T.astype(np.float64), rtol=1e-5)
    lib = ctypes.CDLL(os.path.join(out, "libmm_nxc.so"))
    assert ctypes.c_int32.in_dll(lib, NUM_THREADS_SYMBOL) is not None
    for hidden in ("__nxc_run_jobs", "__nxc_threads_for", "__nxc_gemm_f32",
                   "__nxc_pool_worker"):
        with pytest.raises(AttributeError):
            getattr(lib, hidden)


def test_two_libraries_keep_their_own_support(tmp_path, monkeypatch):
    """Each library holds its own copy of the thread support (hidden symbols,
    a thread count of its own), also when loaded into the global namespace."""
    monkeypatch.setenv("NXC_CACHE_DIR", str(tmp_path / "cache"))
    paths = [compile_module(scaled(f"s{i}"), out_dir=str(tmp_path / f"s{i}_nxc"))
             for i in range(2)]
    libs = [ctypes.CDLL(os.path.join(p, f"libs{i}_nxc.so"), mode=ctypes.RTLD_GLOBAL)
            for i, p in enumerate(paths)]
    counts = [ctypes.c_int32.in_dll(lib, NUM_THREADS_SYMBOL) for lib in libs]
    assert ctypes.addressof(counts[0]) != ctypes.addressof(counts[1])
    for i, p in enumerate(paths):
        x = np.arange(1000, dtype=np.float32)
        np.testing.assert_array_equal(np.asarray(getattr(load(p), "triple")(x)), x * 3)


# -- linking -------------------------------------------------------------------

HALF = """
define i16 @to_half(double %x) {
  %h = fptrunc double %x to half
  %b = bitcast half %h to i16
  ret i16 %b
}
"""


def _half_object():
    target = llvm.host_target()
    return llvm.emit_object(llvm.optimize(HALF, target, 2, exports=["to_half"]), target, 2)


@pytest.mark.skipif(not llvm.host_target().triple.startswith("x86_64"),
                    reason="the f64 -> f16 helper call is x86-64's lowering")
def test_a_compiler_runtime_helper_links_through_the_driver(tmp_path):
    obj = _half_object()
    assert b"__truncdfhf2" in obj  # libgcc's or compiler-rt's, not in libc
    out = link.link_shared(obj, str(tmp_path / "half.so"))
    fn = ctypes.CDLL(out).to_half
    fn.restype, fn.argtypes = ctypes.c_uint16, [ctypes.c_double]
    for x in (1.0, 0.1, -65504.0, 1e-8, 3.14159):
        assert fn(x) == struct.unpack("<H", np.float16(x).tobytes())[0]


@pytest.mark.skipif(shutil.which("ld") is None, reason="needs a system ld")
def test_a_bare_ld_names_what_to_install(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(shutil.which("ld"), bin_dir / "ld")
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.delenv("NXC_CC", raising=False)
    assert link.direct_linker() == str(bin_dir / "ld")
    with pytest.raises(CompileError, match=r"(?s)linking half.so failed .*__truncdfhf2.*"
                                           r"install a C compiler"):
        link.link_shared(_half_object(), str(tmp_path / "half.so"))


def test_the_direct_linker_is_tried_first_unless_nxc_cc_is_set(monkeypatch):
    monkeypatch.delenv("NXC_CC", raising=False)
    if link.direct_linker() is not None:
        assert os.path.basename(link.direct_linker()) in link.LINKERS
    monkeypatch.setenv("NXC_CC", "cc")
    assert link.direct_linker() is None
