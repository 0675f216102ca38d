"""Diagnostics: every error is a CompileError at an absolute file:line:col of the
user's code, including methods and nested functions (dedented before parsing)."""
import ast
import inspect

import numpy as np
import pytest

import nxc as nx
from nxc.compiler.frontend import lower, source, unsupported
from nxc.runtime.errors import AxisNameError, CompileError, DTypeError, ShapeError

F3 = np.zeros(3, np.float32)
F4 = np.zeros(4, np.float32)


def line_of(marker):
    """The 1-based line of this file holding `marker` in a comment."""
    with open(__file__, encoding="utf-8") as f:
        hits = [i for i, text in enumerate(f, 1) if text.rstrip().endswith(f"# {marker}")]
    assert len(hits) == 1, marker
    return hits[0]


def col_of(marker, text):
    """The 1-based column of `text` on the line holding `marker`."""
    with open(__file__, encoding="utf-8") as f:
        line = f.read().splitlines()[line_of(marker) - 1]
    return line.index(text) + 1


def error_of(fn, *args, **kwargs) -> CompileError:
    with pytest.raises(CompileError) as info:
        fn(*args, **kwargs)
    return info.value


@nx.defn
def add_mismatch(a, b):
    c = a * 2
    return c + b  # E-ADD


def test_type_rule_error_is_located_with_its_kind():
    err = error_of(add_mismatch, F3, F4)
    assert err.loc.file == __file__
    assert (err.loc.line, err.loc.col) == (line_of("E-ADD"), col_of("E-ADD", "c + b"))
    assert err.message == "cannot add f32[3] and f32[4]: dimension 0 differs (3 vs 4)"
    assert err.kind is ShapeError
    text = str(err).splitlines()
    assert text[0] == f"{__file__}:{err.loc.line}:{err.loc.col}: error: {err.message}"
    assert text[1] == "    return c + b  # E-ADD"
    assert text[2] == " " * (err.loc.col - 1) + "^"


@nx.defn
def wrong_type(z):
    return nx.erf(z)  # E-DTYPE


@nx.defn
def wrong_name(x):
    return nx.sum(x, axes=["depth"])  # E-AXIS


def test_dtype_and_axis_name_errors_keep_their_kind():
    err = error_of(wrong_type, np.zeros(2, np.complex64))
    assert err.kind is DTypeError and err.loc.line == line_of("E-DTYPE")
    err = error_of(wrong_name, nx.tensor([[1.0, 2.0]], names=["rows", "cols"]))
    assert err.kind is AxisNameError and err.loc.line == line_of("E-AXIS")
    assert "its axis names are ['rows', 'cols']" in err.message


class Model:
    class Inner:
        @nx.defn
        def method(x):
            y = x + 1
            return y @ nx.reshape(y, (1, 3))  # E-METHOD


def test_method_errors_are_absolute_in_the_file():
    err = error_of(Model.Inner.method, F3)
    assert (err.loc.line, err.loc.col) == (line_of("E-METHOD"), col_of("E-METHOD", "y @"))
    assert str(err).splitlines()[1].strip() == "return y @ nx.reshape(y, (1, 3))  # E-METHOD"


def make_nested():
    def outer():
        @nx.defn
        def nested(x):
            def helper(t):
                return t.missing  # E-NESTED
            return helper(x)
        return nested
    return outer()


def test_nested_function_errors_are_absolute_in_the_file():
    err = error_of(make_nested(), F3)
    assert (err.loc.line, err.loc.col) == (line_of("E-NESTED"), col_of("E-NESTED", "t.missing"))
    assert "a tensor inside defn has no attribute 'missing'" in err.message


@nx.defn
def unicode_columns(x):
    é = x  # noqa: E741
    return é + nx.reshape(é, (3, 1, 1))[0, 0, 0] + F4  # E-UNICODE


def test_columns_count_characters_not_bytes():
    err = error_of(unicode_columns, F3)
    assert err.loc.col == col_of("E-UNICODE", "é + nx")


@nx.defn
def callee(x, y):
    return x + y


@nx.defn
def bad_call(x):
    return callee(x)  # E-ARITY


def test_wrong_number_of_arguments_in_a_call():
    err = error_of(bad_call, F3)
    assert err.loc.line == line_of("E-ARITY")
    assert err.message == "wrong arguments for callee(x, y): missing a required argument: 'y'"


@nx.defn
def loop_changes_type(x, n):
    i = nx.sum(x)
    while i < n:
        i = nx.as_type(i, nx.f64)  # E-LOOP
    return i


def test_loop_state_that_changes_type():
    err = error_of(loop_changes_type, F3, np.float32(2))
    assert (err.loc.line, err.loc.col) == (line_of("E-LOOP"), col_of("E-LOOP", "i = nx"))
    assert "loop variable i changes type in the loop: f32 before the body, f64 after it" \
        in err.message


@nx.defn
def branches_differ(x, y):
    if nx.sum(x) > 0:  # E-BRANCH
        z = x
    else:
        z = y
    return z


def test_branches_of_different_types():
    err = error_of(branches_differ, F3, F4)
    assert err.loc.line == line_of("E-BRANCH")
    assert "give z the types f32[3] and f32[4]" in err.message


@nx.defn
def rejected(x):
    try:  # E-TRY
        y = x
    finally:
        y = x
    return y


def test_rejected_syntax_names_the_construct():
    err = error_of(rejected, F3)
    assert err.loc.line == line_of("E-TRY")
    assert err.message.startswith("try statements are not supported inside defn")


def test_unknown_ast_nodes_are_rejected_by_default():
    class Novel(ast.expr):
        """A node no version of the lowering knows."""

    class NovelStmt(ast.stmt):
        pass

    src = source.Source("model.py", ["x"], 0, [0])
    lw = lower.Lowerer(lower.Session(), src, None, None)
    with pytest.raises(CompileError, match=r"Novel \(Python syntax\) is not supported inside defn"):
        lw.expr(Novel(lineno=1, col_offset=0))
    with pytest.raises(CompileError, match=r"NovelStmt \(Python syntax\) is not supported"):
        lw.exec_body([NovelStmt(lineno=1, col_offset=0)])


def test_the_whitelist_only_names_real_nodes_and_rejected_ones_have_no_handler():
    handlers = [n for n in dir(lower.Lowerer) if n[:2] in ("e_", "s_")]
    assert handlers
    for name in handlers:
        assert isinstance(getattr(ast, name[2:], None), type), name
    for node in unsupported.REJECTED:
        assert not hasattr(lower.Lowerer, "e_" + node.__name__)
        assert not hasattr(lower.Lowerer, "s_" + node.__name__)


def test_no_source_is_a_clear_error():
    namespace = {}
    exec("import nxc as nx\ndef f(x):\n    return x\n", namespace)  # noqa: S102
    with pytest.raises(CompileError, match="cannot read the source of f"):
        nx.defn(namespace["f"])(F3)


def test_errors_in_called_defns_point_at_the_callee():
    @nx.defn
    def inner(a):
        return a + F4  # E-INNER

    @nx.defn
    def outer(a):
        return inner(a) * 2

    err = error_of(outer, F3)
    assert (err.loc.line, err.loc.col) == (line_of("E-INNER"), col_of("E-INNER", "a + F4"))


def test_every_error_names_expected_and_found():
    err = error_of(nx.jit(lambda t: nx.reshape(t, (2, 2))), F3)
    assert "(3 elements)" in err.message and "(4 elements)" in err.message
    assert inspect.getsourcefile(test_every_error_names_expected_and_found) == err.loc.file
