# An axis name the tensor does not have.
# RUN: not %nxc compile %s --emit ir 2>&1 | FileCheck %s
# CHECK-NOT: Traceback
import nxc as nx


@nx.defn
def f(x: nx.f32["rows": 2, "cols": 3]):
    # CHECK: {{.*}}error-axis-name.py:[[@LINE+1]]:12: error: axis {{.*}}depth{{.*}} not found in tensor f32[rows: 2][cols: 3], its axis names are [{{.*}}rows{{.*}}cols{{.*}}]
    return nx.sum(x, axes=["depth"])
