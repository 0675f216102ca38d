"""Kernel LLVM IR -> PTX and cubin (cuda), AMDGCN object and code object (rocm).

CUDA: math functions become calls of libdevice's `__nv_*` functions (MLIR's
NVVM lowering emits most; the C math library names the CPU lowerings call,
`expm1f`, `erf`..., are renamed to theirs); libdevice.10.bc is linked in when
any is called, every function but the kernels made internal, and LLVM's
pipeline (which runs NVVMReflect for libdevice) optimizes the module for each
architecture before the NVPTX back end prints PTX. `ptxas -arch=sm_XX`, when
found, assembles each PTX into a cubin; without it the artifact carries PTX
only and the driver compiles it when the module is loaded.

ROCm: the AMDGPU back end writes a relocatable ELF object for the chip;
`ld.lld -shared` links it into the code object `hipModuleLoadData` loads.
"""
from __future__ import annotations

import functools
import os
import re
import tempfile

import llvmlite.binding as llvm

from nxc.runtime.errors import CompileError

from ..llvm import parse as parse_ir
from . import elf, targets


@functools.cache
def _init():
    llvm.initialize_all_targets()
    llvm.initialize_all_asmprinters()


def _machine(triple: str, arch: str, features: str, opt_level: int):
    try:
        t = llvm.Target.from_triple(triple)
    except RuntimeError as e:
        raise CompileError(f"this LLVM cannot target {triple}: {e}") from None
    return t.create_target_machine(cpu=arch, features=features, opt=opt_level,
                                   reloc="pic", codemodel="default")


_DECLARE = re.compile(r"^declare [^@]*@([A-Za-z_][\w.]*)\(", re.M)
_DECLARE_LINE = re.compile(r"^declare [^@]*@([A-Za-z_][\w.]*)\(.*$\n?", re.M)


def _math_renames(ir_text: str) -> str:
    """Calls of C math functions (from the CPU lowerings) -> libdevice's `__nv_` names."""
    for name in sorted(set(_DECLARE.findall(ir_text))):
        if not name.startswith(("llvm.", "__nv_")):
            # The NVVM lowering calls external functions through their C
            # interface name; with scalar arguments it is the function itself.
            base = name.removeprefix("_mlir_ciface_")
            ir_text = re.sub(rf"@{re.escape(name)}\(", f"@__nv_{base}(", ir_text)
    seen = set()

    def first_only(m):  # f and its C interface name both became __nv_f
        if m.group(1) in seen:
            return ""
        seen.add(m.group(1))
        return m.group(0)
    return _DECLARE_LINE.sub(first_only, ir_text)


