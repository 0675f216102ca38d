"""The CPU backend: IR -> MLIR -> LLVM IR -> native code -> an importable artifact.

`compile_module(module, out_dir=..., emit=...)` is the entry point; see
docs/backend.md. Importing this package imports the MLIR bindings and llvmlite,
which the runtime never does.
"""
from .driver import compile_cached, compile_module  # noqa: F401
