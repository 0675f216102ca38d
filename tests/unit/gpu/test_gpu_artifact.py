"""GPU artifacts without a GPU: their files and manifest, the host library's
contract with the runtime (the driver table, no driver calls at load time, an
empty table reads as an error and never as a crash), the choice of reduction
scheme, and the errors of bad targets and missing tools."""
import ctypes
import hashlib
import json
import os
import re
import shutil
import subprocess

import numpy as np
import pytest

from nxc.compiler.codegen.gpu import compile_gpu_module, targets
from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir.builder import Builder
from nxc.compiler.ir.core import Module
from nxc.compiler.ir.types import Dim, TensorType
from nxc.runtime import manifest as runtime_manifest
from nxc.runtime.errors import CompileError
from nxc.runtime.gpu import api_table

ROWS = TensorType(T.f32, (Dim("n"), 8))


def softmax_module() -> Module:
    m = Module(name="model")
    b = Builder()
    fn = b.function(m, "softmax", [ROWS], hints=["x"])
    with b.at(fn.body):
        (x,) = fn.params
        e = b.op("exp", b.op("subtract", x, b.op("reduce_max", x, axes=(1,), keep_axes=True)))
        b.terminate("return", [b.op("divide", e, b.op("sum", e, axes=(1,), keep_axes=True))])
    return m


def one_op(op, types, name="m", **attrs) -> Module:
    m = Module(name=name)
    b = Builder()
    fn = b.function(m, "f", list(types))
    with b.at(fn.body):
        b.terminate("return", [b.op(op, *fn.params, **attrs)])
    return m


@pytest.fixture(scope="module")
def artifact(tmp_path_factory):
    out = tmp_path_factory.mktemp("gpu") / "model_nxc"
    return compile_gpu_module(softmax_module(), target="cuda", arch="sm_80,sm_90",
                              out_dir=str(out))


def test_manifest_lists_the_archs_and_images(artifact):
    data = json.load(open(os.path.join(artifact, "manifest.json")))
    target = data["target"]
    assert target["kind"] == "cuda" and target["archs"] == ["sm_80", "sm_90"]
    assert target["cpu"] == "x86-64" and target["features"] == []
    formats = {(i["arch"], i["format"]) for i in target["images"]}
    expected = {("sm_80", "ptx"), ("sm_90", "ptx")}
    if targets.find_ptxas():
        expected |= {("sm_80", "cubin"), ("sm_90", "cubin")}
    assert formats == expected
    for image in target["images"]:
        data_ = open(os.path.join(artifact, image["file"]), "rb").read()
        assert hashlib.sha256(data_).hexdigest() == image["sha256"]
        if image["format"] == "ptx":
            assert f".target {image['arch']}\n".encode() in data_
        else:
            assert data_[:4] == b"\x7fELF"
    m = runtime_manifest.read(os.path.join(artifact, "manifest.json"))
    assert m.kind == "cuda" and m.archs == ("sm_80", "sm_90")
    assert str(m.functions[0]) == "softmax(x: f32[?n][8]) -> f32[?n][8]"


def test_images_are_embedded_in_the_library(artifact):
    lib = open(os.path.join(artifact, "libmodel_nxc.so"), "rb").read()
    for name in os.listdir(os.path.join(artifact, "kernels")):
        assert open(os.path.join(artifact, "kernels", name), "rb").read() in lib


@pytest.mark.skipif(shutil.which("nm") is None, reason="nm (binutils) not found")
def test_library_imports_no_driver_and_exports_the_table(artifact):
    lib = os.path.join(artifact, "libmodel_nxc.so")
    undefined = subprocess.run(["nm", "-D", "--undefined-only", lib], capture_output=True,
                               text=True, check=True).stdout
    assert not re.search(r"\b(cu|hip|mgpu)\w+", undefined), undefined
    defined = subprocess.run(["nm", "-D", "--defined-only", lib], capture_output=True,
                             text=True, check=True).stdout.split()
    assert {api_table.TABLE_SYMBOL, api_table.STATUS_SYMBOL, "model_softmax"} <= set(defined)


