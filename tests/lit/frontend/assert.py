# assert on static facts (shapes, types, options) is checked at compile time
# and leaves nothing in the IR.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @checked(%x: f32[2][3]) -> f32[2][3]
@nx.defn
def checked(x: nx.f32[2, 3]):
    assert x.shape == (2, 3)
    assert x.dtype == nx.f32, "f32 only"
    assert x.rank == 2 and x.names == (None, None)
    # CHECK-NEXT: return %x
    return x
