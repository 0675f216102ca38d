"""The CPU backend's entry point: IR module -> MLIR -> LLVM IR -> object -> artifact.

`compile_module` stops after any stage (`emit="mlir" | "llvm" | "asm" | "obj"`)
or writes the artifact package. `compile_cached` does the latter in a
content-addressed cache: the key hashes the generated MLIR (every op,
attribute, type and location), the options, the target and the compiler
version, so a second compile of the same module is a directory lookup.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re

from mlir import ir

from nxc.compiler import timing
from nxc.compiler.ir.core import Module
from nxc.compiler.jit_cache import default_cache_dir
from nxc.runtime import hooks as runtime_hooks
from nxc.runtime import manifest as runtime_manifest
from nxc.runtime.errors import CompileError

from . import (abi, artifact, link, llvm, parallel, pipeline, support, support_objects,
               threads_ir)
from .emit import emit_module, impl_symbol

EMITS = (None, "mlir", "llvm", "asm", "obj")

# The dialects the lowerings build ops of (the pipeline's passes load the
# others they produce). Loading every registered dialect into each new
# context instead took 5-10 ms per compile.
DIALECTS = ["builtin", "func", "arith", "math", "complex", "tensor", "linalg", "scf", "memref",
            "bufferization", "cf", "llvm"]


@functools.cache
def compiler_fingerprint() -> str:
    """The nxc version and a hash of the backend's own sources: a cached artifact
    is only reused by the compiler that made it, even between releases."""
    h = hashlib.sha256(artifact.nxc_version().encode())
    root = os.path.dirname(os.path.abspath(__file__))
    for dirpath, dirnames, filenames in sorted(os.walk(root)):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(".py"):
                with open(os.path.join(dirpath, name), "rb") as f:
                    h.update(name.encode() + b"\0" + f.read())
    return h.hexdigest()


def _package_name(out_dir: str) -> str:
    name = os.path.basename(os.path.normpath(out_dir))
    if not name.isidentifier():
        raise CompileError(f"the artifact directory name {name!r} is not a Python identifier, "
                           f"so it could not be imported; choose a name like model_nxc")
    return name


def module_symbol(module: Module) -> str:
    return abi.c_identifier(module.name or "nxc")


class Compilation:
    """One module going down the pipeline; each stage is computed once, on demand.

    The artifact's library links the module's object with the support code's
    objects (support.split), which are compiled once per target and cached
    (support_objects.py). `--emit llvm|asm|obj` show one self-contained module
    instead, the support code defined in it (support.link).
    """

    def __init__(self, module: Module, *, opt_level=2, cpu=None, features=None,
                 print_after=None, out=None, cache_dir=None):
        if not module.functions:
            raise CompileError("the module has no functions to compile")
        self.module = module
        self.opt_level = opt_level
        self.print_after, self.out = print_after, out
        self.cache_dir = cache_dir
        self.target = llvm.host_target(cpu, features)
        with timing.stage("emit MLIR"):
            self.context = ir.Context(load_on_create_dialects=DIALECTS)
            self.mlir, self.exports = emit_module(module, self.context)
        self.symbol = module_symbol(module)
        self._translated = None
        self._llvm = None
        self._mlir_text = None

    def mlir_text(self) -> str:
        """The MLIR as emitted (before the pipeline), with locations."""
        if self._mlir_text is None:
            with self.context:
                self._mlir_text = self.mlir.operation.get_asm(enable_debug_info=True)
        return self._mlir_text

    def key(self) -> str:
        """The cache key: what the generated code depends on."""
        h = hashlib.sha256()
        for part in (self.mlir_text(), repr(artifact.functions_json(self.exports)),
                     str(self.opt_level), self.target.triple, self.target.cpu,
                     self.target.features, compiler_fingerprint(),
                     str(runtime_manifest.FORMAT_VERSION), self.symbol):
            h.update(part.encode())
            h.update(b"\0")
        return h.hexdigest()

    def translated(self) -> str:
        """The module's LLVM IR as translated from MLIR: support code declared."""
        if self._translated is None:
            self.mlir_text()  # the pipeline rewrites the module in place
            with self.context, timing.stage("verify MLIR"):
                try:
                    self.mlir.operation.verify()
                except ir.MLIRError as e:
                    raise pipeline.diagnostic_error(e, "verify") from None
            pipeline.lower_to_llvm_dialect(self.mlir, print_after=self.print_after,
                                           out=self.out)
            with timing.stage("translate to LLVM IR"):
                self._translated = pipeline.translate(self.mlir)
        return self._translated

    def _optimize(self, text: str):
        """LLVM IR `text` with the ABI wrappers and hash added, optimized."""
        digest = runtime_manifest.abi_hash(artifact.functions_json(self.exports))
        text += "\n" + artifact.abi_global_ir(self.symbol, digest)
        for ex in self.exports:
            text += "\n" + abi.wrapper_ir(ex, impl_symbol(ex.name))
        keep = [ex.symbol for ex in self.exports]
        keep.append(artifact.runtime_library.abi_symbol(self.symbol))
        keep.append(threads_ir.NUM_THREADS_SYMBOL)  # set by the runtime
        keep.append(runtime_hooks.PRINT_HOOK_SYMBOL)  # likewise (print_value)
        with timing.stage("LLVM optimize"):
            # A chunk of a parallel loop is called by its thread job and by its
            # dispatcher's one-thread path: inlined, its loops would be
            # optimized and compiled twice.
            return llvm.optimize(text, self.target, self.opt_level, exports=keep,
                                 noinline=(parallel.CHUNK,))

    def optimized(self):
        """The whole module, support code included, optimized."""
        if self._llvm is None:
            text = self.translated()
            with timing.stage("support code"):
                text = support.link(text)
            self._llvm = self._optimize(text)
        return self._llvm

    def llvm_text(self) -> str:
        return str(self.optimized())

    def assembly(self) -> str:
        mod = self.optimized()
        with timing.stage("codegen"):
            return llvm.emit_assembly(mod, self.target, self.opt_level)

    def object(self) -> bytes:
        mod = self.optimized()
        with timing.stage("codegen"):
            return llvm.emit_object(mod, self.target, self.opt_level)

    def objects(self) -> list[bytes]:
        """The objects the library links: the module's without the support
        code, then those of the support code it calls (from their cache)."""
        text = self.translated()
        with timing.stage("support code"):
            text, pieces = support.split(text)
        shared = support_objects.objects(pieces, self.target, self.opt_level,
                                         cache_dir=self.cache_dir or default_cache_dir(),
                                         fingerprint=compiler_fingerprint())
        mod = self._optimize(text)
        with timing.stage("codegen"):
            return [llvm.emit_object(mod, self.target, self.opt_level), *shared]

    def write(self, out_dir: str) -> str:
        """Write the artifact package `out_dir`; returns its path."""
        package = _package_name(out_dir)
        obj, *shared = self.objects()
        with artifact.staged(out_dir, package) as tmp:
            with timing.stage("link"):
                lib = link.link_shared(obj, os.path.join(tmp, artifact.library_name(package)),
                                       support=shared)
            with timing.stage("artifact write"):
                artifact.write_package(tmp, package, self.symbol, self.exports, self.target,
                                       lib)
        return os.path.abspath(out_dir)


