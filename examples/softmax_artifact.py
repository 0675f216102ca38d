"""Loads the artifact `nxc compile examples/softmax.py -o build/softmax_nxc`
wrote and checks its functions against numpy. Only numpy and the nxc runtime
are needed to run it."""
import os
import sys

import numpy as np

from nxc.runtime import load

path = sys.argv[1] if len(sys.argv) > 1 else os.path.join("build", "softmax_nxc")
model = load(path)

t = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
probs = np.asarray(model.softmax(t))
print("softmax", probs)
e = np.exp(t.astype(np.float64) - t.max())
np.testing.assert_allclose(probs, e / e.sum(), rtol=1e-6)

x = np.array([[1.0, -2.0, 0.5, 3.0], [0.0, 1.0, -1.0, 2.0]], np.float32)
w = np.linspace(-1.0, 1.0, 12, dtype=np.float32).reshape(4, 3)
b = np.array([0.1, 0.0, -0.1], np.float32)
p = np.asarray(model.classify(x, w, b))
print("classify", p)
logits = x.astype(np.float64) @ w + b
ref = np.exp(logits - logits.max(axis=1, keepdims=True))
np.testing.assert_allclose(p, ref / ref.sum(axis=1, keepdims=True), rtol=1e-5)
print("ok: the compiled artifact matches numpy")
