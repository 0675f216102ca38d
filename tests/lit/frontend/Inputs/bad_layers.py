import nxc as nx


@nx.defn
def project(x, w):
    return x @ w
