# The gradient IR of a layer and of a loop: gradients are summed over the axes
# their operand was broadcast along, dot gradients are dots, and a for loop
# saves its states (put_row) for a reversed loop that reads them (take_row).
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


@nx.defn
def layer(w: nx.f32[3, 2], b: nx.f32[2], x: nx.f32["batch", 3]):
    return nx.sum(nx.tanh(x @ w + b))


# CHECK-LABEL: func @grads(%w: f32[3][2], %b: f32[2], %x: f32[batch: ?batch][3]) -> (f32[3][2], f32[2])
# CHECK:      %[[Y:.*]] = tanh(%{{.*}}) : f32[batch: ?batch][2] loc("{{.*}}gradient_ir.py":10:19)
# CHECK:      %[[YY:.*]] = multiply(%[[Y]], %[[Y]])
# CHECK:      %[[G:.*]] = subtract(%{{.*}}, %[[YY]]) : f32[batch: ?batch][2]
# CHECK:      %[[GB:.*]] = sum(%[[G]]) {axes = (0), keep_axes = true} : f32[batch: 1][2]
# CHECK:      %[[B:.*]] = reshape(%[[GB]]) {shape = (2), names = none} : f32[2]
# CHECK:      %[[W:.*]] = dot(%x, %[[G]]) {contract_axes = ((0), (0)), batch_axes = ((), ())} : f32[3][2]
# CHECK-NEXT: return %[[W]], %[[B]]
@nx.defn
def grads(w: nx.f32[3, 2], b: nx.f32[2], x: nx.f32["batch", 3]):
    return nx.grad(layer, (0, 1))(w, b, x)


@nx.defn
def power(x: nx.f32):
    for i in range(3):
        x = nx.sin(x) * x
    return x


# CHECK-LABEL: func @dpower(%x: f32) -> f32
# CHECK:      %[[Z:.*]] = broadcast(%{{.*}}) {shape = (3), axes = (), names = none} : f32[3]
# CHECK:      %[[F:.*]]:2 = for(%x, %[[Z]]) {start = 0, stop = 3, step = 1} : f32, f32[3] ({
# CHECK-NEXT: ^(%[[I:.*]]: s32, %[[S:.*]]: f32, %[[T:.*]]: f32[3]):
# CHECK:      put_row(%[[T]], %[[I]], %[[S]]) : f32[3]
# CHECK:      %[[R:.*]] = for(%{{.*}}) {start = 2, stop = -1, step = -1} : f32 ({
# CHECK-NEXT: ^(%[[K:.*]]: s32, %{{.*}}: f32):
# CHECK-NEXT: take_row(%[[F]]#1, %[[K]]) : f32
# CHECK:      cos(
# CHECK:      return %[[R]]
@nx.defn
def dpower(x: nx.f32):
    return nx.grad(power)(x)
