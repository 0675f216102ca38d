"""Calls the defn functions of examples/softmax.py from Python and checks them
against numpy. The first call of each signature compiles it to native code
(cached on disk); later calls run it directly."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import softmax as model  # noqa: E402

t = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
probs = model.softmax(t)
print("softmax", probs)
e = np.exp(t.astype(np.float64) - t.max())
np.testing.assert_allclose(np.asarray(probs), e / e.sum(), rtol=1e-6)

x = np.array([[1.0, -2.0, 0.5, 3.0], [0.0, 1.0, -1.0, 2.0]], np.float32)
w = np.linspace(-1.0, 1.0, 12, dtype=np.float32).reshape(4, 3)
b = np.array([0.1, 0.0, -0.1], np.float32)
p = model.classify(x, w, b)
print("classify", p)
logits = x.astype(np.float64) @ w + b
ref = np.exp(logits - logits.max(axis=1, keepdims=True))
np.testing.assert_allclose(np.asarray(p), ref / ref.sum(axis=1, keepdims=True), rtol=1e-5)
print("ok: matches numpy")
