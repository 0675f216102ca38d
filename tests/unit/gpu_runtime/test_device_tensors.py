"""Device tensors and DLPack over the host-memory stand-in for the driver.

The stand-in makes device pointers host addresses, so every copy and every
DLPack exchange is checked against numpy here; test_cuda.py repeats the
checks that matter on a real GPU.
"""
import ctypes
import gc

import ml_dtypes
import numpy as np
import pytest

import nxc as nx
from nxc.runtime.dtypes import NUMPY
from nxc.runtime.errors import ArgumentError
from nxc.runtime.gpu import DeviceArray, dlpack


def _device_view(t):
    """The tensor's device bytes, read directly (the stand-in's memory is host memory)."""
    a = t._array
    return np.ctypeslib.as_array((ctypes.c_char * a.nbytes).from_address(a.ptr)).view(a.dtype) \
        .reshape(a.shape)


@pytest.mark.parametrize("host", [
    np.arange(12, dtype=np.float32).reshape(3, 4),
    np.arange(12, dtype=np.int64).reshape(3, 4)[:, ::2],          # not contiguous
    np.arange(6, dtype=">i4"),                                     # byte-swapped
    np.array(2.5, dtype=np.float64),                               # rank 0
    np.zeros((0, 3), dtype=np.complex64),                          # empty
    np.array([1.5, -2.25], dtype=ml_dtypes.bfloat16),
])
def test_host_to_device_and_back(fake_cuda, host):
    t = nx.tensor(host, device="cuda:0")
    assert t.device == "cuda:0" and isinstance(t._array, DeviceArray)
    assert t.shape == host.shape and t.dtype.numpy == host.dtype.newbyteorder("=")
    expected = np.array(host, dtype=host.dtype.newbyteorder("="))
    np.testing.assert_array_equal(_device_view(t), expected)
    np.testing.assert_array_equal(np.asarray(t), expected)
    back = t.to("cpu")
    assert back.device == "cpu" and isinstance(back._array, np.ndarray)
    np.testing.assert_array_equal(np.asarray(back), expected)
    assert t.tolist() == expected.tolist()


def test_device_tensor_host_access(fake_cuda):
    t = nx.tensor([[1, 2], [3, 4]], device="cuda", names=["r", "c"])
    assert t.names == ("r", "c") and t.dtype == nx.s32 and t.rank == 2 and t.size == 4
    assert repr(t) == repr(nx.tensor([[1, 2], [3, 4]], names=["r", "c"]))
    assert nx.tensor(7.0, device="cuda").item() == 7.0
    assert bool(nx.tensor(1, device="cuda")) is True
    np.testing.assert_array_equal(np.asarray(t, dtype=np.float64), [[1.0, 2.0], [3.0, 4.0]])
    a = t.to_numpy()
    a[0, 0] = 9  # a copy: the device data is unchanged
    np.testing.assert_array_equal(np.asarray(t), [[1, 2], [3, 4]])
    with pytest.raises(ArgumentError, match="reading it on the host needs a copy"):
        t.__array__(copy=False)


def test_eager_ops_ask_for_the_host(fake_cuda):
    t = nx.tensor([1.0, 2.0], device="cuda:0")
    with pytest.raises(ArgumentError, match=r"f32\[2\] is on cuda:0 and eager operations run on "
                                            r"the host: copy it back with t.to\('cpu'\)"):
        t + 1
    np.testing.assert_array_equal(np.asarray(t.to("cpu") + 1), [2.0, 3.0])


def test_placement_rules(fake_cuda):
    t = nx.tensor([1, 2, 3], device="cuda:0")
    assert t.to("cuda:0") is t and t.to("cuda") is t  # already there
    assert nx.tensor(t)._array is t._array  # shared on the device: tensors are immutable
    converted = nx.tensor(t, dtype=nx.f64)  # a converted copy stays on the device
    assert converted.device == "cuda:0" and converted.dtype == nx.f64
    np.testing.assert_array_equal(np.asarray(converted), [1.0, 2.0, 3.0])
    assert nx.tensor(t, device="cpu").device == "cpu"


def test_device_memory_is_freed(fake_cuda):
    t = nx.tensor(np.ones(5, np.float32), device="cuda:0")
    ptr = t._array.ptr
    del t
    gc.collect()
    assert ptr in fake_cuda.freed and ptr not in fake_cuda.buffers


def test_dlpack_shares_device_memory(fake_cuda):
    t = nx.tensor(np.arange(6, dtype=np.float32).reshape(2, 3), device="cuda:0")
    assert t.__dlpack_device__() == (2, 0)
    u = nx.from_dlpack(t, names=["a", "b"])
    assert u.device == "cuda:0" and u.shape == (2, 3) and u.names == ("a", "b")
    assert u._array.ptr == t._array.ptr
    _device_view(t)[1, 2] = -1.0  # written through one, read through the other
    np.testing.assert_array_equal(np.asarray(u), [[0, 1, 2], [3, 4, -1]])


def test_dlpack_capsules_release_their_tensor(fake_cuda):
    t = nx.tensor(np.arange(4, dtype=np.int16), device="cuda:0")
    before = len(dlpack._exported)
    capsule = t.__dlpack__(max_version=(1, 0))  # the legacy capsule answers every version
    assert dlpack._is_valid(capsule, b"dltensor")
    assert len(dlpack._exported) == before + 1
    del capsule  # never consumed: its destructor releases it
    gc.collect()
    assert len(dlpack._exported) == before
    u = nx.from_dlpack(t)
    assert len(dlpack._exported) == before + 1  # consumed: held until u goes
    ptr = t._array.ptr
    del t
    gc.collect()
    assert ptr not in fake_cuda.freed  # u keeps the memory alive
    np.testing.assert_array_equal(np.asarray(u), [0, 1, 2, 3])
    del u
    gc.collect()
    assert len(dlpack._exported) == before and ptr in fake_cuda.freed


@pytest.mark.parametrize("name", sorted(NUMPY))
def test_dlpack_dtypes_round_trip(name):
    dt = NUMPY[name]
    assert dlpack._np_dtype(dlpack._dl_dtype(dt)) == dt


def test_dlpack_bool_becomes_u8(fake_cuda):
    a = DeviceArray("cuda:0", fake_cuda.alloc(0, 3), (3,), np.bool_, None)
    ctypes.memmove(a.ptr, bytes([1, 0, 1]), 3)
    t = nx.from_dlpack(a)
    assert t.dtype == nx.u8
    np.testing.assert_array_equal(np.asarray(t), [1, 0, 1])


def test_dlpack_rejects_strided_and_vector_types(fake_cuda):
    class Strided:
        """A producer of a column of a 2x3 f32 matrix: strides (3,) elements."""

        def __init__(self):
            self.base = nx.tensor(np.zeros((2, 3), np.float32), device="cuda:0")

        def __dlpack_device__(self):
            return (2, 0)

        def __dlpack__(self, stream=None):
            capsule = self.base.__dlpack__()
            m = dlpack.DLManagedTensor.from_address(dlpack._get_pointer(capsule, b"dltensor"))
            m.dl_tensor.ndim = 1
            m.dl_tensor.strides[0] = 3
            return capsule

    with pytest.raises(ArgumentError, match=r"has strides \(3,\) \(in elements\), not row-major"):
        nx.from_dlpack(Strided())
    with pytest.raises(nx.DTypeError, match="vector types"):
        dlpack._np_dtype(dlpack.DLDataType(2, 32, 4))
