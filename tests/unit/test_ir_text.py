"""The textual IR: printing, parsing, exact round trips, parse errors, `nxc opt`."""
import math
import struct

import ml_dtypes
import numpy as np
import pytest
from click.testing import CliRunner

from nxc.cli.main import main as cli
from nxc.compiler.ir import dtypes, registry
from nxc.compiler.ir.builder import Builder
from nxc.compiler.ir.core import Loc, Module
from nxc.compiler.ir.interpreter import run_function
from nxc.compiler.ir.parser import parse_module, parse_type
from nxc.compiler.ir.printer import format_attr, format_type, print_module
from nxc.compiler.ir.types import Dim, TensorType
from nxc.compiler.ir.verifier import same_attr, verify
from nxc.runtime.errors import ArgumentError, IRParseError

T = TensorType
f32, f64, s32, u8 = dtypes.f32, dtypes.f64, dtypes.s32, dtypes.u8


def round_trip(module):
    """Print, parse, print again: the texts must be equal and both modules valid."""
    verify(module)
    text = print_module(module)
    parsed = parse_module(text, "rt.nxir")
    verify(parsed)
    assert print_module(parsed) == text
    return parsed, text


def one_op_module(name, types, attrs, regions=()):
    m, b = Module(), Builder()
    fn = b.function(m, "f", types)
    with b.at(fn.body):
        op = b.make(name, fn.params, attrs, regions)
        b.terminate("return", op.results)
    return m


def ops_of(module):
    return [op for op in module["f"].body.ops if op.name != "return"]


# ---------------------------------------------------------------------------
# Every registered op round trips
# ---------------------------------------------------------------------------

DTYPES = (dtypes.u8, dtypes.s64, dtypes.f16, dtypes.bf16, dtypes.f32, dtypes.c64)


def _sample_dtypes(opdef):
    chosen = [t for t in DTYPES if t in opdef.accepts]
    return chosen or list(opdef.accepts[:1])


@pytest.mark.parametrize("name", sorted(registry.all_ops()))
def test_every_op_round_trips(name):
    opdef = registry.get(name)
    if opdef.regions:
        assert name in REGION_CASES, f"region op {name} needs a case in REGION_CASES"
        cases = REGION_CASES[name]()
    else:
        assert opdef.samples is not None, f"op {name} has no samples to round-trip"
        cases = [one_op_module(name, types, attrs)
                 for dt in _sample_dtypes(opdef) for types, attrs in opdef.samples(dt)]
    assert cases
    for module in cases:
        parsed, text = round_trip(module)
        for before, after in zip(ops_of(module), ops_of(parsed)):
            assert before.attrs.keys() == after.attrs.keys(), text
            for k in before.attrs:
                assert same_attr(before.attrs[k], after.attrs[k]), (k, text)
            assert before.result_types == after.result_types


# -- region ops, built by hand ----------------------------------------------

def _cond_case():
    m, b = Module(), Builder()
    fn = b.function(m, "f", [T(u8, ()), T(f32, (3,))], hints=["p", "x"])
    p, x = fn.params
    with b.at(fn.body):
        then, other = b.region(), b.region()
        with b.at(then):
            b.terminate("yield", [b.op("negate", x)])
        with b.at(other):
            b.terminate("yield", [x])
        b.terminate("return", [b.op("cond", p, regions=[then, other])])
    return [m]


def _while_case():
    m, b = Module(), Builder()
    fn = b.function(m, "f", [T(f64, ()), T(s32, ())], hints=["x", "n"])
    x, n = fn.params
    with b.at(fn.body):
        test, body = b.region([T(f64, ()), T(s32, ())], ["x", "i"]), b.region([T(f64, ()), T(s32, ())])
        with b.at(test):
            b.terminate("yield", [b.op("less", test.args[1], n)])
        with b.at(body):
            y, i = body.args
            b.terminate("yield", [b.op("multiply", y, 2.0), b.op("add", i, 1)])
        zero = b.constant(0, dtypes.s32)
        b.terminate("return", b.op("while", x, zero, regions=[test, body], loc=Loc("w.py", 3, 9)))
    return [m]


def _for_case():
    m, b = Module(), Builder()
    fn = b.function(m, "f", [T(s32, (2,))])
    (x,) = fn.params
    with b.at(fn.body):
        body = b.region([T(s32, ()), T(s32, (2,))], ["i", "acc"])
        with b.at(body):
            b.terminate("yield", [b.op("add", body.args[1], body.args[0])])
        b.terminate("return", [b.op("for", x, start=1, stop=4, regions=[body])])
    return [m]


