"""Vectorized tensors (nx.vectorize) inside defn: operators, if, while and for have
Nx's per-entry meaning; a returned vectorized tensor comes back devectorized.

Oracles: numpy loops over the entries, written by hand in float64.
"""
import inspect

import numpy as np
import pytest

import nxc as nx
from nxc.compiler.ir.core import walk
from nxc.compiler.ir.verifier import verify_function
from nxc.runtime.errors import ArgumentError, CompileError

rng = np.random.default_rng(11)


def line_of(fn, text):
    """The file line of the first source line of `fn` that contains `text`."""
    lines, first = inspect.getsourcelines(fn.fn)
    return first + next(i for i, line in enumerate(lines) if text in line)


def ops(defn, *args):
    fn = defn.specialize(*args).function
    verify_function(fn)
    return [op for op in walk(fn.body)]


@nx.defn
def scale_rows(x, w):
    v = nx.vectorize(x, "rows")
    y = v * w - 1.0
    return y


def test_operators_on_vectorized_values_are_located_and_the_result_is_devectorized():
    x, w = rng.normal(size=(2, 3)), rng.normal(size=3)
    out = scale_rows(x, w)
    assert out.names == ("rows", None)  # devectorize(keep_names=True)
    np.testing.assert_allclose(np.asarray(out), x * w - 1.0, rtol=1e-15)
    line = line_of(scale_rows, "y = v * w")
    by_name = {op.name: op for op in ops(scale_rows, x, w)}
    assert (by_name["multiply"].loc.line, by_name["multiply"].loc.col) == (line, 9)
    assert (by_name["subtract"].loc.line, by_name["subtract"].loc.col) == (line, 9)
    assert by_name["multiply"].loc.file.endswith("test_frontend_vectorize.py")


@nx.defn
def facts(x):
    v = nx.vectorize(x, "rows")
    n = v.shape[0] + len(v.vectorized_axes)  # static: the entry's shape, one axis
    return v[0] * n + v[-1]


def test_static_facts_and_indexing_refer_to_one_entry():
    x = rng.normal(size=(4, 3))
    np.testing.assert_allclose(np.asarray(facts(x)), x[:, 0] * 4 + x[:, -1], rtol=1e-15)


@nx.defn
def piecewise(x):
    v = nx.vectorize(x, "n")
    if v > 0:
        y = v * 2
    else:
        y = -v
    z = v + 1 if v < 1 else v - 1
    return y, z


def test_if_on_a_vectorized_condition_takes_each_entry_s_branch():
    x = np.array([1.5, -2.0, 0.0, 3.0, 0.5])
    y, z = piecewise(x)
    want_y = [e * 2 if e > 0 else -e for e in x]
    want_z = [e + 1 if e < 1 else e - 1 for e in x]
    np.testing.assert_allclose(np.asarray(y), want_y, rtol=1e-15)
    np.testing.assert_allclose(np.asarray(z), want_z, rtol=1e-15)
    names = [op.name for op in ops(piecewise, x)]
    assert "cond" not in names and names.count("select") == 2


@nx.defn
def early(x):
    v = nx.vectorize(x, "n")
    if nx.sum(v) < 0:
        return v * 0
    w = v * v
    return w + 1


def test_if_that_returns_on_a_vectorized_condition():
    x = rng.normal(size=(4, 2))
    want = [np.zeros(2) if e.sum() < 0 else e * e + 1 for e in x]
    np.testing.assert_allclose(np.asarray(early(x)), want, rtol=1e-15)


@nx.defn
def shared_condition(x, p):
    v = nx.vectorize(x, "n")
    if p > 0:
        s = nx.sum(v)
    else:
        s = 1.0
    return s


@pytest.mark.parametrize("p", [1.0, -1.0])
def test_shared_condition_with_vectorized_branches_is_one_cond(p):
    x = rng.normal(size=(3, 4))
    out = shared_condition(x, np.float64(p))
    assert out.names == ("n",)
    want = x.sum(axis=1) if p > 0 else np.ones(3)
    np.testing.assert_allclose(np.asarray(out), want, rtol=1e-14)
    names = [op.name for op in ops(shared_condition, x, np.float64(p))]
    assert names.count("cond") == 1 and "select" not in names


