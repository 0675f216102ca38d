# `import layers` finds layers.py next to the model (here: Inputs/model.py).
# RUN: %nxc compile %S/Inputs/model.py --emit ir | FileCheck %s
# CHECK-LABEL: func @model(%x: f32[1][2], %w: f32[2][2], %b: f32[2]) -> f32[1][2]
# CHECK: dot(%x, %w) {{.*}} loc("{{.*}}layers.py":10:9)
# CHECK: max({{.*}} loc("{{.*}}layers.py":11:12)
# CHECK: return
