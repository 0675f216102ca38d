# Locations are absolute in the file: line and 1-based column of the
# expression, also inside expressions that span lines.
# RUN: %nxc compile %s --emit ir | FileCheck %s
import nxc as nx


# The function is located at its def (not its decorator).
# CHECK: func @spread(%x: f32[3]) -> f32[3] loc("{{.*}}locations.py":[[@LINE+2]]:1)
@nx.defn
def spread(x: nx.f32[3]):
    y = nx.exp(
        # CHECK: negate(%x) : f32[3] loc("{{.*}}locations.py":[[@LINE+1]]:9)
        -x)
    # CHECK: exp({{.*}} loc("{{.*}}locations.py":[[@LINE-3]]:9)
    # CHECK: log(%y) : f32[3] loc("{{.*}}locations.py":[[@LINE+1]]:28)
    return nx.sum(x) * 0 + nx.log(y)
