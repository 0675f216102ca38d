"""Compiled GPU artifacts (built by make_artifacts.py into build/gpu_runtime/) run
on a real GPU with tensors kept on the device; numpy in float64 is the oracle."""
import json
import pathlib
import shutil

import numpy as np
import pytest

import nxc as nx
from nxc.runtime import load
from nxc.runtime.errors import DeviceError, TargetError

pytestmark = pytest.mark.gpu
BUILT = pathlib.Path(__file__).resolve().parents[3] / "build" / "gpu_runtime"


def _path(name):
    path = BUILT / f"{name}_nxc"
    if not (path / "manifest.json").exists():
        pytest.skip(f"{path} is not built: run tests/unit/gpu_runtime/make_artifacts.py "
                    f"where the compiler is installed")
    return path


@pytest.fixture
def softmax_art(cuda):
    return load(_path("softmax"))


@pytest.fixture
def classify_art(cuda):
    return load(_path("classify"))


def _softmax(x, axis=-1):
    x = np.asarray(x, np.float64)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def test_softmax_keeps_results_on_the_device(softmax_art):
    rng = np.random.default_rng(0)
    x = rng.normal(size=1 << 20).astype(np.float32)
    y = softmax_art.softmax(x)  # host input: copied in; result: on the device
    assert y.device == "cuda:0" and y.shape == x.shape
    np.testing.assert_allclose(np.asarray(y), _softmax(x), rtol=1e-5, atol=1e-12)
    z = softmax_art.softmax(y)  # a device tensor goes in as it is
    assert z.device == "cuda:0"
    # Its 2^20 nearly equal terms are summed in f32, 1024 in a row per lane: the
    # sum's relative error reaches ~1024 * 2^-24 (2e-5 seen on an H100).
    np.testing.assert_allclose(np.asarray(z), _softmax(np.asarray(y)), rtol=1e-4)
    small = nx.tensor(np.array([1.0, 2.0, 3.0], np.float32), device="cuda:0")
    np.testing.assert_allclose(np.asarray(softmax_art.softmax(small)), _softmax([1, 2, 3]),
                               rtol=1e-6)


def test_softmax_with_torch_tensors(softmax_art):
    torch = pytest.importorskip("torch", reason="torch is not installed")
    t = torch.linspace(-4, 4, 4096, device="cuda", dtype=torch.float32)
    y = softmax_art.softmax(t)  # a DLPack GPU array: zero-copy in
    back = torch.from_dlpack(y)  # and the result zero-copy out
    assert back.device.type == "cuda" and back.data_ptr() == y._array.ptr
    np.testing.assert_allclose(back.cpu().numpy(), _softmax(np.linspace(-4, 4, 4096)),
                               rtol=1e-5)


def test_classify_rows_on_the_device(classify_art):
    rng = np.random.default_rng(1)
    x, w, b = (rng.normal(size=s).astype(np.float32) for s in ((64, 4), (4, 3), (3,)))
    dx, dw, db = (nx.tensor(a, device="cuda:0") for a in (x, w, b))
    p = classify_art.classify(dx, dw, db)
    assert p.device == "cuda:0"
    expected = _softmax(x.astype(np.float64) @ w + b, axis=1)
    np.testing.assert_allclose(np.asarray(p), expected, rtol=1e-5, atol=1e-7)


def test_arch_mismatch_is_reported_before_loading(cuda, tmp_path):
    copy = tmp_path / "softmax_nxc"
    shutil.copytree(_path("softmax"), copy)
    m = json.loads((copy / "manifest.json").read_text())
    m["target"]["archs"] = ["sm_100"]
    (copy / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(TargetError, match=rf"built for sm_100, but cuda:0 is a .* "
                                          rf"\({cuda.arch(0)}\); rebuild it with --arch "
                                          rf"{cuda.arch(0)}"):
        load(copy)


def test_device_id_selects_the_gpu(cuda):
    n = cuda.device_count()
    with pytest.raises(DeviceError, match=rf"there is no device cuda:{n}: this machine has {n}"):
        load(_path("softmax"), device_id=n)


def _mlp_params(rng):
    return [rng.normal(scale=s, size=shape).astype(np.float32) for s, shape in
            ((0.05, (784, 512)), (0.01, (512,)), (0.05, (512, 10)), (0.01, (10,)))]


def test_mlp_predict_on_the_device(cuda):
    art = load(_path("mlp_predict"))
    rng = np.random.default_rng(3)
    params = _mlp_params(rng)
    x = rng.normal(size=(32, 784)).astype(np.float32)
    p = art.predict(*[nx.tensor(a, device="cuda:0") for a in (*params, x)])
    assert p.device == "cuda:0" and p.shape == (32, 10)
    w1, b1, w2, b2 = (a.astype(np.float64) for a in params)
    expected = _softmax(np.maximum(x @ w1 + b1, 0.0) @ w2 + b2, axis=1)
    np.testing.assert_allclose(np.asarray(p), expected, rtol=1e-4, atol=1e-6)


def _mlp_step(params, x, y, lr=0.1):
    """One SGD step of examples/mlp.py's loss, by hand in float64."""
    w1, b1, w2, b2 = (np.asarray(p, np.float64) for p in params)
    pre = x @ w1 + b1
    h = np.maximum(pre, 0.0)
    logits = h @ w2 + b2
    p = _softmax(logits, axis=1)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    batch = x.shape[0]
    loss = -np.mean(np.sum(y * log_p, axis=1))
    d_logits = (p * y.sum(axis=1, keepdims=True) - y) / batch
    d_pre = (d_logits @ w2.T) * (pre > 0)
    grads = (x.T @ d_pre, d_pre.sum(axis=0), h.T @ d_logits, d_logits.sum(axis=0))
    return loss, [q - lr * g for q, g in zip((w1, b1, w2, b2), grads)]


def test_mlp_training_steps_stay_on_the_device(cuda):
    art = load(_path("mlp"))
    rng = np.random.default_rng(2)
    params = _mlp_params(rng)
    x = rng.normal(size=(16, 784)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 16)]
    dx, dy = nx.tensor(x, device="cuda:0"), nx.tensor(y, device="cuda:0")
    state = [nx.tensor(p, device="cuda:0") for p in params]
    expected = [p.astype(np.float64) for p in params]
    losses = []
    for _ in range(3):
        loss, *state = art.step(*state, dx, dy)
        assert all(t.device == "cuda:0" for t in (loss, *state))
        want_loss, expected = _mlp_step(expected, x.astype(np.float64), y)
        np.testing.assert_allclose(float(loss), want_loss, rtol=1e-4)
        losses.append(float(loss))
    for got, want in zip(state, expected):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-3, atol=1e-5)
    assert losses[-1] < losses[0]
