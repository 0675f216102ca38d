"""The artifact package: its files, importing it, using it without the compiler,
from C, and what happens when it is damaged or built for another CPU."""
import ast
import importlib
import json
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from nxc.compiler.codegen import compile_module
from nxc.compiler.codegen.llvm import host_target
from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir.builder import Builder
from nxc.compiler.ir.core import Loc, Module
from nxc.compiler.ir.types import Dim, TensorType
from nxc.runtime import host, load
from nxc.runtime.errors import ArtifactError, TargetError

ROWS = TensorType(T.f32, (Dim("n"), 4), ("batch", None))


def model() -> Module:
    m = Module(name="model")
    b = Builder(loc=Loc("model.py", 3, 1))
    fn = b.function(m, "softmax", [ROWS], hints=["x"], doc="Softmax over the last axis.")
    with b.at(fn.body):
        (x,) = fn.params
        with b.located(Loc("model.py", 5, 9)):
            top = b.op("reduce_max", x, axes=(1,), keep_axes=True)
        e = b.op("exp", b.op("subtract", x, top))
        s = b.op("sum", e, axes=(1,), keep_axes=True)
        b.terminate("return", [b.op("divide", e, s)])
    fn = b.function(m, "moments", [TensorType(T.f64, (Dim("k"),))], hints=["v"],
                    doc=MOMENTS_DOC)
    with b.at(fn.body):
        (v,) = fn.params
        b.terminate("return", [b.op("sum", v), b.op("mean", b.op("multiply", v, v))])
    return m


MOMENTS_DOC = 'Sum and mean square.\n\nA """quoted""" word and a \\ stay as written.'


def softmax(x):
    x = x.astype(np.float64)
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


X = np.array([[1.0, 2.0, 3.0, 4.0], [0.5, -1.0, 0.0, 8.0], [0.0, 0.0, 0.0, 0.0]], np.float32)


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    out = tmp_path_factory.mktemp("build") / "model_nxc"
    return compile_module(model(), out_dir=str(out))


@pytest.fixture
def copy(package, tmp_path):
    """A private copy of the package, to damage."""
    dest = tmp_path / "model_nxc"
    shutil.copytree(package, dest)
    return str(dest)


def test_package_files(package):
    names = sorted(os.listdir(package))
    assert names == ["__init__.py", "__init__.pyi", "libmodel_nxc.so", "manifest.json",
                     "model_nxc.h"]
    manifest = json.load(open(os.path.join(package, "manifest.json")))
    assert manifest["format"] == "nxc-artifact" and manifest["format_version"] == 1
    assert manifest["target"]["triple"] == host_target().triple
    (softmax_entry, moments) = manifest["functions"]
    assert softmax_entry["symbol"] == "model_softmax"
    assert softmax_entry["doc"] == "Softmax over the last axis."
    assert softmax_entry["params"] == [{"name": "x", "dtype": "f32", "shape": ["n", 4],
                                        "names": ["batch", None]}]
    assert softmax_entry["dims"] == ["n"]
    assert [r["dtype"] for r in moments["results"]] == ["f64", "f64"]
    stub = open(os.path.join(package, "__init__.pyi")).read()
    docs = {f.name: ast.get_docstring(f) for f in ast.parse(stub).body
            if isinstance(f, ast.FunctionDef)}
    assert docs["moments"].startswith(MOMENTS_DOC + "\n\nv: f64[?k]\nreturns: f64, f64")
    assert "def softmax(x: ArrayLike) -> Tensor:" in stub
    assert "def moments(v: ArrayLike) -> tuple[Tensor, Tensor]:" in stub
    assert "x: f32[batch: ?n][4]" in stub
    header = open(os.path.join(package, "model_nxc.h")).read()
    assert "/* moments: Sum and mean square." in header
    assert "int32_t model_softmax(const float *x, float *result0, int64_t n);" in header
    assert "int32_t model_moments(const double *v, double *result0, double *result1, " \
           "int64_t k);" in header


def test_import_the_package(package, monkeypatch):
    monkeypatch.syspath_prepend(os.path.dirname(package))
    sys.modules.pop("model_nxc", None)
    mod = importlib.import_module("model_nxc")
    try:
        np.testing.assert_allclose(np.asarray(mod.softmax(X)), softmax(X), rtol=1e-6)
        total, mean_square = mod.moments(np.array([1.0, 2.0, 4.0]))
        assert float(np.asarray(total)) == 7.0
        assert float(np.asarray(mean_square)) == 7.0
        assert mod.__all__ == ["moments", "softmax"]
        assert "Softmax over the last axis." in mod.softmax.__doc__
    finally:
        sys.modules.pop("model_nxc", None)


BLOCKER = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("mlir", "llvmlite"):
            raise ImportError(f"{name} is blocked in this test")
sys.meta_path.insert(0, Block())
"""


def test_artifact_runs_without_mlir_and_llvmlite(package):
    script = BLOCKER + textwrap.dedent(f"""
        sys.path.insert(0, {os.path.dirname(package)!r})
        import numpy as np
        import model_nxc
        out = model_nxc.softmax(np.array([[0.0, 0.0, 0.0, 0.0]], np.float32))
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("mlir", "llvmlite"))
        print(type(out).__name__, np.asarray(out).tolist(), loaded)
        try:
            import llvmlite
        except ImportError as e:
            print("blocked:", e)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["Tensor [[0.25, 0.25, 0.25, 0.25]] []",
                                        "blocked: llvmlite is blocked in this test"]


