# An error inside an imported defn points into that file.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


import Inputs.bad_layers as layers


@nx.defn
def f(x: nx.f32[2, 3], w: nx.f32[4, 5]):
    return layers.project(x, w)
# CHECK: {{.*}}Inputs{{/|\\}}bad_layers.py:6:12: error: {{.*}}dot{{.*}}
# CHECK-NEXT: {{^}}    return x @ w
# CHECK-NEXT: {{^}}           ^
