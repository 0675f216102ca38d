"""The MLIR pass pipeline of the GPU targets.

    bufferize  the CPU's stage: one-shot bufferization into the caller's buffers
    loops      linalg -> scf.parallel (parallel loops) around scf.for (reductions)
    kernels    scf.parallel -> gpu.launch (kernels.py), outlined into one gpu.module
    device     the gpu.module -> NVVM (cuda) or ROCDL (rocm) in the LLVM dialect
    host       the host functions -> LLVM dialect; gpu.launch_func -> calls of
               MLIR's `mgpu*` runtime functions, which host.py defines

`lower` runs them all and returns the LLVM IR of the kernels (one text for
cuda, one per architecture for rocm, whose lowering depends on the chip) and of
the host code.
"""
from __future__ import annotations

from mlir import ir, passmanager
from mlir.dialects import llvm as llvm_dialect

from nxc.compiler.codegen import pipeline as cpu_pipeline
from nxc.compiler.codegen.deallocs import lower_deallocs
from nxc.runtime.errors import CompileError

from . import kernels
from .targets import GpuTarget

STAGES = ("bufferize", "loops", "kernels", "device", "host")

LOOPS = ("convert-bufferization-to-memref,convert-linalg-to-parallel-loops,"
         "convert-complex-to-standard,canonicalize,cse")
AFTER_OUTLINING = "expand-strided-metadata,lower-affine,canonicalize,cse"
DEVICE = {
    "cuda": "gpu.module(convert-scf-to-cf,convert-complex-to-llvm,"
            "convert-gpu-to-nvvm{index-bitwidth=64},convert-math-to-llvm,"
            "reconcile-unrealized-casts)",
    # math ops -> LLVM intrinsics first: the ROCDL lowering would call the ROCm
    # device library (ocml), which artifacts do not link.
    "rocm": "gpu.module(convert-scf-to-cf,convert-complex-to-llvm,"
            "convert-math-to-llvm{approximate-log1p=false},"
            "convert-gpu-to-rocdl{chipset=%(arch)s index-bitwidth=64},"
            "reconcile-unrealized-casts)",
}
HOST = ("convert-scf-to-cf,finalize-memref-to-llvm{use-generic-functions},"
        "convert-arith-to-llvm,convert-index-to-llvm,convert-cf-to-llvm,convert-func-to-llvm,"
        "gpu-to-llvm,reconcile-unrealized-casts")


def _run(module, passes, stage):
    pm = passmanager.PassManager.parse(f"builtin.module({passes})", context=module.context)
    try:
        pm.run(module.operation)
    except ir.MLIRError as e:
        err = cpu_pipeline.diagnostic_error(e, stage)
        raise CompileError(err.message.replace("the CPU backend", "the GPU backend"),
                           err.loc) from None


class Lowered:
    """The outcome of `lower`: LLVM IR texts and the kernels' names."""

    def __init__(self, host: str, device: dict, kernel_names: list):
        self.host = host
        self.device = device  # arch (or None for every arch) -> LLVM IR text
        self.kernel_names = kernel_names


def lower(module: ir.Module, target: GpuTarget, *, show=None) -> Lowered:
    """Run the GPU pipeline on `module` (consumed); `show(stage, module)` is
    called after each stage."""
    def stage_done(stage, m=module):
        if show is not None:
            show(stage, m)

    with module.context, ir.Location.unknown():
        _, passes, _ = cpu_pipeline.CPU_PIPELINE[0]
        _run(module, passes, "bufferize")
        lower_deallocs(module)
        cpu_pipeline.copies_to_linalg(module)
        stage_done("bufferize")
        _run(module, LOOPS, "loops")
        stage_done("loops")
        kernels.map_to_gpu(module)
        kernels.sink_globals(module)
        _run(module, "canonicalize,cse,gpu-launch-sink-index-computations,gpu-kernel-outlining", "kernels")
        names = kernels.merge_modules(module)
        _run(module, AFTER_OUTLINING, "kernels")
        stage_done("kernels")
        device = {}
        archs = [None] if target.kind == "cuda" else list(target.archs)
        for arch in archs:
            m = ir.Module.parse(str(module))
            _run(m, DEVICE[target.kind] % {"arch": arch}, "device")
            stage_done("device", m)
            device[arch] = _translate_kernels(m)
        _replace_by_binary(module, target)
        _run(module, HOST, "host")
        _check_host_reads_no_memory(module)
        stage_done("host")
        host = llvm_dialect.translate_module_to_llvmir(module.operation)
    return Lowered(host, device, names)


def _check_host_reads_no_memory(module):
    """Every buffer is device memory: a load in host code (a lowering that reads
    a tensor on the host, unknown to kernels.py) would crash the process, so it
    is a compile error instead."""
    loads = []

    def visit(o):
        if o.name == "llvm.load":
            loads.append(o)
        return ir.WalkResult.ADVANCE
    module.operation.walk(visit)
    if loads:
        raise CompileError(f"the GPU backend would read device memory on the host "
                           f"({len(loads)} load(s), the first at {loads[0].location}); "
                           f"this op is not supported on GPU targets yet")


def _kernel_module(module):
    for op in module.body.operations:
        if op.operation.name == "gpu.module":
            return op
    return None


def _translate_kernels(module) -> str | None:
    """LLVM IR text of the body of the gpu.module (None when there are no kernels)."""
    gm = _kernel_module(module)
    if gm is None:
        return None
    dev = ir.Module.create()
    with ir.InsertionPoint(dev.body):
        for op in gm.regions[0].blocks[0].operations:
            op.operation.clone()
    return llvm_dialect.translate_module_to_llvmir(dev.operation)


def _replace_by_binary(module, target: GpuTarget):
    """The host refers to the kernels through a `gpu.binary`; its object is a
    placeholder, as host.py's module loader picks the real image at run time."""
    gm = _kernel_module(module)
    if gm is None:
        return
    attr = (f'#nvvm.target<chip = "{target.archs[0]}">' if target.kind == "cuda"
            else f'#rocdl.target<chip = "{target.archs[0]}">')
    binary = ir.Operation.parse(f'gpu.binary @{kernels.KERNEL_MODULE} '
                                f'[#gpu.object<{attr}, "nxc">]')
    ir.InsertionPoint(gm).insert(binary)
    gm.operation.erase()
