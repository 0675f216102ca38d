"""Registry conformance of the GPU compiler, without a GPU: every op's samples,
for every dtype it accepts, compile for `cuda` (sm_90) and `ptxas -arch=sm_90`
accepts the PTX; a handful of ops compile for `rocm` into AMDGPU objects
whose ELF header and note name the architecture.

The cases of one dtype go into one module (one PTX), compiled once per run;
f32 also gets the symbolic-shape variants (axis 0 made `?n`), whose kernels
compute their launch sizes and indices from run-time sizes. Each (op, dtype)
test checks that every sample function of that op became kernels in the PTX
(`.entry __nxc_impl_<function>_kernel...`). That the kernels compute the
right values is checked on a GPU machine (tests/unit/gpu/device_run.py,
docs/gpu.md).
"""
import fcntl
import functools
import hashlib
import itertools
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

import pytest

from nxc.compiler.codegen.gpu import compile_gpu_module, elf, targets
from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir import registry
from nxc.compiler.ir.core import Module
from nxc.runtime.errors import CompileError

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "codegen"))
from op_module import one_op_module  # noqa: E402
from test_codegen_ops import cases_of  # noqa: E402

OPS = registry.all_ops()
PTXAS = targets.find_ptxas()
ARCH = "sm_90"
SYMBOLIC_DTYPES = (T.f32,)


# Ops the GPU targets reject, with the reason (the test checks the error).
UNSUPPORTED = {
    "print_value": "its hook calls back into the host, which kernels cannot do",
}


def gpu_cases(dt, variant):
    return [c for c in cases_of(dt, variant) if c[1] not in UNSUPPORTED]


@functools.cache
def module_for(dt, variant) -> Module:
    return one_op_module(f"ops_{variant}_{dt.name}", gpu_cases(dt, variant))


def has_work(fn) -> bool:
    """Some result has elements (an empty result needs no kernel)."""
    return any(0 not in t.shape for t in fn.result_types)


def compile_and_assemble(dt, variant) -> dict:
    """{"ptx", "ptxas_error"} of the module of one dtype, or {"exception"}."""
    try:
        ptx = compile_gpu_module(module_for(dt, variant), target="cuda", arch=ARCH, emit="asm")
    except Exception as e:  # reported by every test of this module
        return {"exception": f"{type(e).__name__}: {e}"}
    if PTXAS is None:
        return {"ptx": ptx, "ptxas_error": None}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "k.ptx")
        with open(path, "w") as f:
            f.write(ptx)
        proc = subprocess.run([PTXAS, f"-arch={ARCH}", path, "-o", os.devnull],
                              capture_output=True, text=True)
    error = (proc.stderr.strip() or f"exit {proc.returncode}") if proc.returncode else None
    return {"ptx": ptx, "ptxas_error": error}


