"""docs/ops.md is generated from the registry and the composite table: it must
be up to date, and it must list every op and composite."""
import nxc  # noqa: F401  (registers every composite)
from nxc.compiler import opsdoc
from nxc.compiler.ir import registry
from nxc.composite import COMPOSITES


def test_ops_doc_is_up_to_date():
    assert opsdoc.DOC.read_text() == opsdoc.render(), (
        "docs/ops.md is stale: regenerate it with `python -m nxc.compiler.opsdoc --write`")


def test_every_op_and_composite_has_a_row():
    names = [row.split("|")[1].strip().strip("`") for row in opsdoc.rows()]
    assert names == sorted(set(registry.all_ops()) | set(COMPOSITES))


def test_rows_read_the_rule_tables():
    table = {row.split("|")[1].strip().strip("`"): [c.strip() for c in row.split("|")[2:-1]]
             for row in opsdoc.rows()}
    assert table["sin"][:5] == ["primitive", "all", "yes", "yes", "yes"]
    assert table["bitwise_and"][:5] == ["primitive", "integer", "zero", "yes", "yes"]
    assert table["quotient"][2] == "no"
    assert table["iota"][3] == "n/a"
    assert table["softmax"][:5] == ["composite", "float", "yes", "yes", "yes"]
    assert table["one_hot"][2] == "no"
    assert table["sin"][5] == "yes" and table["print_value"][5] == "no"


def test_dtype_labels():
    from nxc.compiler.ir import dtypes as T
    assert opsdoc.dtype_label(T.ALL) == "all"
    assert opsdoc.dtype_label(T.INEXACT) == "float, complex"
    assert opsdoc.dtype_label((T.u8, T.f32)) == "u8 f32"
