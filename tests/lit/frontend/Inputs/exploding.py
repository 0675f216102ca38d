# Raises when imported: nxc compile must never import it.
import nxc as nx

raise RuntimeError("imported!")


@nx.defn
def double(x):
    return x * 2
