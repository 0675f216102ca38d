"""The packed matrix product (compiler/codegen/gemm.py) behind f32/f64 `dot`.

Every form of dot the IR allows (transposed operands, batch axes anywhere,
several contracted or free axes, vectors), at sizes that cross the blocking
(K beyond one KC slice, M and N not multiples of the register tile), and
empty dimensions, against numpy in float64. A product of K terms may differ
from the exact one by about K * eps * sum |a_i b_i|; the tolerance is that
bound, per element.
"""
import numpy as np
import pytest

from nxc.compiler.codegen import compile_module, gemm
from nxc.compiler.codegen.lowerings.linalg import GEMM_MIN_FLOPS
from nxc.compiler.ir import dtypes as T
from nxc.compiler.ir.types import Dim, TensorType

M, K, N = Dim("m"), Dim("k"), Dim("n")

# (name, a's type, b's type, dot attributes, numpy einsum of the same product)
FORMS = [
    ("mm", (M, K), (K, N), {}, "mk,kn->mn"),
    ("mm_bt", (M, K), (N, K), {"contract_axes": ((1,), (1,))}, "mk,nk->mn"),
    ("mm_at", (K, M), (K, N), {"contract_axes": ((0,), (0,))}, "km,kn->mn"),
    ("bmm", (2, M, K), (2, K, N), {"contract_axes": ((2,), (1,)), "batch_axes": ((0,), (0,))},
     "bmk,bkn->bmn"),
    ("bmm_last", (M, K, 3), (K, N, 3),
     {"contract_axes": ((1,), (0,)), "batch_axes": ((2,), (2,))}, "mkb,knb->bmn"),
    ("two_free", (3, M, K), (K, N), {}, "imk,kn->imn"),
    ("two_contract", (M, 4, K), (K, 4, N), {"contract_axes": ((1, 2), (1, 0))},
     "mjk,kjn->mn"),
    ("mv", (M, K), (K,), {}, "mk,k->m"),
    ("vm", (K,), (K, N), {}, "k,kn->n"),
    ("vv", (K,), (K,), {}, "k,k->"),
]

# (m, k, n): single elements, ragged tiles, K past one KC slice, empty axes.
SIZES = [(1, 1, 1), (7, 300, 13), (37, 41, 70), (0, 5, 3), (4, 0, 3), (5, 6, 0)]

DTYPES = [T.f32, T.f64]


def _module(one_op_module, dt):
    cases = [(name, "dot", [TensorType(dt, a), TensorType(dt, b)], attrs)
             for name, a, b, attrs, _ in FORMS]
    return one_op_module(f"gemm_{dt.name}", cases)


@pytest.fixture(scope="module")
def artifacts(build, one_op_module):
    return {dt: build(_module(one_op_module, dt)) for dt in DTYPES}


def _shape(spec, m, k, n):
    return tuple({"m": m, "k": k, "n": n}[d.name] if isinstance(d, Dim) else d for d in spec)


def _check(got, a, b, subscripts, dt):
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    want = np.einsum(subscripts, a64, b64)
    bound = np.einsum(subscripts, np.abs(a64), np.abs(b64))
    n_terms = _terms(subscripts, a.shape, b.shape)
    tol = 4 * n_terms * np.finfo(dt.numpy).eps * bound + np.finfo(dt.numpy).tiny
    got = np.asarray(got)
    assert got.dtype == dt.numpy and got.shape == want.shape
    assert np.all(np.abs(got - want) <= tol), f"max error {np.max(np.abs(got - want))}"


def _terms(subscripts, sa, sb):
    """How many products each result element sums."""
    ins, out = subscripts.split("->")
    sizes = dict(zip(ins.split(",")[0], sa)) | dict(zip(ins.split(",")[1], sb))
    return int(np.prod([sizes[c] for c in set(ins) - set(out) - {","}], dtype=np.int64))


@pytest.mark.parametrize("dt", DTYPES, ids=str)
@pytest.mark.parametrize("form", FORMS, ids=[f[0] for f in FORMS])
def test_dot_forms_and_sizes(artifacts, form, dt):
    name, sa, sb, _, subscripts = form
    rng = np.random.default_rng(len(name))
    for m, k, n in SIZES:
        a = rng.standard_normal(_shape(sa, m, k, n)).astype(dt.numpy)
        b = rng.standard_normal(_shape(sb, m, k, n)).astype(dt.numpy)
        _check(getattr(artifacts[dt], name)(a, b), a, b, subscripts, dt)


@pytest.mark.parametrize("dt", DTYPES, ids=str)
def test_large_static_product(build, one_op_module, dt):
    """A static product past every block size of the micro-kernel, in both
    operand orders, with values of mixed magnitude."""
    shapes = [((150, 530), (530, 270)), ((270, 530), (150, 530))]
    attrs = [{}, {"contract_axes": ((1,), (1,))}]
    cases = [(f"p{i}", "dot", [TensorType(dt, a), TensorType(dt, b)], at)
             for i, ((a, b), at) in enumerate(zip(shapes, attrs))]
    art = build(one_op_module(f"gemm_static_{dt.name}", cases))
    rng = np.random.default_rng(1)
    for i, ((sa, sb), subscripts) in enumerate(zip(shapes, ["mk,kn->mn", "nk,mk->nm"])):
        a = (rng.standard_normal(sa) * 10.0 ** rng.integers(-3, 4, sa)).astype(dt.numpy)
        b = rng.standard_normal(sb).astype(dt.numpy)
        _check(getattr(art, f"p{i}")(a, b), a, b, subscripts, dt)


def test_small_static_products_keep_the_loop_nest(one_op_module):
    small = one_op_module("gemm_small", [("f", "dot", [TensorType(T.f32, (8, 8)),
                                                       TensorType(T.f32, (8, 8))], {})])
    large = one_op_module("gemm_large", [("f", "dot", [TensorType(T.f32, (64, 64)),
                                                       TensorType(T.f32, (64, 64))], {})])
    assert 2 * 8 ** 3 < GEMM_MIN_FLOPS <= 2 * 64 ** 3
    assert gemm.symbol(T.f32) not in compile_module(small, emit="mlir")
    assert gemm.symbol(T.f32) in compile_module(large, emit="mlir")


def test_other_dtypes_keep_the_loop_nest(one_op_module):
    for dt in (T.s32, T.f16, T.c64):
        m = one_op_module(f"gemm_{dt.name}", [("f", "dot", [TensorType(dt, (64, 64)),
                                                            TensorType(dt, (64, 64))], {})])
        assert "__nxc_gemm" not in compile_module(m, emit="mlir")