@pytest.fixture(scope="session")
def ptx_of(tmp_path_factory):
    """ptx_of(dt, variant): compiled once per run, in a directory the xdist
    workers share (a lock file per module: a worker waits for the one compiling).
    The directory is named for the compiler's sources and tools, so a later run
    with another compiler never reads these results."""
    h = hashlib.sha256(f"{PTXAS}|{targets.find_libdevice()}".encode())
    for path in sorted(pathlib.Path(registry.__file__).parents[1].rglob("*.py")):
        h.update(path.read_bytes())  # all of compiler/: op samples and backends
    key = h.hexdigest()[:16]
    root = tmp_path_factory.getbasetemp().parent / f"nxc-gpu-ptx-{key}"
    root.mkdir(exist_ok=True)

    @functools.cache
    def get(dt, variant):
        done = root / f"{variant}_{dt.name}.json"
        with open(root / f"{variant}_{dt.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not done.exists():
                done.write_text(json.dumps(compile_and_assemble(dt, variant)))
            return json.loads(done.read_text())
    return get


def _op_dtypes():
    """(op, dtype) pairs, dtypes interleaved so that two xdist workers start on
    different modules."""
    names = sorted(n for n, op in OPS.items() if not op.regions and op.samples is not None)
    order = [dt for pair in itertools.zip_longest(T.ALL[0::2], T.ALL[1::2]) for dt in pair
             if dt is not None]
    return [pytest.param(name, dt, id=f"{name}-{dt}") for dt in order for name in names
            if dt in OPS[name].accepts]


@pytest.mark.parametrize("name, dt", _op_dtypes())
def test_op_compiles_to_ptx_that_ptxas_accepts(ptx_of, name, dt):
    if name in UNSUPPORTED:  # what is checked is the error that says why
        cases = [c for c in cases_of(dt, "static") if c[1] == name]
        with pytest.raises(CompileError, match=f"{name} is not supported on GPU targets"):
            compile_gpu_module(one_op_module("unsupported", cases[:1]), target="cuda", emit="asm")
        return
    if PTXAS is None:
        pytest.skip("ptxas not found (CUDA toolkit or nvidia-cuda-nvcc): PTX not assembled")
    for variant in ("static", "symbolic") if dt in SYMBOLIC_DTYPES else ("static",):
        got = ptx_of(dt, variant)
        assert "exception" not in got, f"the {variant} {dt} module: {got.get('exception')}"
        ptx, error = got["ptx"], got["ptxas_error"]
        assert error is None, f"ptxas -arch={ARCH} rejects the {variant} {dt} module: {error}"
        assert f".target {ARCH}" in ptx
        entries = set(re.findall(r"^\.visible \.entry (\w+)\(", ptx, re.M))
        for fname, op, *_ in gpu_cases(dt, variant):
            if op == name and has_work(module_for(dt, variant).functions[fname]):
                prefix = f"__nxc_impl_{fname}_kernel"
                assert any(e == prefix or e.startswith(prefix + "_") for e in entries), \
                    f"{variant} {fname}: no kernel in the PTX"


# ---------------------------------------------------------------------------
# rocm
# ---------------------------------------------------------------------------

ROCM_OPS = ("add", "multiply", "exp", "sum", "reduce_max", "dot", "transpose")


@functools.cache
def rocm_module():
    cases = [c for c in cases_of(T.f32, "static") if c[1] in ROCM_OPS]
    return one_op_module("rocm_ops", cases)


@pytest.mark.parametrize("arch", ["gfx942", "gfx90a", "gfx1100"])
def test_rocm_object_targets_the_arch(arch):
    obj = compile_gpu_module(rocm_module(), target="rocm", arch=arch, emit="obj")
    h = elf.header(obj)
    assert h["machine"] == elf.EM_AMDGPU == 224
    assert h["type"] == elf.ET_REL
    assert h["flags"] & 0xFF == elf.EF_AMDGPU_MACH[arch]
    assert f"amdgcn-amd-amdhsa--{arch}".encode() in obj
    for fname, op, *_ in cases_of(T.f32, "static"):
        if op in ROCM_OPS and has_work(rocm_module().functions[fname]):
            assert f"__nxc_impl_{fname}_kernel".encode() in obj


def test_rocm_artifact_needs_ld_lld(tmp_path, monkeypatch):
    monkeypatch.setattr(targets, "find_ld_lld", lambda: None)
    with pytest.raises(CompileError, match="ld.lld") as info:
        compile_gpu_module(rocm_module(), target="rocm", arch="gfx942",
                           out_dir=str(tmp_path / "m_nxc"))
    assert "--emit obj" in str(info.value)
    assert not (tmp_path / "m_nxc").exists()


@pytest.mark.skipif(targets.find_ld_lld() is None,
                    reason="no ld.lld (apt lld, ROCm, or the ziglang wheel of the test extras)")
def test_rocm_artifact_holds_a_code_object_for_the_arch(tmp_path):
    out = compile_gpu_module(rocm_module(), target="rocm", arch="gfx942",
                             out_dir=str(tmp_path / "m_nxc"))
    code = (tmp_path / "m_nxc" / "kernels" / "gfx942.hsaco").read_bytes()
    h = elf.header(code)
    assert (h["machine"], h["type"]) == (elf.EM_AMDGPU, elf.ET_DYN)
    assert h["flags"] & 0xFF == elf.EF_AMDGPU_MACH["gfx942"]
    assert elf.amdgpu_arch(code) == "gfx942"
    assert out == str(tmp_path / "m_nxc")