def _custom_grad_case():
    m, b = Module(), Builder()
    fn = b.function(m, "f", [T(f32, (3,))], hints=["x"])
    (x,) = fn.params
    with b.at(fn.body):
        grad = b.region([T(f32, (3,))], ["g"])
        with b.at(grad):
            b.terminate("yield", [b.op("multiply", grad.args[0], 2.0)])
        b.terminate("return", [b.op("custom_grad", b.op("exp", x), x, regions=[grad])])
    return [m]


REGION_CASES = {"cond": _cond_case, "while": _while_case, "for": _for_case,
                "custom_grad": _custom_grad_case}


def _fold_case(name, **attrs):
    def case():
        m, b = Module(), Builder()
        fn = b.function(m, "f", [T(f32, (2, 3)), T(f32, ())], hints=["x", "acc"])
        x, acc = fn.params
        with b.at(fn.body):
            reducer = b.region([T(f32, ()), T(f32, ())])
            with b.at(reducer):
                b.terminate("yield", [b.op("max", *reducer.args)])
            b.terminate("return", [b.op(name, x, acc, regions=[reducer], **attrs)])
        return [m]
    return case


REGION_CASES["reduce"] = _fold_case("reduce", axes=(1,))
REGION_CASES["window_reduce"] = _fold_case("window_reduce", window_dimensions=(1, 2),
                                           padding="same", strides=(1, 2))


def test_parsed_region_ops_compute_what_the_originals_compute():
    (w,) = _while_case()
    parsed, text = round_trip(w)
    assert "%1:2 = while(%x, %0) : f64, s32 ({" in text and "return %1#0, %1#1" in text
    # x doubles n times: 1.5 * 2**5
    for module in (w, parsed):
        out = run_function(module["f"], np.float64(1.5), np.int32(5))
        assert out[0] == 48.0 and out[1] == 5
    (f,) = _for_case()
    parsed, _ = round_trip(f)
    out = run_function(parsed["f"], np.array([10, 20], np.int32))
    assert out[0].tolist() == [16, 26]  # + 1 + 2 + 3


def test_the_documented_example_round_trips_and_runs():
    text = """\
func @softmax(%t: f32[n: ?n]) -> f32[n: ?n] loc("model.py":4:1) {
  %0 = reduce_max(%t) {axes = (0), keep_axes = false} : f32 loc("model.py":5:24)
  %1 = subtract(%t, %0) : f32[n: ?n] loc("model.py":5:16)
  %2 = exp(%1) : f32[n: ?n]
  %3 = sum(%2) {axes = (0), keep_axes = false} : f32
  %4 = divide(%2, %3) : f32[n: ?n]
  return %4
}
"""
    module = parse_module(text, "softmax.nxir")
    verify(module)
    assert print_module(module) == text
    fn = module["softmax"]
    assert fn.loc == Loc("model.py", 4, 1)
    assert fn.body.ops[0].loc == Loc("model.py", 5, 24)
    (out,) = run_function(fn, np.array([1.0, 2.0, 3.0], np.float32))
    e = [math.exp(v - 3.0) for v in (1.0, 2.0, 3.0)]
    np.testing.assert_allclose(out, [v / sum(e) for v in e], rtol=1e-6)


# ---------------------------------------------------------------------------
# Exactness of numbers
# ---------------------------------------------------------------------------

def _random_bits(dt, n, seed):
    np_dtype = dt.numpy if not dt.is_complex else dt.real.numpy
    width = np.dtype(np_dtype).itemsize
    raw = np.random.default_rng(seed).integers(0, 256, size=n * width * (2 if dt.is_complex else 1),
                                               dtype=np.uint8)
    return raw.view(dt.numpy)


@pytest.mark.parametrize("dt", [dtypes.f16, dtypes.bf16, dtypes.f32, dtypes.f64,
                                dtypes.c64, dtypes.c128], ids=str)
