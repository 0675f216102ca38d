import nxc as nx

from . import consts
from .sub.deep import twice


@nx.defn
def gelu(x):
    return twice(0.5 * x * (1 + nx.tanh(consts.C * (x + 0.044715 * x ** 3))))
