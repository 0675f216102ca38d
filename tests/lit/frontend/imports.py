# A model importing helpers from a sibling file and from a package (relative
# imports inside it): found on disk (here in Inputs/, put on the path by
# PYTHONPATH like any directory of sys.path), read, never executed.
# RUN: env PYTHONPATH=%S/Inputs %nxc compile %s --emit ir | FileCheck %s
import nxc as nx
import layers
from layers import SCALE
from layers import dense as layer
import pkg
from pkg.acts import gelu


# CHECK-LABEL: func @model(%x: f32[2][4], %w: f32[4][3], %b: f32[3]) -> (f32[2][3], f32[2][3])
@nx.defn
def model(x: nx.f32[2, 4], w: nx.f32[4, 3], b: nx.f32[3]):
    # CHECK: dot(%x, %w) {{.*}} loc("{{.*}}Inputs{{/|\\}}layers.py":10:9)
    # CHECK: constant() {value = dense<f32: 3.0>}
    h = layers.dense(x, w, b, relu=False) * SCALE
    # CHECK: max({{.*}} loc("{{.*}}layers.py":11:12)
    # CHECK: %[[C:.*]] = constant() {value = dense<f32: 0.7978846>}
    # CHECK: tanh({{.*}} loc("{{.*}}pkg{{/|\\}}acts.py":9:33)
    # CHECK: multiply({{.*}} loc("{{.*}}deep.py":6:12)
    # The simplifier (CSE) gives the second gelu the first one's constants.
    # CHECK: multiply(%[[C]],
    # CHECK: tanh
    return pkg.gelu(layer(x, w, b)), gelu(h)
