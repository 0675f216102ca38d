"""print_value: the value streamed, element by element, to the runtime's print
hook (runtime/hooks.py describes the protocol).

The module gets, once, the hook pointer PRINT_HOOK_SYMBOL (exported, null
until the runtime sets it) and a trampoline that calls it when it is set;
each print site gets a constant string "<dtype>:<label>". The elements go out
in row-major order from an `scf.for` over the flat index, each as the bits of
its storage (both parts for complex types), so that nothing is rounded and no
buffer outlives the tensor. A print is for debugging: it is not fast.
"""
from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, func, llvm, scf, tensor
from mlir.dialects import complex as cx

from nxc.compiler.ir import dtypes
from nxc.runtime.hooks import DIM, ELEMENT, END, PRINT_HOOK_SYMBOL, START

from .. import scalar as S
from ..mlir_types import element_type
from . import lowering

TRAMPOLINE = "__nxc_print_trampoline"

_HELPERS = f'''
  llvm.mlir.global external @{PRINT_HOOK_SYMBOL}() {{addr_space = 0 : i32}} : !llvm.ptr {{
    %0 = llvm.mlir.zero : !llvm.ptr
    llvm.return %0 : !llvm.ptr
  }}
  func.func private @{TRAMPOLINE}(%kind: i64, %a: i64, %b: i64, %meta: !llvm.ptr) {{
    %slot = llvm.mlir.addressof @{PRINT_HOOK_SYMBOL} : !llvm.ptr
    %fn = llvm.load %slot : !llvm.ptr -> !llvm.ptr
    %null = llvm.mlir.zero : !llvm.ptr
    %unset = llvm.icmp "eq" %fn, %null : !llvm.ptr
    cf.cond_br %unset, ^done, ^call
  ^call:
    llvm.call %fn(%kind, %a, %b, %meta) : !llvm.ptr, (i64, i64, i64, !llvm.ptr) -> ()
    cf.br ^done
  ^done:
    return
  }}
'''


def _define(em, text):
    """Parse module-level ops and append them to the module being emitted."""
    parsed = ir.Module.parse(text)
    for op in list(parsed.body.operations):
        em.module.body.append(op.detach_from_parent())


def _c_string(text: str) -> str:
    """An MLIR string literal holding `text` as UTF-8 and a final NUL."""
    return "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\{b:02X}"
                   for b in text.encode() + b"\0")


def _site(em, meta: str) -> str:
    """The symbol of a new constant string `meta` (the helpers defined on first use)."""
    table = ir.SymbolTable(em.module.operation)
    if PRINT_HOOK_SYMBOL not in table:
        _define(em, _HELPERS)
    k = 0
    while f"__nxc_print_site_{k}" in table:
        k += 1
    name = f"__nxc_print_site_{k}"
    _define(em, f'llvm.mlir.global private constant @{name}("{_c_string(meta)}") '
                f'{{addr_space = 0 : i32}}')
    return name


def _bits(value, dt):
    """(low, high) i64 words holding the bits of a storage element of `dt`."""
    i64 = element_type(dtypes.s64)

    def word(v, bits):
        if not isinstance(v.type, ir.IntegerType):
            v = arith.bitcast(ir.IntegerType.get_signless(bits), v)
        return v if bits == 64 else arith.extui(i64, v)
    if dt.is_complex:
        part = dt.real
        return word(cx.re(value), part.bits), word(cx.im(value), part.bits)
    return word(value, dt.bits), S.constant(i64, 0)


@lowering("print_value")
def _print_value(em, op, x):
    t = op.operands[0].type
    label = op.attrs["label"]
    meta = llvm.AddressOfOp(ir.Type.parse("!llvm.ptr"), _site(em, f"{t.dtype.name}:{label or ''}"))
    i64 = element_type(dtypes.s64)
    zero = S.constant(i64, 0)

    def call(kind, a, b):
        func.CallOp([], TRAMPOLINE, [S.constant(i64, kind), a, b, meta.result])

    sizes = [em.size(d) for d in t.shape]
    call(START, S.constant(i64, t.rank), zero)
    total = S.index(1)
    for n in sizes:
        call(DIM, arith.index_cast(i64, n), zero)
        total = arith.muli(total, n)
    loop = scf.ForOp(S.index(0), total, S.index(1))
    with ir.InsertionPoint(loop.body):
        rest, position = loop.induction_variable, []
        for n in reversed(sizes):  # row-major: the last axis varies fastest
            position.append(arith.remui(rest, n))
            rest = arith.divui(rest, n)
        element = tensor.ExtractOp(x, list(reversed(position))).result
        call(ELEMENT, *_bits(element, t.dtype))
        scf.YieldOp([])
    call(END, zero, zero)
    return x
