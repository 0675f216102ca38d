# A helper module for the import tests (not a test itself).
import nxc as nx
from nxc import defn

SCALE = 3.0


@defn
def dense(x, w, b, *, relu=True):
    y = x @ w + b
    return nx.max(y, 0.0) if relu else y
