"""The hand-written kernel that test_cuda.py launches: its PTX is what llvmlite
makes of data/scale.ll, and ptxas accepts it for sm_90."""
import pathlib
import shutil
import subprocess

import pytest

DATA = pathlib.Path(__file__).parent / "data"


def emit_ptx(ll_text: str) -> str:
    llvm = pytest.importorskip("llvmlite.binding", reason="llvmlite is not installed")
    llvm.initialize_all_targets()
    llvm.initialize_all_asmprinters()
    module = llvm.parse_assembly(ll_text)
    module.verify()
    machine = llvm.Target.from_triple("nvptx64-nvidia-cuda").create_target_machine(
        cpu="sm_80", features="+ptx72", opt=2)
    return machine.emit_assembly(module)


def test_stored_ptx_is_current():
    ptx = emit_ptx((DATA / "scale.ll").read_text())
    assert ".visible .entry scale(" in ptx and ".target sm_80" in ptx
    assert ptx == (DATA / "scale.ptx").read_text(), "regenerate data/scale.ptx from scale.ll"


@pytest.mark.skipif(shutil.which("ptxas") is None, reason="ptxas (CUDA toolkit) not found")
def test_ptxas_accepts_the_kernel(tmp_path):
    out = tmp_path / "scale.cubin"
    subprocess.run(["ptxas", "-arch=sm_90", str(DATA / "scale.ptx"), "-o", str(out)],
                   check=True, capture_output=True)
    assert out.read_bytes()[:4] == b"\x7fELF"
