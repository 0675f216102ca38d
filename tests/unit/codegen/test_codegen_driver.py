"""compile_module's stages and options, the cache, and the backend's errors."""
import os

import numpy as np
import pytest

from nxc.compiler.codegen import compile_cached, compile_module, driver, link, pipeline
from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir.builder import Builder
from nxc.compiler.ir.core import Loc, Module
from nxc.compiler.ir.types import Dim, TensorType
from nxc.runtime import load
from nxc.runtime.errors import CompileError

VEC = TensorType(T.f32, (Dim("n"),))


def small_module(name="small") -> Module:
    m = Module(name=name)
    b = Builder(loc=Loc("model.py", 7, 12))
    fn = b.function(m, "twice", [VEC], hints=["x"])
    with b.at(fn.body):
        b.terminate("return", [b.op("multiply", fn.params[0], 2.0)])
    return m


def test_emit_mlir_carries_user_locations():
    text = compile_module(small_module(), emit="mlir")
    assert "func.func private @__nxc_impl_twice(%arg0: memref<?xf32>" in text
    assert "linalg.generic" in text
    assert 'loc("model.py":7:12)' in text


def test_emit_llvm_has_the_exported_wrapper_and_the_abi_hash():
    text = compile_module(small_module(), emit="llvm", opt_level=0)
    assert "define i32 @small_twice(ptr noalias %in0, ptr noalias %out0, i64 %dim0)" in text
    assert 'small__nxc_abi = constant [65 x i8] c"' in text
    # the implementation is internal: only the wrapper is exported
    assert "define internal void @__nxc_impl_twice" in text
    optimized = compile_module(small_module(), emit="llvm", opt_level=2)
    assert "@small_twice(ptr noalias" in optimized


def test_emit_asm_and_obj():
    asm = compile_module(small_module(), emit="asm", opt_level=0)
    assert "small_twice:" in asm
    obj = compile_module(small_module(), emit="obj")
    assert isinstance(obj, bytes) and obj[:4] == b"\x7fELF"


def test_print_after_a_stage():
    seen = []
    compile_module(small_module(), emit="llvm", print_after="loops", out=seen.append)
    assert len(seen) == 1 and "scf.for" in seen[0] and "linalg.generic" not in seen[0]
    with pytest.raises(CompileError, match="unknown pipeline stage 'nope'; the stages are "
                                           "bufferize, loops"):
        compile_module(small_module(), emit="mlir", print_after="nope")
    assert pipeline.STAGES[0] == "bufferize"


@pytest.mark.parametrize("level", [0, 3])
def test_optimization_levels_agree(tmp_path, level):
    art = load(compile_module(small_module(f"o{level}"), out_dir=str(tmp_path / f"o{level}_nxc"),
                              opt_level=level))
    np.testing.assert_array_equal(np.asarray(art.twice(np.arange(5, dtype=np.float32))),
                                  np.arange(5) * 2.0)
    with pytest.raises(CompileError, match="optimization level must be 0 to 3, got 7"):
        compile_module(small_module(), emit="llvm", opt_level=7)


def test_cache_compiles_once(tmp_path, monkeypatch):
    first = compile_cached(small_module("cached"), cache_dir=str(tmp_path))
    monkeypatch.setattr(link, "link_shared", lambda *a: pytest.fail("compiled twice"))
    assert compile_cached(small_module("cached"), cache_dir=str(tmp_path)) == first
    other = small_module("cached")
    other.functions["twice"].body.ops[0].loc = Loc("model.py", 8, 1)  # a new location
    monkeypatch.undo()
    assert compile_cached(other, cache_dir=str(tmp_path)) != first


def test_cache_dir_is_configurable(monkeypatch, tmp_path):
    monkeypatch.setenv("NXC_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert driver.default_cache_dir() == str(tmp_path / "elsewhere")
    path = compile_module(small_module("incache"))
    assert path.startswith(str(tmp_path / "elsewhere"))
    assert load(path).twice(np.ones(2, np.float32)) is not None


def test_missing_linker_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("NXC_CC", raising=False)
    with pytest.raises(CompileError, match=r"no linker found \(looked for cc, gcc, clang and "
                                           r"ld on PATH\); install a C compiler.*apt-get "
                                           r"install gcc"):
        compile_module(small_module(), out_dir=str(tmp_path / "x_nxc"))
    assert not os.path.exists(tmp_path / "x_nxc")
    monkeypatch.setenv("NXC_CC", "no-such-cc")
    with pytest.raises(CompileError, match="NXC_CC is 'no-such-cc', which is not an executable"):
        link.find_linker()


def test_package_name_must_be_importable(tmp_path):
    with pytest.raises(CompileError, match="'my-model' is not a Python identifier"):
        compile_module(small_module(), out_dir=str(tmp_path / "my-model"))


def test_result_dimension_no_parameter_binds():
    m = Module(name="bad")
    b = Builder(loc=Loc("model.py", 2, 1))
    fn = b.function(m, "f", [TensorType(T.f32, (3,))])
    with b.at(fn.body):
        b.terminate("return", [b.op("broadcast", fn.params[0], shape=(Dim("k"), 3))])
    with pytest.raises(CompileError, match=r"model.py:2:1: error: f: result 0 \(f32\[\?k\]\[3\]\) "
                                           r"has the symbolic dimension \?k, which no parameter"):
        compile_module(m, emit="mlir")


def test_empty_module():
    with pytest.raises(CompileError, match="no functions to compile"):
        compile_module(Module(name="empty"), emit="mlir")


def test_a_failure_in_mlir_names_the_users_line(monkeypatch):
    from mlir.dialects import tensor

    from nxc.compiler.codegen.lowerings import LOWERINGS
    from nxc.compiler.codegen.mlir_types import tensor_type

    def broken(em, op, x, y):  # a dynamic tensor.empty without its size: invalid MLIR
        return tensor.EmptyOp.build_generic(results=[tensor_type(op.result.type)],
                                            operands=[]).result
    monkeypatch.setitem(LOWERINGS, "multiply", broken)
    with pytest.raises(CompileError, match=r"^model.py:7:12: error: the CPU backend failed at "
                                           r"stage verify: .*dynamic"):
        compile_module(small_module(), emit="obj")
