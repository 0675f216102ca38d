# Functions of the defn given to nx functions (here nx.grad) are lowered where
# those functions call them: a defn of the file, a local def, a lambda.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


@nx.defn
def loss(w, x):
    return nx.sum(nx.tanh(x * w))


# CHECK-LABEL: func @step(%w: f32[2], %x: f32[2]) -> (f32[2], f32[2])
@nx.defn
def step(w: nx.f32[2], x: nx.f32[2]):
    def square(v):
        return nx.sum(v * v)
    # CHECK: tanh({{.*}} loc("{{.*}}function_arguments.py":9:19)
    # CHECK: return
    return nx.grad(loss)(w, x), nx.grad(square)(w)
