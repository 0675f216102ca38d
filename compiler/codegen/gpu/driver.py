"""The GPU backends' entry point: IR module -> kernels (PTX/cubin or AMDGCN) and
a host library -> artifact.

`compile_gpu_module(module, target=..., emit=...)` stops after a stage:

    "mlir"  the GPU MLIR: host functions launching kernels (`gpu.launch_func`)
            and the kernels (`gpu.func`), then the kernels lowered to NVVM/ROCDL
    "llvm"  the kernels' optimized LLVM IR (first architecture)
    "asm"   PTX (cuda) or AMDGCN assembly (rocm), one section per architecture
    "obj"   the cubin (cuda, needs ptxas) or the relocatable AMDGPU object (rocm),
            for one architecture

or writes the artifact directory (docs/gpu.md).
"""
from __future__ import annotations

import functools
import hashlib
import os

from mlir import ir

from nxc.compiler.codegen import artifact, link, llvm
from nxc.compiler.codegen.driver import EMITS, _package_name, module_symbol
from nxc.compiler.codegen.emit import impl_symbol
from nxc.compiler.codegen.pipeline import diagnostic_error
from nxc.compiler.ir.core import Module
from nxc.runtime import manifest as runtime_manifest
from nxc.runtime.errors import CompileError
from nxc.runtime.gpu import api_table

from . import device, host, lowerings, pipeline, targets


class GpuCompilation:
    """One module going down the GPU pipeline; each stage computed once, on demand."""

    def __init__(self, module: Module, target: targets.GpuTarget, *, opt_level=2,
                 print_after=None, out=None):
        if not module.functions:
            raise CompileError("the module has no functions to compile")
        if opt_level not in (0, 1, 2, 3):
            raise CompileError(f"the optimization level must be 0 to 3, got {opt_level}")
        self.target = target
        self.opt_level = opt_level
        self.print_after, self.out = print_after, out
        self.context = ir.Context()
        self.mlir, self.exports = lowerings.emit_module(module, self.context)
        self.symbol = module_symbol(module)
        self.stages = {}  # stage -> MLIR text, kept when keep_mlir
        self.keep_mlir = False

    @functools.cached_property
    def lowered(self) -> pipeline.Lowered:
        with self.context:
            try:
                self.mlir.operation.verify()
            except ir.MLIRError as e:
                err = diagnostic_error(e, "verify")
                raise CompileError(err.message.replace("the CPU backend", "the GPU backend"),
                                   err.loc) from None

        def show(stage, m):
            if self.keep_mlir and stage == "kernels":
                self.stages[stage] = str(m)
            if self.keep_mlir and stage == "device":  # only the kernels changed
                kernels = [op for op in m.body.operations if op.operation.name == "gpu.module"]
                self.stages[stage] = "".join(str(op) + "\n" for op in kernels)
            if stage == self.print_after and self.out is not None:
                self.out(str(m))
        return pipeline.lower(self.mlir, self.target, show=show)

    # -- kernels -------------------------------------------------------------

    def _device_ir(self, arch):
        d = self.lowered.device
        text = d.get(None if self.target.kind == "cuda" else arch)
        if text is None:
            raise CompileError("the module launches no kernel")
        return text

    @functools.cache
    def ptx(self, arch: str) -> str:
        return device.ptx(self._device_ir(arch), arch, self.lowered.kernel_names, self.opt_level)

    @functools.cache
    def amdgpu_object(self, arch: str) -> bytes:
        return device.amdgpu_object(self._device_ir(arch), arch, self.lowered.kernel_names,
                                    self.opt_level)

    def kernel_llvm(self, arch: str) -> str:
        if self.target.kind == "cuda":
            mod, _ = device.nvptx_module(self._device_ir(arch), arch, self.lowered.kernel_names,
                                         self.opt_level)
            return str(mod)
        return self._device_ir(arch)

    def assembly(self) -> str:
        parts = []
        for arch in self.target.archs:
            if self.target.kind == "cuda":
                text = self.ptx(arch)
            else:
                text = device.amdgpu_assembly(self._device_ir(arch), arch,
                                              self.lowered.kernel_names, self.opt_level)
            parts.append(text if len(self.target.archs) == 1 else f"// ---- {arch} ----\n{text}")
        return "\n".join(parts)

    def object(self) -> bytes:
        if len(self.target.archs) != 1:
            raise CompileError(f"--emit obj writes one architecture's kernels; name one with "
                               f"--arch (got {','.join(self.target.archs)})")
        arch = self.target.archs[0]
        if self.target.kind == "rocm":
            return self.amdgpu_object(arch)
        ptxas = targets.find_ptxas()
        if ptxas is None:
            raise CompileError("--emit obj for cuda writes a cubin, which needs ptxas (from the "
                               "CUDA toolkit, or `pip install nvidia-cuda-nvcc-cu12`); "
                               "--emit asm writes the PTX")
        return device.cubin(self.ptx(arch), arch, ptxas, self.opt_level)

    def images(self) -> list:
        """(arch, format, bytes) of every kernel image the artifact carries."""
        out = []
        if self.target.kind == "cuda":
            ptxas = targets.find_ptxas()
            for arch in self.target.archs:
                ptx = self.ptx(arch)
                if ptxas is not None:
                    out.append((arch, "cubin", device.cubin(ptx, arch, ptxas, self.opt_level)))
                out.append((arch, "ptx", ptx.encode()))
        else:
            if len(self.target.archs) != 1:
                raise CompileError("a rocm artifact holds one architecture's code object; "
                                   "build one artifact per --arch")
            arch = self.target.archs[0]
            out.append((arch, "hsaco", device.amdgpu_code_object(self.amdgpu_object(arch), arch)))
        return out

    # -- host ------------------------------------------------------------------

    def write(self, out_dir: str) -> str:
        package = _package_name(out_dir)
        images = self.images()
        # The host code only sequences launches: baseline x86-64 runs on any host.
        host_target = llvm.host_target(cpu=HOST_CPU, features="")
        text = host.host_ir(self.target.kind, self.lowered.host, images, self.exports,
                            impl_symbol)
        digest = runtime_manifest.abi_hash(artifact.functions_json(self.exports))
        text += "\n" + artifact.abi_global_ir(self.symbol, digest)
        keep = [ex.symbol for ex in self.exports]
        keep += [artifact.runtime_library.abi_symbol(self.symbol), api_table.TABLE_SYMBOL,
                 api_table.STATUS_SYMBOL]
        mod = llvm.optimize(text, host_target, self.opt_level, exports=keep)
        obj = llvm.emit_object(mod, host_target, self.opt_level)
        with artifact.staged(out_dir, package) as tmp:
            lib = link.link_shared(obj, os.path.join(tmp, artifact.library_name(package)))
            os.makedirs(os.path.join(tmp, KERNEL_DIR))
            listed = []
            for arch, fmt, data in images:
                name = f"{KERNEL_DIR}/{arch}.{fmt}"
                with open(os.path.join(tmp, name), "wb") as f:
                    f.write(data)
                listed.append({"arch": arch, "format": fmt, "file": name,
                               "sha256": hashlib.sha256(data).hexdigest()})
            gpu = {"kind": self.target.kind, "archs": list(self.target.archs), "images": listed}
            artifact.write_package(tmp, package, self.symbol, self.exports, host_target, lib,
                                   gpu=gpu)
        return os.path.abspath(out_dir)


