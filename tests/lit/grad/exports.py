# Module-level gradients are exported: nxc compile finds `dloss = nx.grad(loss)`
# without running the module and compiles it for loss's annotated signature.
# RUN: %nxc compile %s --emit ir | FileCheck %s
# RUN: %nxc compile %s --emit ir --function vg | FileCheck %s --check-prefix=ONE
import nxc as nx


@nx.defn
def loss(w: nx.f32[3, 2], x: nx.f32[3]):
    return nx.sum(nx.tanh(x @ w))


# The gradient takes loss's parameters and returns one gradient, located at the
# assignment; the backward ops are located at the ops they derive from.
# CHECK-LABEL: func @dloss(
# CHECK-SAME: %w: f32[3][2], %x: f32[3]) -> f32[3][2] loc("{{.*}}exports.py":[[@LINE+7]]:1)
# CHECK:      %[[Y:.*]] = tanh(%{{.*}}) : f32[2] loc("{{.*}}exports.py":10:19)
# CHECK:      %[[YY:.*]] = multiply(%[[Y]], %[[Y]]) : f32[2] loc("{{.*}}exports.py":10:19)
# CHECK:      %[[G:.*]] = subtract(%{{.*}}, %[[YY]]) : f32[2] loc("{{.*}}exports.py":10:19)
# CHECK:      %[[W:.*]] = dot(%x, %[[G]]) {contract_axes = ((), ()), batch_axes = ((), ())} : f32[3][2] loc("{{.*}}exports.py":10:27)
# CHECK-NEXT: return %[[W]]
# CHECK-NEXT: }
dloss = nx.grad(loss)

# value_and_grad with a tuple of argnums: the value, then one gradient each.
# CHECK-LABEL: func @vg(%w: f32[3][2], %x: f32[3]) -> (f32, f32[3][2], f32[3])
# CHECK:      %[[V:.*]] = sum(
# CHECK:      %[[DX:.*]] = dot(%{{.*}}, %w) {contract_axes = ((0), (1)), batch_axes = ((), ())} : f32[3]
# CHECK:      %[[DW:.*]] = dot(%x, %{{.*}}) {contract_axes = ((), ()), batch_axes = ((), ())} : f32[3][2]
# CHECK-NEXT: return %[[V]], %[[DW]], %[[DX]]
# ONE-NOT:    func @loss
# ONE-NOT:    func @dloss
# ONE:        func @vg(
vg = nx.value_and_grad(loss, argnums=(0, 1))

# Other module-level values are not exports.
# CHECK-NOT: func @rate
rate = 0.5 * 2