def test_c_program_calls_the_library(package, tmp_path):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler (cc or gcc) on PATH to build the C caller")
    source = tmp_path / "main.c"
    source.write_text(textwrap.dedent("""
        #include <stdio.h>
        #include "model_nxc.h"
        int main(void) {
            float x[2][4] = {{1, 2, 3, 4}, {0, 0, 0, 0}};
            float y[2][4];
            double v[3] = {1, 2, 4}, total, mean_square;
            if (model_softmax(&x[0][0], &y[0][0], 2) != NXC_OK) return 1;
            for (int i = 0; i < 2; i++)
                printf("%.6f %.6f %.6f %.6f\\n", y[i][0], y[i][1], y[i][2], y[i][3]);
            if (model_moments(v, &total, &mean_square, 3) != NXC_OK) return 1;
            printf("%g %g\\n", total, mean_square);
            printf("%d\\n", model_softmax(&x[0][0], &y[0][0], -1) == NXC_BAD_SIZE);
            return 0;
        }
    """))
    exe = tmp_path / "main"
    subprocess.run([cc, str(source), "-I", package, "-L", package, "-lmodel_nxc",
                    f"-Wl,-rpath,{package}", "-o", str(exe)], check=True)
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    want = softmax(np.array([[1, 2, 3, 4], [0, 0, 0, 0]], np.float32))
    for line, row in zip(lines[:2], want):
        np.testing.assert_allclose([float(v) for v in line.split()], row, atol=2e-6)
    assert lines[2:] == ["7 7", "1"]


def test_missing_manifest(copy):
    os.remove(os.path.join(copy, "manifest.json"))
    with pytest.raises(ArtifactError, match=r"model_nxc/manifest.json: the artifact has no "
                                            r"manifest"):
        load(copy)


@pytest.mark.parametrize("damage", ["truncate", "flip", "delete"])
def test_damaged_library(copy, damage):
    lib = os.path.join(copy, "libmodel_nxc.so")
    data = open(lib, "rb").read()
    if damage == "truncate":
        open(lib, "wb").write(data[: len(data) // 2])
    elif damage == "flip":
        open(lib, "wb").write(data[:4000] + bytes([data[4000] ^ 0xFF]) + data[4001:])
    else:
        os.remove(lib)
    what = "is missing" if damage == "delete" else "is truncated or modified"
    with pytest.raises(ArtifactError, match=f"libmodel_nxc.so: the native library {what}"):
        load(copy)


def edit_manifest(path, change):
    p = os.path.join(path, "manifest.json")
    data = json.load(open(p))
    change(data)
    json.dump(data, open(p, "w"))


def test_edited_signature_is_caught(copy):
    # A larger static size would make the runtime allocate and pass buffers the
    # code does not expect; the ABI hash embedded in the library catches it.
    def change(data):
        data["functions"][0]["params"][0]["shape"] = ["n", 40]
        data["functions"][0]["results"][0]["shape"] = ["n", 40]
    edit_manifest(copy, change)
    with pytest.raises(ArtifactError, match=r"manifest.json: the manifest does not describe "
                                            r".*libmodel_nxc.so"):
        load(copy)


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(format_version=99), "artifact format version 99 is not supported"),
    (lambda d: d.pop("functions"), r"the manifest is invalid \(manifest lacks 'functions'\)"),
    (lambda d: d["functions"][0]["params"][0].update(dtype="f33"),
     r"functions\[0\].params\[0\].dtype 'f33' is not an Nx type"),
    (lambda d: d.update(library="../elsewhere.so"), "must be a file name"),
])
def test_invalid_manifest(copy, change, message):
    edit_manifest(copy, change)
    with pytest.raises(ArtifactError, match=message):
        load(copy)


def test_unreadable_manifest(copy):
    open(os.path.join(copy, "manifest.json"), "w").write('{"format": "nxc-art')
    with pytest.raises(ArtifactError, match="the manifest cannot be read"):
        load(copy)


def test_built_for_cpu_features_the_host_lacks(tmp_path):
    flags = host.host_flags()
    if flags is None:
        pytest.skip("the host's CPU features are not readable (/proc/cpuinfo)")
    lacking = [f for f in ("avx512f", "avx512bw", "amx-tile", "avx2", "fma", "sse4.2")
               if host.missing_features([f], flags)]
    if not lacking:
        pytest.skip("this CPU has every feature the test could require")
    target = host_target()
    if not target.triple.startswith("x86_64"):
        pytest.skip("the feature names are x86 ones")
    m = Module(name="wide")
    b = Builder()
    fn = b.function(m, "f", [TensorType(T.f32, (4,))])
    with b.at(fn.body):
        b.terminate("return", [b.op("negate", fn.params[0])])
    path = compile_module(m, out_dir=str(tmp_path / "wide_nxc"), cpu=target.cpu,
                          features=f"{target.features},+{lacking[0]}")
    with pytest.raises(TargetError, match=f"with features this CPU lacks: {lacking[0]}"):
        load(path)


def test_feature_names_map_to_cpuinfo_flags():
    flags = frozenset({"sse4_1", "sse4_2", "avx2", "bmi1", "pni", "abm"})
    assert host.missing_features(["sse4.1", "sse4.2", "avx2", "bmi", "sse3", "lzcnt",
                                  "64bit", "fast-variable-perlane-shuffle"], flags) == []
    assert host.missing_features(["avx512f", "avx2"], flags) == ["avx512f"]


def test_built_for_another_architecture(copy):
    edit_manifest(copy, lambda d: d["target"].update(triple="aarch64-unknown-linux-gnu"))
    if host.host_arch() == "aarch64":
        pytest.skip("the host is aarch64")
    with pytest.raises(TargetError, match="built for aarch64-unknown-linux-gnu"):
        load(copy)
