"""GPU targets: the architectures one artifact holds kernels for, and the tools
each one needs (libdevice, ptxas, ld.lld), looked up where they are usually
installed.

`--target cuda --arch sm_80,sm_90` names NVIDIA architectures `sm_<major><minor>`;
`--target rocm --arch gfx942` names AMD ones `gfx<id>`. Without `--arch` a
target gets DEFAULT_ARCH.
"""
from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass

from nxc.runtime.errors import CompileError

KINDS = ("cuda", "rocm")
DEFAULT_ARCH = {"cuda": "sm_90", "rocm": "gfx942"}
TRIPLE = {"cuda": "nvptx64-nvidia-cuda", "rocm": "amdgcn-amd-amdhsa"}

_SM = re.compile(r"sm_(\d)(\d+)$")
_GFX = re.compile(r"gfx[0-9a-f]{3,4}$")

# The PTX ISA version that LLVM's NVPTX back end must emit for an architecture
# (sm_90 needs PTX 8.0; the newest architectures need newer ISAs). The driver
# that runs the PTX must be at least as new as the ISA (CUDA 12.0 for 8.0).
PTX_ISA = ((120, "+ptx87"), (100, "+ptx86"), (0, "+ptx80"))


@dataclass(frozen=True)
class GpuTarget:
    kind: str  # "cuda" or "rocm"
    archs: tuple  # ("sm_80", "sm_90") or ("gfx942",)

    @property
    def triple(self) -> str:
        return TRIPLE[self.kind]


def sm_number(arch: str) -> int:
    """90 for sm_90."""
    m = _SM.match(arch)
    return int(m.group(1) + m.group(2))


def ptx_features(arch: str) -> str:
    n = sm_number(arch)
    return next(features for minimum, features in PTX_ISA if n >= minimum)


def parse(kind: str, archs: str | None) -> GpuTarget:
    """The target of `--target kind --arch archs` (a comma-separated list or None)."""
    if kind not in KINDS:
        raise CompileError(f"unknown GPU target {kind!r}; expected one of {', '.join(KINDS)}")
    names = [a.strip() for a in (archs or DEFAULT_ARCH[kind]).split(",") if a.strip()]
    if not names:
        raise CompileError(f"--arch names no architecture; give one like {DEFAULT_ARCH[kind]}")
    for a in names:
        if kind == "cuda" and not (_SM.match(a) and sm_number(a) >= 50):
            raise CompileError(f"{a!r} is not an NVIDIA architecture; expected sm_<major><minor> "
                               f"such as sm_80 or sm_90 (sm_50 or newer)")
        if kind == "rocm" and not _GFX.match(a):
            raise CompileError(f"{a!r} is not an AMD GPU architecture; expected gfx<id> such "
                               f"as gfx90a or gfx942")
    if len(set(names)) != len(names):
        raise CompileError(f"--arch names an architecture twice: {','.join(names)}")
    return GpuTarget(kind, tuple(names))


# ---------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------

def _cuda_roots():
    roots = [os.environ.get(v) for v in ("CUDA_HOME", "CUDA_PATH")]
    roots += sorted(glob.glob("/usr/local/cuda*"), reverse=True) + ["/usr/lib/cuda", "/opt/cuda"]
    try:  # the pip package nvidia-cuda-nvcc(-cu12) puts a toolkit tree in site-packages
        import nvidia.cuda_nvcc  # type: ignore
        roots += list(nvidia.cuda_nvcc.__path__)
    except ImportError:
        pass
    return [r for r in roots if r]


def find_libdevice() -> str | None:
    """Path of libdevice.10.bc (NVIDIA's math library as LLVM bitcode), or None."""
    override = os.environ.get("NXC_LIBDEVICE")
    if override:
        return override if os.path.isfile(override) else None
    for root in _cuda_roots():
        path = os.path.join(root, "nvvm", "libdevice", "libdevice.10.bc")
        if os.path.isfile(path):
            return path
    return None


LIBDEVICE_HINT = ("math functions on the GPU call NVIDIA's libdevice, which was not found: "
                  "install the CUDA toolkit (and set CUDA_HOME), `pip install "
                  "nvidia-cuda-nvcc-cu12`, or set NXC_LIBDEVICE to libdevice.10.bc")


def find_ptxas() -> str | None:
    """The ptxas executable (PTX -> cubin), or None: artifacts then carry PTX only,
    which the driver compiles when the module is loaded."""
    override = os.environ.get("NXC_PTXAS")
    if override:
        return shutil.which(override)
    found = shutil.which("ptxas")
    if found:
        return found
    for root in _cuda_roots():
        path = os.path.join(root, "bin", "ptxas")
        if os.access(path, os.X_OK):
            return path
    return None


def find_ld_lld() -> list | None:
    """The command that runs LLVM's ELF linker (ld.lld), which turns an AMDGPU
    object into a loadable code object; None when there is none."""
    override = os.environ.get("NXC_LD_LLD")
    if override:
        path = shutil.which(override)
        return [path] if path else None
    for name in ("ld.lld", "ld.lld-22", "ld.lld-21", "ld.lld-20", "ld.lld-19", "ld.lld-18"):
        path = shutil.which(name)
        if path:
            return [path]
    for rocm in (os.environ.get("ROCM_PATH"), "/opt/rocm"):
        if rocm:
            path = os.path.join(rocm, "llvm", "bin", "ld.lld")
            if os.access(path, os.X_OK):
                return [path]
    try:  # the ziglang wheel ships a working ld.lld
        import ziglang  # type: ignore  # noqa: F401
        return [sys.executable, "-m", "ziglang", "ld.lld"]
    except ImportError:
        return None


LLD_HINT = ("an AMDGPU code object is linked by LLVM's ld.lld, which was not found: "
            "install lld (`apt-get install lld`), ROCm (/opt/rocm/llvm/bin/ld.lld) or "
            "`pip install ziglang`, or set NXC_LD_LLD to it")


def run_tool(cmd: list, what: str) -> subprocess.CompletedProcess:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as e:
        raise CompileError(f"could not run {what} ({cmd[0]}): {e}") from None
    if proc.returncode != 0:
        raise CompileError(f"{what} failed ({' '.join(cmd)}):\n{(proc.stderr or proc.stdout).strip()}")
    return proc