def test_empty_table_is_an_error_not_a_crash(artifact):
    """Without the runtime filling the table (no GPU here) a call reports
    NOT_INITIALIZED (3) instead of calling through a null pointer; size checks
    still come first."""
    lib = ctypes.CDLL(os.path.join(artifact, "libmodel_nxc.so"))
    fn = lib.model_softmax
    fn.restype = ctypes.c_int32
    fn.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
    status = ctypes.c_int32.in_dll(lib, api_table.STATUS_SYMBOL)
    x = np.zeros((2, 8), np.float32)
    y = np.zeros((2, 8), np.float32)
    assert fn(x.ctypes.data, y.ctypes.data, -1) == 1  # NXC_BAD_SIZE
    assert status.value == 0
    assert fn(x.ctypes.data, y.ctypes.data, 2) == api_table.GPU_ERROR == 3
    assert status.value == 3  # CUDA_ERROR_NOT_INITIALIZED
    table = (ctypes.c_void_p * len(api_table.CUDA)).in_dll(lib, api_table.TABLE_SYMBOL)
    assert list(table) == [None] * len(api_table.CUDA)


def test_full_reductions_run_in_two_passes():
    vec = TensorType(T.f32, (Dim("n"),))
    full = compile_gpu_module(one_op("sum", [vec], axes=(0,), keep_axes=False),
                              target="cuda", emit="mlir")
    assert re.search(r"scf\.for .* step %c1024 iter_args", full)
    assert "memref<1024xf32>" in full
    rows = compile_gpu_module(one_op("sum", [ROWS], axes=(1,), keep_axes=False),
                              target="cuda", emit="mlir")
    assert "c1024" not in rows
    small = compile_gpu_module(one_op("sum", [TensorType(T.f32, (100,))], axes=(0,),
                                      keep_axes=False), target="cuda", emit="mlir")
    assert "c1024" not in small


def test_dot_gives_each_thread_one_result_element():
    a, b = TensorType(T.f32, (Dim("m"), 16)), TensorType(T.f32, (16, 32))
    text = compile_gpu_module(one_op("dot", [a, b], contract_axes=((1,), (0,)),
                                     batch_axes=((), ())), target="cuda", emit="mlir")
    kernel = text[text.index("gpu.func"):]
    # the launch covers m x 32 results; the contraction loops inside the thread
    assert re.search(r"scf\.for %\w+ = %c0 to %c16 step %c1", kernel)


@pytest.mark.parametrize("target, arch, message", [
    ("cuda", "sm_9", "not an NVIDIA architecture"),
    ("cuda", "gfx942", "not an NVIDIA architecture"),
    ("cuda", "sm_90,sm_90", "names an architecture twice"),
    ("rocm", "sm_90", "not an AMD GPU architecture"),
    ("tpu", None, "unknown GPU target 'tpu'"),
])
def test_bad_targets(target, arch, message):
    with pytest.raises(CompileError, match=message):
        compile_gpu_module(softmax_module(), target=target, arch=arch, emit="asm")


def test_obj_needs_one_arch():
    with pytest.raises(CompileError, match="one architecture"):
        compile_gpu_module(softmax_module(), target="cuda", arch="sm_80,sm_90", emit="obj")


def test_missing_libdevice_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(targets, "find_libdevice", lambda: None)
    m = one_op("tan", [TensorType(T.f32, (4,))])
    with pytest.raises(CompileError, match="nvidia-cuda-nvcc") as info:
        compile_gpu_module(m, target="cuda", emit="asm")
    assert "__nv_tanf" in str(info.value)
    # ops that need no math library still compile
    assert ".entry" in compile_gpu_module(one_op("add", [TensorType(T.f32, (4,))] * 2),
                                          target="cuda", emit="asm")


def test_control_flow_on_a_tensor_reads_the_predicate_back(tmp_path):
    """cond/while on tensor values: a one-thread kernel stores the predicate in
    a one-element device buffer, the host reads it back and branches; the
    branches' work stays in kernels."""
    from nxc.compiler.frontend.driver import compile_file
    path = tmp_path / "model.py"
    path.write_text("import nxc as nx\n\n@nx.defn\ndef f(x: nx.f32[4]):\n"
                    "    if nx.sum(x) > 0:\n        return x * 2.0\n    return -x\n")
    text = compile_gpu_module(compile_file(str(path)), target="cuda", emit="mlir")
    host = text[text.index("func.func private @__nxc_impl_f("):text.index("gpu.module")]
    read = re.search(r"(%\w+) = call @__nxc_gpu_read_i8\((%\w+)\) : \(memref<i8>\) -> i8", host)
    assert read, host
    assert re.search(rf"(%\w+) = arith.trunci {read.group(1)} : i8 to i1", host)
    branch = host[host.index("scf.if"):]
    assert "gpu.launch_func" in branch  # the taken branch's work is a kernel
    # the constant 2.0 is read by the kernel from a global in the kernel module
    kernels = text[text.index("gpu.module"):]
    assert "memref.global" in kernels or "2.000000e+00" in kernels
