# Docstrings (and other string statements) are ignored.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @documented(%x: f32) -> f32
@nx.defn
def documented(x: nx.f32):
    """Returns x, unchanged.

    A long docstring.
    """
    "a string statement"
    # CHECK-NEXT: return %x
    return x
