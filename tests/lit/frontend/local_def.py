# Local helpers: def with defaults and closures over the enclosing variables,
# and lambdas; they are inlined where they are called.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# CHECK-LABEL: func @helpers(%x: f32[3], %y: f32[3]) -> f32[3]
@nx.defn
def helpers(x: nx.f32[3], y: nx.f32[3]):
    def affine(t, a=2.0, *, b):
        # CHECK: multiply(%x, %{{.*}}) : f32[3] loc("{{.*}}local_def.py":[[@LINE+2]]:16)
        # CHECK: %[[Q:.*]] = add(%{{.*}}, %y) : f32[3] loc("{{.*}}local_def.py":[[@LINE+1]]:16)
        return t * a + b + y

    square = lambda t: t * t  # noqa: E731
    # CHECK: multiply(%[[Q]], %[[Q]]) : f32[3] loc("{{.*}}local_def.py":[[@LINE-1]]:24)
    return square(affine(x, b=1.0))