@nx.defn
def doubling(x, limit):
    v = nx.vectorize(x, "n")
    steps = 0
    while v < limit:
        v = v * 2 + 1
        steps = steps + 1
    return v, steps


def test_while_on_a_vectorized_condition_runs_each_entry_to_its_end():
    x = np.array([150.0, 1.0, 10.0, 0.5, 99.0])
    v, steps = doubling(x, np.float64(100.0))
    want_v, want_steps = [], []
    for e in x:  # the loop, entry by entry
        k = 0
        while e < 100:
            e, k = e * 2 + 1, k + 1
        want_v.append(e)
        want_steps.append(k)
    np.testing.assert_array_equal(np.asarray(steps), want_steps)
    np.testing.assert_array_equal(np.asarray(v), want_v)
    assert steps.dtype == nx.s32 and steps.names == ("n",)
    loops = [op for op in ops(doubling, x, np.float64(100.0)) if op.name == "while"]
    assert len(loops) == 1 and any(op.name == "any" for op in walk(loops[0].regions[0]))


@nx.defn
def weighted_sum(x):
    v = nx.vectorize(x, "n")
    acc = 0.0
    for i in range(1, 4):
        acc = acc + v * i
    return acc


def test_for_with_vectorized_state():
    x = rng.normal(size=(3, 2)).astype(np.float32)
    out = weighted_sum(x)
    assert out.dtype == nx.f32 and out.names == ("n", None)
    np.testing.assert_allclose(np.asarray(out), x.astype(np.float64) * 6, rtol=1e-6)
    assert not any(op.name == "for" for op in ops(weighted_sum, x))  # a while over i


@nx.defn
def count_up(x):
    v = nx.vectorize(x, "n")
    acc = nx.sum(v) * 0
    for i in range(3):
        acc = acc + i
    return acc


def test_for_whose_state_is_vectorized_from_the_start():
    x = rng.normal(size=(2, 5))
    np.testing.assert_allclose(np.asarray(count_up(x)), [3.0, 3.0])


CAPTURED = nx.vectorize(np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), "k")


@nx.defn
def uses_captured(x):
    return CAPTURED * x


def test_a_captured_vectorized_tensor_is_a_constant():
    x = np.array([10.0, 100.0])
    out = uses_captured(x)
    assert out.names == ("k", None)
    np.testing.assert_array_equal(np.asarray(out), np.array([[1, 2], [3, 4], [5, 6]]) * x)


@nx.defn
def wrong_predicate(x):
    v = nx.vectorize(x, "n")
    if v > 0:  # one truth value per entry of v, and v's entries are vectors
        v = v * 2
    return v


def test_a_vectorized_condition_must_be_scalar_per_entry():
    with pytest.raises(CompileError, match=r"the condition of an if must be a scalar tensor, "
                                           r"got u8\[3\]") as e:
        wrong_predicate(np.zeros((2, 3)))
    assert e.value.loc.line == line_of(wrong_predicate, "if v > 0")


def test_a_defn_called_from_python_takes_ordinary_tensors():
    with pytest.raises(ArgumentError, match="devectorize"):
        scale_rows(nx.vectorize(np.zeros((2, 3)), "rows"), np.zeros(3))


@nx.defn
def collatz_steps(x):
    v = nx.vectorize(x, "n")
    steps = 0
    while v > 1:
        if nx.remainder(v, 2) == 0:  # an if per entry inside a loop per entry
            v = nx.quotient(v, 2)
        else:
            v = 3 * v + 1
        steps += 1
    return steps


def test_an_if_per_entry_inside_a_loop_per_entry():
    x = np.array([1, 6, 7, 27], np.int32)
    want = []
    for e in x.tolist():
        k = 0
        while e > 1:
            e = e // 2 if e % 2 == 0 else 3 * e + 1
            k += 1
        want.append(k)
    assert want == [0, 8, 16, 111]
    np.testing.assert_array_equal(np.asarray(collatz_steps(x)), want)
