# Module-level vmaps are exported: nxc compile finds them without running the
# module; the exported signature carries the batch axis (symbolic when axis_size
# is a name, static when it is an int, a fresh ?batch by default).
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


@nx.defn
def predict(x: nx.f32[3], w: nx.f32[3, 2]):
    return nx.tanh(x @ w)


@nx.defn
def loss(w: nx.f32[3, 2], x: nx.f32[3], y: nx.f32[2]):
    return nx.sum((predict(x, w) - y) ** 2)


# CHECK-LABEL: func @batched(%x: f32[?batch][3], %w: f32[3][2]) -> f32[?batch][2]
# CHECK-NEXT:  dot(%x, %w) {contract_axes = ((1), (0)), batch_axes = ((), ())} : f32[?batch][2] loc("{{.*}}exports.py":10:20)
# CHECK-NEXT:  tanh({{.*}}) : f32[?batch][2] loc("{{.*}}exports.py":10:12)
batched = nx.vmap(predict, in_axes=(0, None), axis_size="batch")

# CHECK-LABEL: func @rows(%x: f32[rows: 8][3], %w: f32[3][2]) -> f32[rows: 8][2]
rows = nx.vmap(predict, in_axes=(0, None), axis_size=8, axis_name="rows")

# Per-example gradients: w is shared, x and y are batched; one gradient of w per
# example, the dot of the backward pass batched over the examples.
# CHECK-LABEL: func @per_example(%w: f32[3][2], %x: f32[?batch][3], %y: f32[?batch][2]) -> f32[?batch][3][2]
# CHECK:       tanh({{.*}}) : f32[?batch][2]
# CHECK:       dot(%x, %{{.*}}) {contract_axes = ((), ()), batch_axes = ((0), (0))} : f32[?batch][3][2]
# CHECK-NEXT:  return
per_example = nx.vmap(nx.grad(loss), in_axes=(None, 0, 0))

# vmap of vmap: each level gets its own symbolic batch dimension.
# CHECK-LABEL: func @grid(%x: f32[?batch_1][?batch][3], %w: f32[3][2]) -> f32[?batch_1][?batch][2]
grid = nx.vmap(nx.vmap(predict, in_axes=(0, None)), in_axes=(0, None))
