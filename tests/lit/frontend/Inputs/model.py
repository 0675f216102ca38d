import nxc as nx
import layers


@nx.defn
def model(x: nx.f32[1, 2], w: nx.f32[2, 2], b: nx.f32[2]):
    return layers.dense(x, w, b)
