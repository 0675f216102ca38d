"""The verifier: each broken invariant gives a VerifyError naming function, op, location, problem.

Malformed modules are built by hand (the builder and the parser refuse to make
them) or parsed from valid text and then broken.
"""
import numpy as np
import pytest

from nxc.compiler.ir import dtypes
from nxc.compiler.ir.core import Block, Function, Loc, Module, Operation
from nxc.compiler.ir.parser import parse_module
from nxc.compiler.ir.types import TensorType
from nxc.compiler.ir.verifier import verify
from nxc.runtime.errors import VerifyError

F3 = TensorType(dtypes.f32, (3,))
F = TensorType(dtypes.f32, ())
AT = Loc("model.py", 7, 5)

TEXT = """\
func @f(%x: f32[3], %p: u8) -> f32 {
  %n = negate(%x) : f32[3] loc("model.py":7:5)
  %s = sum(%n) {axes = (0), keep_axes = false} : f32 loc("model.py":8:5)
  %r = cond(%p) : f32 ({
    %inner = multiply(%s, %s) : f32 loc("model.py":9:9)
    yield %inner
  }, {
    yield %s
  }) loc("model.py":10:5)
  return %r loc("model.py":11:5)
}
"""


def parsed():
    module = parse_module(TEXT, "f.nxir")
    fn = module["f"]
    return module, fn, fn.body.ops


def fails(module, message):
    with pytest.raises(VerifyError) as info:
        verify(module)
    assert str(info.value) == message
    return info.value


def hand_built(make_ops, params=(F3,)):
    """A module with one function @g whose body holds make_ops(params)."""
    body = Block(list(params), ["x"] * len(params))
    body.ops.extend(make_ops(body.args))
    module = Module()
    module.add(Function("g", body))
    return module, body


def test_a_valid_module_passes():
    module, _, _ = parsed()
    assert verify(module) is module


def test_unknown_op():
    def ops(args):
        op = Operation("frobnicate", args, {}, [F3], loc=AT)
        return [op, Operation("return", op.results, {}, [])]
    module, _ = hand_built(ops)
    err = fails(module, "function @g: op frobnicate at model.py:7:5: "
                        "unknown op 'frobnicate': it is not in the op registry")
    assert err.function == "g" and err.op.name == "frobnicate" and err.loc == AT


def test_use_before_definition():
    module, fn, ops = parsed()
    ops[0], ops[1] = ops[1], ops[0]
    fails(module, "function @f: op sum at model.py:8:5: operand 0 %n is used before it is defined")


def test_region_values_are_not_visible_outside():
    module, fn, ops = parsed()
    inner = ops[2].regions[0].ops[0].result
    ops[3].operands[0] = inner
    fails(module, "function @f: op return at model.py:11:5: operand 0 %inner is defined "
                  "inside a region and not visible here")


def test_value_from_another_function():
    module, fn, ops = parsed()
    other = parse_module(TEXT)["f"]
    ops[1].operands[0] = other.body.ops[0].result
    fails(module, "function @f: op sum at model.py:8:5: operand 0 (a value of type f32[3]) "
                  "is not defined in this function")


def test_value_defined_twice():
    module, fn, ops = parsed()
    ops.insert(1, ops[0])
    fails(module, "function @f: op negate at model.py:7:5: defines %n a second time")


def test_missing_terminator():
    module, fn, ops = parsed()
    ops.pop()
    fails(module, "function @f: at <unknown>: the function body does not end with return")


def test_terminator_before_the_end():
    module, fn, ops = parsed()
    ops.insert(2, Operation("return", [ops[1].result], {}, [], loc=AT))
    fails(module, "function @f: op return at model.py:7:5: a terminator must be the last op "
                  "of its block, in the function body")


def test_region_must_end_with_yield():
    module, fn, ops = parsed()
    region = ops[2].regions[1]
    region.ops[-1] = Operation("return", region.ops[-1].operands, {}, [], loc=AT)
    fails(module, "function @f: op return at model.py:7:5: a region of cond must end with "
                  "yield, not return")


def test_function_body_must_end_with_return():
    module, fn, ops = parsed()
    ops[-1] = Operation("yield", ops[-1].operands, {}, [], loc=AT)
    fails(module, "function @f: op yield at model.py:7:5: the function body must end with "
                  "return, not yield")


def test_terminators_take_no_attributes():
    module, fn, ops = parsed()
    ops[-1].attrs["why"] = 1
    fails(module, "function @f: op return at model.py:11:5: return takes no attributes, "
                  "results or regions")


def test_non_canonical_attribute():
    module, fn, ops = parsed()
    ops[1].attrs["axes"] = (-1,)
    fails(module, "function @f: op sum at model.py:8:5: attribute axes = (-1) is not "
                  "canonical: expected (0)")


def test_missing_attribute():
    module, fn, ops = parsed()
    del ops[1].attrs["keep_axes"]
    fails(module, "function @f: op sum at model.py:8:5: attribute keep_axes is missing "
                  "(canonical: false)")


def test_unknown_attribute():
    module, fn, ops = parsed()
    ops[0].attrs["fast"] = True
    fails(module, "function @f: op negate at model.py:7:5: negate got unknown option(s) fast; "
                  "it takes no options")


def test_attribute_of_a_kind_the_ir_cannot_hold():
    module, fn, ops = parsed()
    ops[1].attrs["axes"] = [0]
    fails(module, "function @f: op sum at model.py:8:5: attribute axes holds [0] of type list, "
                  "which the IR cannot hold")


def test_result_type_differs_from_the_type_rule():
    module, fn, ops = parsed()
    ops[0].results[0].type = TensorType(dtypes.f64, (3,))
    fails(module, "function @f: op negate at model.py:7:5: result types (f64[3]) differ from "
                  "its type rule's (f32[3])")


def test_operand_type_the_op_does_not_accept():
    def ops(args):
        op = Operation("less", [args[0], args[0]], {}, [TensorType(dtypes.u8, (3,))], loc=AT)
        return [op, Operation("return", op.results, {}, [])]
    module, _ = hand_built(ops, params=(TensorType(dtypes.c64, (3,)),))
    fails(module, "function @g: op less at model.py:7:5: less does not accept c64 "
                  "(operand c64[3]); it accepts real types")


def test_region_count():
    module, fn, ops = parsed()
    ops[2].regions.pop()
    fails(module, "function @f: op cond at model.py:10:5: has 1 region(s), cond takes 2")


def test_module_key_must_be_the_function_name():
    module, fn, ops = parsed()
    module.functions["h"] = module.functions.pop("f")
    fails(module, "function @f: at <unknown>: is listed in its module under the name @h")


def test_constant_array_attributes_compare_bit_for_bit():
    module = parse_module("func @c() -> f32[2] {\n"
                          "  %0 = constant() {value = dense<f32[2]: [nan, -0.0]>} : f32[2]\n"
                          "  return %0\n}\n")
    verify(module)  # NaN equals itself here: attributes compare by bits
    op = module["c"].body.ops[0]
    op.attrs["value"] = np.array([True, False])
    fails(module, "function @c: op constant at <unknown>: attribute value holds an array of "
                  "numpy bool (canonical arrays are u8), which the IR cannot hold")
