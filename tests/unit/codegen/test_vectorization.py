"""The loops LLVM gets are vectorizable, and it vectorizes them: element-wise
math (polynomials, no libm calls), float sums (reassociated) and the vector
width on AVX-512 targets. Checked on assembly cross-compiled for named CPUs,
so the result does not depend on the machine running the test."""
import re

import pytest

from nxc.compiler.codegen import compile_module
from nxc.compiler.codegen.llvm import wide_vectors
from nxc.compiler.ir.parser import parse_module

SOURCE = """
module @vec
func @math(%x: f32[?n]) -> f32[?n] {
  %e = exp(%x) : f32[?n]
  %l = log(%e) : f32[?n]
  %t = tanh(%l) : f32[?n]
  %s = sigmoid(%t) : f32[?n]
  %r = erf(%s) : f32[?n]
  return %r
}
func @total(%x: f32[?n][64]) -> f32[?n] {
  %s = sum(%x) {axes = (1), keep_axes = false} : f32[?n]
  return %s
}
"""

AVX2 = dict(cpu="haswell", features="+avx2,+fma")
AVX512 = dict(cpu="skylake-avx512", features="+avx2,+fma,+avx512f,+avx512bw,+avx512vl,+avx512dq")


@pytest.fixture(scope="module")
def asm():
    module = parse_module(SOURCE, "vec.nxir")
    return {name: compile_module(module, emit="asm", **target)
            for name, target in (("avx2", AVX2), ("avx512", AVX512))}


def test_math_is_inline_vector_code(asm):
    text = asm["avx2"]
    assert not re.search(r"call.*\b(expf|logf|tanhf|erff|erf)\b", text)
    assert re.search(r"vfmadd\w*ps\s+%ymm", text)  # polynomials on 8 lanes


def test_float_sum_vectorizes(asm):
    assert re.search(r"vaddps\s+.*%ymm", asm["avx2"])


def test_avx512_targets_use_512_bit_vectors(asm):
    assert "%zmm" in asm["avx512"]
    assert "%zmm" not in asm["avx2"]


@pytest.mark.parametrize("features, expected", [
    ("+avx2,+avx512f", "+avx2,+avx512f,-prefer-256-bit"),
    ("+avx512f,+prefer-256-bit", "+avx512f,+prefer-256-bit"),  # the user's choice stands
    ("+avx2,-avx512f", "+avx2,-avx512f"),
    ("", ""),
])
def test_wide_vectors(features, expected):
    assert wide_vectors(features) == expected
