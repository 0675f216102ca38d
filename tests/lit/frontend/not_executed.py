# nxc compile reads the model without running it: this module's top level
# would fail, and so would the module it imports.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import sys

import nxc as nx
import Inputs.exploding as exploding  # noqa: F401  (raising when imported)

raise SystemExit("the model was executed")
sys.exit(3)


# CHECK: func @fine(%x: f32) -> f32
@nx.defn
def fine(x: nx.f32):
    return exploding.double(x)