def compile_module(module: Module, *, out_dir=None, emit=None, opt_level=2, cpu=None,
                   features=None, print_after=None, out=None):
    """Compile an IR module for the CPU.

    emit None: write the artifact package `out_dir` (default: the cache) and
    return its path. "mlir", "llvm", "asm": return that text; "obj": the object
    code's bytes. `print_after` names a pipeline stage (pipeline.STAGES) whose
    MLIR is passed to `out` (default: printed).
    """
    if emit not in EMITS:
        raise CompileError(f"unknown emit stage {emit!r}; expected one of "
                           f"{', '.join(e for e in EMITS if e)}")
    if print_after is not None and print_after not in pipeline.STAGES:
        raise CompileError(f"unknown pipeline stage {print_after!r}; the stages are "
                           f"{', '.join(pipeline.STAGES)}")
    c = Compilation(module, opt_level=opt_level, cpu=cpu, features=features,
                    print_after=print_after, out=out or print)
    if emit == "mlir":
        return c.mlir_text()
    if emit == "llvm":
        return c.llvm_text()
    if emit == "asm":
        return c.assembly()
    if emit == "obj":
        return c.object()
    if out_dir is None:
        return compile_cached(module, opt_level=opt_level, cpu=cpu, features=features,
                              compilation=c)
    return c.write(out_dir)


def compile_cached(module: Module, *, cache_dir=None, package=None, opt_level=2, cpu=None,
                   features=None, compilation=None) -> str:
    """The artifact of `module` from the cache, compiled into it on a miss.

    Concurrent processes compiling the same module wait for one another (a lock
    file per key) instead of compiling twice.
    """
    c = compilation or Compilation(module, opt_level=opt_level, cpu=cpu, features=features,
                                   cache_dir=cache_dir)
    if c.cache_dir is None:
        c.cache_dir = cache_dir
    package = package or _cache_package(module)
    root = os.path.join(cache_dir or default_cache_dir(), "cpu")
    with timing.stage("cache key"):
        entry = os.path.join(root, c.key()[:32])
    final = os.path.join(entry, package)
    if os.path.exists(os.path.join(final, runtime_manifest.FILE)):
        return final
    os.makedirs(entry, exist_ok=True)
    with _locked(os.path.join(entry, ".lock")):
        if not os.path.exists(os.path.join(final, runtime_manifest.FILE)):
            c.write(final)
    return final


def _cache_package(module: Module) -> str:
    name = re.sub(r"\W", "_", module.name or "module")
    return name if name.isidentifier() else f"m_{name}"


@contextlib.contextmanager
def _locked(path):
    try:
        import fcntl
    except ImportError:  # no advisory locks: concurrent misses compile twice, safely
        yield
        return
    with open(path, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
