"""The plain C ABI of an exported function, and the LLVM IR that implements it.

An IR function `f(x: f32[?n][3], y: s32[3]) -> f32[?n][3]` is exported as

    int32_t <prefix>_f(const float *x, const int32_t *y, float *result0, int64_t n);

inputs first (contiguous row-major data), then one preallocated output buffer
per result, then one `int64_t` per symbolic dimension in order of first
appearance among the parameters. It returns 0 on success, NXC_BAD_SIZE (1) when
a symbolic size is negative, NXC_SIZE_TOO_SMALL (2) when a size is below what
the function needs (a static slice of a symbolic axis, say). Outputs must not
overlap inputs. The wrapper builds the memref descriptors MLIR's calling
convention expects (allocated pointer, aligned pointer, offset, sizes, strides
per buffer) and calls the private implementation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from nxc.compiler.ir.core import Function, Module
from nxc.compiler.ir.types import Dim
from nxc.runtime.errors import CompileError

OK, BAD_SIZE, SIZE_TOO_SMALL = 0, 1, 2  # the status codes (NXC_OK... in the header)


@dataclass
class Constraint:
    """Symbolic dimension `dim` must be at least `minimum`, because of `reason`."""

    dim: str
    minimum: int
    reason: str


@dataclass
class Export:
    name: str  # the Python name
    symbol: str  # the C symbol
    params: list  # [(name, TensorType)]
    results: list  # [TensorType]
    dims: list  # symbolic dimension names, in the order of the size arguments
    doc: str = ""
    constraints: list = field(default_factory=list)

    def require(self, dim: str, minimum: int, reason: str):
        if not any(c.dim == dim and c.minimum >= minimum for c in self.constraints):
            self.constraints.append(Constraint(dim, minimum, reason))


def c_identifier(s: str) -> str:
    s = re.sub(r"[^A-Za-z0-9_]", "_", s)
    return s if s and not s[0].isdigit() else "_" + s


def export_of(module: Module, fn: Function) -> Export:
    if not fn.name.isidentifier():
        raise CompileError(f"function {fn.name!r} cannot be exported: its name is not a "
                           f"Python identifier", fn.loc)
    prefix = c_identifier(module.name or "nxc")
    names, seen = [], set()
    for i, p in enumerate(fn.params):
        n = c_identifier(p.hint) if p.hint else f"arg{i}"
        while n in seen:
            n += "_"
        seen.add(n)
        names.append(n)
    dims = []
    for t in fn.param_types:
        for d in t.shape:
            if isinstance(d, Dim) and d.name not in dims:
                dims.append(d.name)
    for i, t in enumerate(fn.result_types):
        for d in t.shape:
            if isinstance(d, Dim) and d.name not in dims:
                raise CompileError(
                    f"{fn.name}: result {i} ({t}) has the symbolic dimension {d}, which no "
                    f"parameter has, so its size cannot be known before the call", fn.loc)
    return Export(fn.name, f"{prefix}_{c_identifier(fn.name)}", list(zip(names, fn.param_types)),
                  list(fn.result_types), dims, str(fn.attrs.get("doc") or ""))


# ---------------------------------------------------------------------------
# The wrapper, in LLVM IR
# ---------------------------------------------------------------------------

def wrapper_ir(export: Export, impl: str) -> str:
    """`define i32 @<symbol>(...)`: checks sizes, builds descriptors, calls `impl`."""
    n_in, n_out = len(export.params), len(export.results)
    args = [f"ptr noalias %in{i}" for i in range(n_in)]
    args += [f"ptr noalias %out{i}" for i in range(n_out)]
    args += [f"i64 %{_dim_reg(d)}" for d in range(len(export.dims))]
    body = ["entry:"]
    checks = [(f"%{_dim_reg(i)}", 0, BAD_SIZE) for i in range(len(export.dims))]
    checks += [(f"%{_dim_reg(export.dims.index(c.dim))}", c.minimum, SIZE_TOO_SMALL)
               for c in export.constraints]
    for k, (reg, minimum, status) in enumerate(checks):
        body += [f"  %c{k} = icmp slt i64 {reg}, {minimum}",
                 f"  br i1 %c{k}, label %fail{k}, label %ok{k}",
                 f"fail{k}:", f"  ret i32 {status}", f"ok{k}:"]
    counter = [0]

    def product(a, b):
        if isinstance(a, int) and isinstance(b, int):
            return a * b
        if a == 1:
            return b
        if b == 1:
            return a
        counter[0] += 1
        reg = f"%m{counter[0]}"
        body.append(f"  {reg} = mul i64 {a}, {b}")
        return reg

    call = []
    buffers = [(f"%in{i}", t) for i, (_, t) in enumerate(export.params)]
    buffers += [(f"%out{i}", t) for i, t in enumerate(export.results)]
    for ptr, t in buffers:
        sizes = [f"%{_dim_reg(export.dims.index(d.name))}" if isinstance(d, Dim) else d
                 for d in t.shape]
        strides, acc = [], 1
        for k, s in enumerate(reversed(sizes)):
            strides.append(acc)
            if k + 1 < len(sizes):  # the outermost size is in no stride
                acc = product(acc, s)
        strides.reverse()
        call += [f"ptr {ptr}", f"ptr {ptr}", "i64 0"]
        call += [f"i64 {s}" for s in sizes] + [f"i64 {s}" for s in strides]
    body.append(f"  call void @{impl}({', '.join(call)})")
    body.append("  ret i32 0")
    return (f"define i32 @{export.symbol}({', '.join(args)}) {{\n" + "\n".join(body) + "\n}\n")


def _dim_reg(i: int) -> str:
    return f"dim{i}"


# ---------------------------------------------------------------------------
# C declarations
# ---------------------------------------------------------------------------

C_TYPES = {
    "u8": "uint8_t", "u16": "uint16_t", "u32": "uint32_t", "u64": "uint64_t",
    "s8": "int8_t", "s16": "int16_t", "s32": "int32_t", "s64": "int64_t",
    "f16": "nxc_f16", "bf16": "nxc_bf16", "f32": "float", "f64": "double",
    "c64": "nxc_c64", "c128": "nxc_c128",
}


def size_name(dim: str, taken) -> str:
    """The C name of the size argument of symbolic dimension `dim`."""
    n = c_identifier(dim)
    return f"size_{n}" if n in taken else n


def c_prototype(export: Export) -> str:
    args = [f"const {C_TYPES[t.dtype.name]} *{n}" for n, t in export.params]
    args += [f"{C_TYPES[t.dtype.name]} *result{i}" for i, t in enumerate(export.results)]
    taken = {n for n, _ in export.params}
    args += [f"int64_t {size_name(d, taken)}" for d in export.dims]
    return f"int32_t {export.symbol}({', '.join(args) or 'void'})"
