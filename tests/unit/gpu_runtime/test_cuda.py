"""The CUDA binding, device tensors and DLPack on a real GPU (marked gpu).

Each test is skipped with the reason where cuInit fails (no driver or device).
torch and cupy are the other side of the DLPack exchanges.
"""
import ctypes
import pathlib

import ml_dtypes
import numpy as np
import pytest

import nxc as nx
from nxc.runtime.errors import DeviceError, OutOfMemoryError
from nxc.runtime.gpu import DeviceArray, from_host

pytestmark = pytest.mark.gpu
DATA = pathlib.Path(__file__).parent / "data"


def test_device_facts(cuda):
    assert cuda.device_count() >= 1
    assert cuda.arch(0).startswith("sm_") and cuda.name(0)
    free, total = cuda.mem_info(0)
    assert 0 < free <= total
    with pytest.raises(DeviceError, match=r"there is no device cuda:99: this machine has \d+ "
                                          r"CUDA device\(s\)"):
        cuda.arch(99)
    with pytest.raises(DeviceError, match="there is no device cuda:99"):
        nx.tensor([1.0], device="cuda:99")


def test_out_of_memory_is_typed(cuda):
    with pytest.raises(OutOfMemoryError, match=r"cuda:0 is out of memory: cuMemAlloc_v2 of "
                                               r"1125899906842624 bytes failed with \d+ of \d+ "
                                               r"bytes free"):
        cuda.alloc(0, 1 << 50)


@pytest.mark.parametrize("host", [
    np.arange(12, dtype=np.float32).reshape(3, 4),
    np.arange(24, dtype=np.int64).reshape(4, 6)[::2, ::3],
    np.array(2.5),
    np.zeros((0, 2), np.complex128),
    np.array([1.5, -2.25], dtype=ml_dtypes.bfloat16),
])
def test_round_trip(cuda, host):
    t = nx.tensor(host, device="cuda:0")
    assert t.device == "cuda:0"
    np.testing.assert_array_equal(np.asarray(t), host)
    np.testing.assert_array_equal(np.asarray(t.to("cpu")), host)
    copy = t._array.copy()
    np.testing.assert_array_equal(copy.to_host(), host)


def test_memset_and_threads(cuda):
    """Work from another thread makes the context current there first."""
    import threading
    a = from_host(np.ones(256, np.uint8), "cuda:0")
    done = []

    def work():
        cuda.memset(0, a.ptr, 7, 128)
        done.append(a.to_host())

    th = threading.Thread(target=work)
    th.start()
    th.join()
    np.testing.assert_array_equal(done[0], [7] * 128 + [1] * 128)


def test_hand_written_kernel(cuda):
    """PTX made by llvmlite from data/scale.ll, loaded and launched through the binding."""
    n = 1000
    x = np.linspace(-3, 3, n, dtype=np.float32)
    dx, dy = from_host(x, "cuda:0"), from_host(np.zeros(n, np.float32), "cuda:0")
    module = cuda.load_module(0, (DATA / "scale.ptx").read_bytes() + b"\0")
    kernel = cuda.function(module, "scale")
    cuda.launch(0, kernel, ((n + 255) // 256, 1, 1), (256, 1, 1),
                [ctypes.c_uint64(dx.ptr), ctypes.c_uint64(dy.ptr), ctypes.c_float(2.5),
                 ctypes.c_int32(n)])
    cuda.synchronize(0)
    np.testing.assert_array_equal(dy.to_host(), x * np.float32(2.5))
    with pytest.raises(DeviceError, match="the kernel image has no kernel nope"):
        cuda.function(module, "nope")


def test_torch_dlpack_both_ways(cuda):
    torch = pytest.importorskip("torch", reason="torch is not installed")
    t = nx.tensor(np.arange(6, dtype=np.float32).reshape(2, 3), device="cuda:0")
    tt = torch.from_dlpack(t)
    assert tt.device.type == "cuda" and tt.shape == (2, 3) and tt.data_ptr() == t._array.ptr
    tt.mul_(10)  # written by torch, read by nx
    np.testing.assert_array_equal(np.asarray(t), np.arange(6).reshape(2, 3) * 10)

    src = torch.arange(8, dtype=torch.int32, device="cuda").reshape(2, 4)
    u = nx.from_dlpack(src)
    assert u.device == "cuda:0" and u.dtype == nx.s32 and u._array.ptr == src.data_ptr()
    src.add_(1)
    torch.cuda.synchronize()
    np.testing.assert_array_equal(np.asarray(u), np.arange(8).reshape(2, 4) + 1)
    b = torch.tensor([1.5, 2.5], dtype=torch.bfloat16, device="cuda")
    np.testing.assert_array_equal(np.asarray(nx.from_dlpack(b)).astype(np.float32), [1.5, 2.5])
    with pytest.raises(nx.ArgumentError, match="not row-major"):
        nx.from_dlpack(src.t())
    del src
    np.testing.assert_array_equal(np.asarray(u), np.arange(8).reshape(2, 4) + 1)


def test_cupy_dlpack_both_ways(cuda):
    cupy = pytest.importorskip("cupy", reason="cupy is not installed")
    t = nx.tensor(np.arange(5, dtype=np.float64), device="cuda:0")
    c = cupy.from_dlpack(t)
    assert c.data.ptr == t._array.ptr
    c += 1
    cupy.cuda.Device(0).synchronize()
    np.testing.assert_array_equal(np.asarray(t), np.arange(5) + 1.0)
    src = cupy.arange(4, dtype=cupy.uint8)
    u = nx.from_dlpack(src)
    src[1] = 200
    cupy.cuda.Device(0).synchronize()
    assert u.dtype == nx.u8 and np.asarray(u).tolist() == [0, 200, 2, 3]


def test_jax_reads_device_tensors(cuda):
    jax = pytest.importorskip("jax", reason="jax is not installed")
    try:
        gpus = jax.devices("gpu")
    except RuntimeError as e:
        pytest.skip(f"jax has no GPU backend here: {e}")
    t = nx.tensor(np.arange(4, dtype=np.float32), device="cuda:0")
    j = jax.dlpack.from_dlpack(t)
    assert j.devices() == {gpus[0]}
    np.testing.assert_array_equal(np.asarray(j), np.arange(4))
    u = nx.from_dlpack(jax.numpy.arange(3, dtype=jax.numpy.float32) * 2)
    np.testing.assert_array_equal(np.asarray(u), [0, 2, 4])
    assert isinstance(u._array, DeviceArray)
