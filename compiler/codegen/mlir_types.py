"""How Nx types are represented in MLIR.

Storage: integers are signless `iN` (unsigned-ness lives in the ops chosen, not
the type), f16/f32/f64 are themselves, c64/c128 are `complex<f32/f64>`, and
bf16 is its 16 bits, `i16`: LLVM keeps bf16 values in f32 registers on CPUs
without bf16 arithmetic and rounds them back through a compiler-runtime helper
(`__truncsfbf2`) that older libgcc lacks, so the conversions are ours (scalar.py).
Compute: f16 and bf16 are computed in f32 and rounded once per op; every other
type computes in its storage type. Symbolic dimensions become dynamic sizes.
"""
from __future__ import annotations

from mlir import ir

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.dtypes import DType
from nxc.compiler.ir.types import Dim, TensorType


def element_type(dt: DType) -> ir.Type:
    """The MLIR storage type of one element of `dt`."""
    if dt.is_int or dt == dtypes.bf16:
        return ir.IntegerType.get_signless(dt.bits)
    if dt.is_complex:
        return ir.ComplexType.get(element_type(dt.real))
    return {dtypes.f16: ir.F16Type.get, dtypes.f32: ir.F32Type.get,
            dtypes.f64: ir.F64Type.get}[dt]()


def compute_dtype(dt: DType) -> DType:
    """The type `dt` is computed in: f16/bf16 widen to f32."""
    return dtypes.f32 if dt in (dtypes.f16, dtypes.bf16) else dt


def compute_type(dt: DType) -> ir.Type:
    return element_type(compute_dtype(dt))


def mlir_shape(shape) -> list[int]:
    dyn = ir.ShapedType.get_dynamic_size()
    return [dyn if isinstance(d, Dim) else d for d in shape]


def tensor_type(t: TensorType, dtype: DType | None = None) -> ir.RankedTensorType:
    return ir.RankedTensorType.get(mlir_shape(t.shape), element_type(dtype or t.dtype))


def memref_type(t: TensorType) -> ir.MemRefType:
    """A contiguous row-major buffer of `t` (identity layout)."""
    return ir.MemRefType.get(mlir_shape(t.shape), element_type(t.dtype))


def index_type() -> ir.Type:
    return ir.IndexType.get()


def bool_type() -> ir.Type:
    return ir.IntegerType.get_signless(1)
