"""LLVM IR -> optimized module -> object code or assembly, through llvmlite.

The target is the host CPU (its name and features as LLVM reports them) unless
a `cpu` and `features` ("+avx2,+fma" or "-avx512f") are given. Where the
features include AVX-512, loops are vectorized 512 bits wide (see
`wide_vectors`). Code is
position independent: it goes into a shared library.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import llvmlite.binding as llvm

from nxc.runtime.errors import CompileError


@functools.cache
def _init():
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    llvm.initialize_native_asmparser()


@dataclass(frozen=True)
class Target:
    triple: str
    cpu: str
    features: str  # LLVM's "+a,-b" form

    @property
    def enabled_features(self) -> list[str]:
        return sorted(f[1:] for f in self.features.split(",") if f.startswith("+"))


def host_target(cpu: str | None = None, features: str | None = None) -> Target:
    """The target to compile for: the host, or the given CPU and features."""
    _init()
    triple = llvm.get_process_triple()
    if cpu is None:
        cpu = llvm.get_host_cpu_name()
        if features is None:
            features = llvm.get_host_cpu_features().flatten()
    if features is None:
        features = ""
    features = wide_vectors(features)
    try:
        llvm.Target.from_triple(triple)
    except RuntimeError as e:
        raise CompileError(f"LLVM cannot target {triple}: {e}") from None
    return Target(triple, cpu, features)


def wide_vectors(features: str) -> str:
    """`features` plus "-prefer-256-bit" where they enable AVX-512 and say nothing
    of the vector width.

    LLVM's Intel CPU models prefer 256-bit vectors (older Xeons lower their clock
    for 512-bit code); element-wise math and reductions are compute-bound
    polynomials or streams where twice the lanes win on current CPUs (measured in
    docs/performance.md, section Kernels)."""
    names = {f.lstrip("+-") for f in features.split(",") if f}
    if "+avx512f" in features.split(",") and "prefer-256-bit" not in names:
        return features + ",-prefer-256-bit"
    return features


def _machine(target: Target, opt_level: int):
    t = llvm.Target.from_triple(target.triple)
    return t.create_target_machine(cpu=target.cpu, features=target.features, opt=opt_level,
                                   reloc="pic", codemodel="default")


def optimize(ir_text: str, target: Target, opt_level: int = 2, *, exports=(), hidden=(),
             noinline=()) -> "llvm.ModuleRef":
    """Parse LLVM IR, give every definition but `exports` and `hidden` internal
    linkage (two artifacts linked into one C program cannot clash; `hidden`
    ones stay visible to the other objects of the same library only), and run
    LLVM's standard pipeline at -O`opt_level`. Functions whose names start
    with a prefix in `noinline` are never inlined."""
    _init()
    if opt_level not in (0, 1, 2, 3):
        raise CompileError(f"the optimization level must be 0 to 3, got {opt_level}")
    mod = parse(ir_text)
    mod.triple = target.triple
    tm = _machine(target, opt_level)
    mod.data_layout = str(tm.target_data)
    keep, hide, prefixes = set(exports), set(hidden), tuple(noinline)
    for g in list(mod.functions) + list(mod.global_variables):
        if g.is_declaration:
            continue
        if g.name in hide:
            g.linkage = "external"
            g.visibility = "hidden"
        elif g.name not in keep:
            g.linkage = "internal"
        if prefixes and g.is_function and g.name.startswith(prefixes):
            g.add_function_attribute("noinline")
    if opt_level > 0:
        pto = llvm.create_pipeline_tuning_options(speed_level=opt_level)
        # Unrolling the vectorized loops multiplies code size and compile time
        # several times over (a 250-function module: 0.8 MB of IR instead of
        # 4.4 MB, 3 s instead of 9 s); it is left to -O3.
        pto.loop_unrolling = opt_level >= 3
        # The loop vectorizer is on at -O2 and -O3; the SLP vectorizer (straight-line
        # code, such as the two parts of complex arithmetic) is off by default.
        pto.loop_vectorization = True
        pto.slp_vectorization = opt_level >= 2
        pb = llvm.create_pass_builder(tm, pto)
        pb.getModulePassManager().run(mod, pb)
    return mod


def parse(ir_text: str, what: str = "LLVM IR"):
    """The verified module of `ir_text` (`what` it is, for the error)."""
    try:
        mod = llvm.parse_assembly(ir_text)
        mod.verify()
    except RuntimeError as e:
        raise CompileError(f"invalid {what} from the MLIR translation: {e}") from None
    return mod


def function_signature(ir_text: str, name: str) -> str:
    """`<result type> @name(<parameter types>)`, the signature of the function
    `name` defined in the LLVM IR `ir_text`, to declare it elsewhere."""
    _init()
    fn = parse(ir_text).get_function(name)
    result, _, params = str(fn.global_value_type).partition(" (")
    return f"{result} @{name}({params}"


def emit_object(mod, target: Target, opt_level: int = 2) -> bytes:
    return _machine(target, opt_level).emit_object(mod)


def emit_assembly(mod, target: Target, opt_level: int = 2) -> str:
    return _machine(target, opt_level).emit_assembly(mod)