KERNEL_DIR = "kernels"
HOST_CPU = "x86-64"


def compile_gpu_module(module: Module, *, target="cuda", arch=None, out_dir=None, emit=None,
                       opt_level=2, print_after=None, out=None):
    """Compile an IR module for a GPU target (`target` "cuda" or "rocm", `arch` a
    comma-separated list of architectures or None for the default)."""
    if emit not in EMITS:
        raise CompileError(f"unknown emit stage {emit!r}; expected one of "
                           f"{', '.join(e for e in EMITS if e)}")
    if print_after is not None and print_after not in pipeline.STAGES:
        raise CompileError(f"unknown GPU pipeline stage {print_after!r}; the stages are "
                           f"{', '.join(pipeline.STAGES)}")
    t = targets.parse(target, arch)
    c = GpuCompilation(module, t, opt_level=opt_level, print_after=print_after,
                       out=out or print)
    if emit == "mlir":
        c.keep_mlir = True
        c.lowered  # noqa: B018 (runs the pipeline)
        return (c.stages["kernels"] + f"// the kernels lowered for {t.kind} "
                f"({'NVVM' if t.kind == 'cuda' else 'ROCDL'})\n" + c.stages.get("device", ""))
    if emit == "llvm":
        return c.kernel_llvm(t.archs[0])
    if emit == "asm":
        return c.assembly()
    if emit == "obj":
        return c.object()
    if out_dir is None:
        raise CompileError("a GPU artifact needs an output directory")
    return c.write(out_dir)