def test_constants_keep_every_bit(dt):
    # Random bit patterns hit subnormals, NaN payloads (signaling ones too) and extremes.
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 0.1, 1 / 3, 65504.0, 1e-8])
    values = np.concatenate([_random_bits(dt, 300, seed=dt.bits), special.astype(dt.numpy)])
    m, b = Module(), Builder()
    fn = b.function(m, "f", [])
    with b.at(fn.body):
        b.terminate("return", [b.constant(values.reshape(3, -1))])
    parsed, text = round_trip(m)
    got = parsed["f"].body.ops[0].attrs["value"]
    assert got.dtype == dt.numpy and got.shape == (3, values.size // 3)
    assert got.tobytes() == values.tobytes()


@pytest.mark.parametrize("dt", dtypes.INTEGER, ids=str)
def test_integer_constants_keep_their_extremes(dt):
    info = np.iinfo(dt.numpy)
    values = np.array([info.min, info.max, 0, 1], dt.numpy)
    m, b = Module(), Builder()
    fn = b.function(m, "f", [])
    with b.at(fn.body):
        b.terminate("return", [b.constant(values)])
    parsed, text = round_trip(m)
    assert f"dense<{dt}[4]: [{info.min}, {info.max}, 0, 1]>" in text
    assert same_attr(parsed["f"].body.ops[0].attrs["value"], values)


def test_readable_floats_where_exact():
    a = np.array([0.1, 2.0, -0.0, 1e20], np.float32)
    assert format_attr(a) == "dense<f32[4]: [0.1, 2.0, -0.0, 1e+20]>"
    assert format_attr(np.array(0.1, ml_dtypes.bfloat16)) == "dense<bf16: 0.1>"
    assert format_attr(np.array([1 + 2j], np.complex128)) == "dense<c128[1]: [(1.0, 2.0)]>"
    assert format_attr(np.array([np.nan], np.float32)) == "dense<f32[1]: [nan]>"
    assert format_attr(-np.array([np.nan], np.float32)) == "dense<f32[1]: [nan(0xffc00000)]>"


def test_function_attributes_keep_every_f64():
    rng = np.random.default_rng(7)
    bits = [int(x) for x in rng.integers(0, 2**63, size=200, dtype=np.uint64)]
    bits += [0x7FF0000000000001, 0xFFF8000000000000, 0x8000000000000000, 1, 0x7FEFFFFFFFFFFFFF]
    floats = tuple(struct.unpack(">d", struct.pack(">Q", b))[0] for b in bits)
    m, b = Module(name="attrs"), Builder()
    fn = b.function(m, "f", [], doc="Doc with \"quotes\"\n\tand é", floats=floats,
                    mixed=((1, -2.5), (None, True, False), "s", f32, Dim("n"),
                           T(f32, (Dim("n"), 3), ("rows", None)), np.arange(3, dtype=np.int16)))
    with b.at(fn.body):
        b.terminate("return", [])
    parsed, text = round_trip(m)
    assert parsed.name == "attrs"
    for k, v in fn.attrs.items():
        assert same_attr(parsed["f"].attrs[k], v), k
    got = [struct.unpack(">Q", struct.pack(">d", x))[0] for x in parsed["f"].attrs["floats"]]
    assert got == bits


# ---------------------------------------------------------------------------
# Types and value names
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("t", [T(f32, ()), T(s32, (2, 3)), T(f32, (Dim("n"), 3), ("n", None)),
                               T(dtypes.c128, (0,), ("rows",)), T(u8, (Dim("b"), Dim("t")))],
                         ids=str)
def test_types_print_in_nx_notation_and_parse_back(t):
    assert format_type(t) == str(t)
    assert parse_type(str(t)) == t


def test_unusual_names_are_quoted():
    t = T(f32, (Dim("batch size"), 2), ("my axis", "x:y"))
    assert format_type(t) == 'f32["my axis": ?"batch size"]["x:y": 2]'
    assert parse_type(format_type(t)) == t


def test_value_names_come_from_hints_and_stay_unique():
    m, b = Module(), Builder()
    fn = b.function(m, "f", [T(f32, ()), T(f32, ())], hints=["x", None])
    x, y = fn.params
    with b.at(fn.body):
        a = b.op("add", x, y)
        a.hint = "x"
        c = b.op("multiply", a, a)
        c.hint = "bad name"  # not an identifier: numbered instead
        b.terminate("return", [c])
    parsed, text = round_trip(m)
    assert text.splitlines()[1:3] == ["  %x.1 = add(%x, %0) : f32",
                                      "  %1 = multiply(%x.1, %x.1) : f32"]
    assert [v.hint for v in parsed["f"].params] == ["x", None]


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

GOOD = "func @f(%x: f32[3]) -> f32[3] {\n  %0 = negate(%x) : f32[3]\n  return %0\n}\n"


PARSE_ERRORS = [
    (GOOD.replace("negate", "negat"), 2, 8, "unknown op 'negat'"),
    (GOOD.replace("(%x) :", "(%y) :"), 2, 15, "value %y is not defined here"),
    (GOOD.replace(": f32[3]\n", ": f32[4]\n"), 2, 21, "negate gives f32[3], the text declares f32[4]"),
    (GOOD.replace("-> f32[3]", "-> f32"), 1, 24, "declares results (f32) but returns (f32[3])"),
    (GOOD.replace("return %0\n", ""), 3, 3, "expected 'return' before '}'"),
    (GOOD.replace("return %0\n", "return %0\n  return %0\n"), 4, 3, "nothing may follow it"),
    (GOOD.replace("return", "yield"), 3, 3, "a function body ends with 'return', found 'yield'"),
    (GOOD.replace("%0 = negate", "%x = negate"), 2, 3, "value %x is defined twice"),
    (GOOD.replace("negate(%x)", "negate(%x) {bogus = 1}"), 2, 8, "negate got unknown option(s) bogus"),
    (GOOD.replace("f32[3]) ->", "f33[3]) ->"), 1, 13, "expected a type such as f32[2][3], found 'f33'"),
    (GOOD.replace("[3]) ->", "[-3]) ->"), 1, 17, "expected a dimension (a size such as 3, or ?n), found '-3'"),
    (GOOD + "func @f() -> () {\n  return\n}\n", 5, 1, "function @f is defined twice"),
    (GOOD.replace("%0 = negate", "%0 = $negate"), 2, 8, "unexpected character '$'"),
    (GOOD.replace("%0\n}", '%0 loc("a.py)\n}'), 3, 17, "unterminated string"),
    ('func @f() -> s32 {\n  %0 = constant() {value = [1]} : s32\n  return %0\n}', 2, 28,
     "expected an attribute value"),
    ('func @f() -> f32 {\n  %0 = constant() {value = dense<f32: nan(0x7ff8000000000001)>} : f32\n'
     '  return %0\n}', 2, 43, "NaN bits 0x7ff8000000000001 do not fit 32 bits"),
    ("module @m\nfunc @f() -> () {\n  return\n}\nmodule @n\n", 5, 1, "expected 'func'"),
]


@pytest.mark.parametrize("text, line, col, message", PARSE_ERRORS,
                         ids=[case[3] for case in PARSE_ERRORS])
def test_parse_errors_point_at_the_offending_token(text, line, col, message):
    with pytest.raises(IRParseError) as info:
        parse_module(text, "bad.nxir")
    err = info.value
    assert (err.file, err.line, err.col) == ("bad.nxir", line, col), str(err)
    assert message in err.message
    assert str(err).startswith(f"bad.nxir:{line}:{col}: ")


def test_any_truncated_text_gives_a_parse_error_not_a_crash():
    (module,) = _while_case()
    text = print_module(module)
    for cut in range(1, len(text) - 1):  # every prefix that stops before the final "}"
        with pytest.raises(IRParseError):
            parse_module(text[:cut])


@pytest.mark.parametrize("value", [[1, 2], {"a": 1}, np.int64(3), (1, object()),
                                   np.array([True])])
def test_values_the_ir_cannot_hold_are_rejected_when_printed(value):
    with pytest.raises(ArgumentError, match="the IR cannot hold the attribute value"):
        format_attr(value)


# ---------------------------------------------------------------------------
# nxc opt
# ---------------------------------------------------------------------------

def test_opt_prints_the_module(tmp_path):
    path = tmp_path / "ok.nxir"
    path.write_text(GOOD.replace("%0", "%y"))
    result = CliRunner().invoke(cli, ["opt", str(path)])
    assert result.exit_code == 0, result.output
    assert result.output == GOOD.replace("%0", "%y")


def test_opt_reads_stdin():
    result = CliRunner().invoke(cli, ["opt", "-"], input=GOOD)
    assert result.exit_code == 0 and result.output == GOOD


def test_opt_reports_errors_without_a_traceback(tmp_path):
    path = tmp_path / "bad.nxir"
    path.write_text(GOOD.replace("(%x) :", "(%y) :"))
    result = CliRunner().invoke(cli, ["opt", str(path)])
    assert result.exit_code == 1
    assert result.output == (f"{path}:2:15: error: value %y is not defined here\n"
                             "  %0 = negate(%y) : f32[3]\n"
                             "              ^\n")
    debug = CliRunner().invoke(cli, ["opt", "--debug", str(path)])
    assert isinstance(debug.exception, IRParseError)


def test_opt_reports_a_missing_file(tmp_path):
    result = CliRunner().invoke(cli, ["opt", str(tmp_path / "none.nxir")])
    assert result.exit_code == 1
    assert "none.nxir: error: cannot read the file" in result.output
    assert "Traceback" not in result.output
