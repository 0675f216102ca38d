"""The pass manager runs passes in order, verifies between them, prints on request."""
import io

import pytest

from nxc.compiler.ir.builder import Builder
from nxc.compiler.ir.core import Module, Operation
from nxc.compiler.ir.types import TensorType
from nxc.compiler.ir import dtypes
from nxc.compiler.passes.base import Pass, PassManager
from nxc.runtime.errors import ArgumentError, VerifyError


def _module():
    m = Module()
    b = Builder()
    fn = b.function(m, "f", [TensorType(dtypes.f32, (3,))], ["x"])
    with b.at(fn.body):
        b.terminate("return", [b.op("exp", fn.params[0])])
    return m


class Rename(Pass):
    name = "rename"

    def run(self, module):
        for fn in module.functions.values():
            for op in fn.body.ops:
                if op.name == "exp":
                    op.name = "log"
        return module


class Break(Pass):
    name = "break"

    def run(self, module):
        fn = module["f"]
        fn.body.ops.insert(0, Operation("return", [], {}, []))
        return module


def test_runs_in_order_and_prints_after():
    out = io.StringIO()
    m = PassManager([Rename()], verify=True, print_after=["rename"], out=out).run(_module())
    assert [op.name for op in m["f"].body.ops] == ["log", "return"]
    assert "// IR after rename" in out.getvalue() and "log(%x)" in out.getvalue()


def test_verifies_between_passes():
    with pytest.raises(VerifyError):
        PassManager([Break()], verify=True).run(_module())


def test_unknown_print_after_is_an_error():
    with pytest.raises(ArgumentError, match="unknown pass"):
        PassManager([Rename()], print_after=["grad"])