@functools.cache
def _libdevice_bitcode(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _internalize(mod, kernels):
    keep = set(kernels)
    for g in list(mod.functions) + list(mod.global_variables):
        if not g.is_declaration and g.name not in keep:
            g.linkage = "internal"


def _optimize(mod, tm, opt_level):
    if opt_level > 0:
        pto = llvm.create_pipeline_tuning_options(speed_level=opt_level)
        pb = llvm.create_pass_builder(tm, pto)
        pb.getModulePassManager().run(mod, pb)


def nvptx_module(ir_text: str, arch: str, kernels, opt_level: int = 2):
    """The optimized kernel module for `arch`, libdevice linked in when needed."""
    _init()
    ir_text = _math_renames(ir_text)
    mod = parse_ir(ir_text, "kernel LLVM IR")
    needed = sorted(f.name for f in mod.functions
                    if f.is_declaration and f.name.startswith("__nv_"))
    if needed:
        path = targets.find_libdevice()
        if path is None:
            raise CompileError(f"{targets.LIBDEVICE_HINT} (the kernels call "
                               f"{', '.join(needed[:4])}{'...' if len(needed) > 4 else ''})")
        lib = llvm.parse_bitcode(_libdevice_bitcode(path))
        lib.triple = targets.TRIPLE["cuda"]
        mod.link_in(lib)
        missing = [f.name for f in mod.functions if f.is_declaration and f.name in needed]
        if missing:
            raise CompileError(f"libdevice ({path}) lacks {', '.join(missing)}, which the "
                               f"kernels call")
    mod.triple = targets.TRIPLE["cuda"]
    tm = _machine(mod.triple, arch, targets.ptx_features(arch), opt_level)
    mod.data_layout = str(tm.target_data)
    _internalize(mod, kernels)
    _optimize(mod, tm, opt_level)
    return mod, tm


def ptx(ir_text: str, arch: str, kernels, opt_level: int = 2) -> str:
    mod, tm = nvptx_module(ir_text, arch, kernels, opt_level)
    return tm.emit_assembly(mod)


def cubin(ptx_text: str, arch: str, ptxas: str, opt_level: int = 2) -> bytes:
    """`ptxas -arch=<arch>` on the PTX: a cubin for exactly that architecture."""
    with tempfile.TemporaryDirectory(prefix="nxc-ptxas-") as tmp:
        src, out = os.path.join(tmp, "kernels.ptx"), os.path.join(tmp, "kernels.cubin")
        with open(src, "w") as f:
            f.write(ptx_text)
        targets.run_tool([ptxas, f"-arch={arch}", f"-O{min(opt_level, 3)}", src, "-o", out],
                         f"ptxas (PTX -> cubin for {arch})")
        with open(out, "rb") as f:
            return f.read()


def _amdgpu_module(ir_text: str, arch: str, kernels, opt_level: int):
    _init()
    mod = parse_ir(ir_text, "kernel LLVM IR")
    calls = sorted(f.name for f in mod.functions
                   if f.is_declaration and not f.name.startswith("llvm."))
    if calls:
        raise CompileError(f"the kernels call {', '.join(calls)}, which need the ROCm device "
                           f"libraries; the rocm target does not link them yet")
    mod.triple = targets.TRIPLE["rocm"]
    tm = _machine(mod.triple, arch, "", opt_level)
    mod.data_layout = str(tm.target_data)
    _internalize(mod, kernels)
    _optimize(mod, tm, opt_level)
    return mod, tm


def amdgpu_object(ir_text: str, arch: str, kernels, opt_level: int = 2) -> bytes:
    """A relocatable AMDGPU ELF object of the kernels for `arch`."""
    mod, tm = _amdgpu_module(ir_text, arch, kernels, opt_level)
    try:
        obj = tm.emit_object(mod)
    except RuntimeError as e:
        raise CompileError(f"the AMDGPU back end failed for {arch}: {e}") from None
    built = elf.amdgpu_arch(obj)
    if arch in elf.EF_AMDGPU_MACH and built != arch:
        raise CompileError(f"the AMDGPU back end built the kernels for {built}, not {arch}")
    return obj


def amdgpu_assembly(ir_text: str, arch: str, kernels, opt_level: int = 2) -> str:
    mod, tm = _amdgpu_module(ir_text, arch, kernels, opt_level)
    try:
        return tm.emit_assembly(mod)
    except RuntimeError as e:
        raise CompileError(f"the AMDGPU back end failed for {arch}: {e}") from None


def amdgpu_code_object(obj: bytes, arch: str) -> bytes:
    """`ld.lld -shared` on the object: the code object HIP loads."""
    lld = targets.find_ld_lld()
    if lld is None:
        raise CompileError(f"{targets.LLD_HINT} (the relocatable object for {arch} was built; "
                           f"`--emit obj` writes it)")
    with tempfile.TemporaryDirectory(prefix="nxc-lld-") as tmp:
        src, out = os.path.join(tmp, "kernels.o"), os.path.join(tmp, "kernels.hsaco")
        with open(src, "wb") as f:
            f.write(obj)
        targets.run_tool([*lld, "-shared", src, "-o", out], f"ld.lld (code object for {arch})")
        with open(out, "rb") as f:
            return f.read()
