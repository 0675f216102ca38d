"""Fixtures of the GPU runtime tests.

`cuda` is the real driver and device 0, or a skip with the reason. `fake_cuda`
stands in for the driver with host memory, so that device tensors, DLPack and
the GPU call path run (and are checked against numpy) on machines without a GPU.
"""
import ctypes

import pytest

from nxc.runtime.errors import DeviceError
from nxc.runtime.gpu import cuda as cuda_binding
from nxc.runtime.gpu import devices


@pytest.fixture
def cuda():
    try:
        driver = devices.driver("cuda")
        driver.arch(0)
    except DeviceError as e:
        pytest.skip(f"no CUDA driver/device: {e}")
    return driver


class FakeDriver:
    """The driver interface over host memory: 'device pointers' are host addresses."""

    kind = "cuda"
    dlpack_device_type = 2

    def __init__(self):
        self.buffers = {}
        self.freed = []
        self.synced = 0

    def arch(self, index):
        return "sm_90"

    def name(self, index):
        return "Fake GPU"

    def activate(self, index):
        pass

    def synchronize(self, index):
        self.synced += 1

    def alloc(self, index, nbytes):
        buf = ctypes.create_string_buffer(max(nbytes, 1))
        self.buffers[ctypes.addressof(buf)] = buf
        return ctypes.addressof(buf)

    def free(self, index, ptr):
        self.freed.append(self.buffers.pop(ptr) and ptr)

    def copy_to_device(self, index, dst, src, nbytes):
        ctypes.memmove(dst, src, nbytes)

    copy_to_host = copy_on_device = copy_to_device

    def mem_info(self, index):
        return 100, 200

    def error_name(self, code):
        return f"FAKE_ERROR_{code}"

    def address(self, name):
        return 0x1000 + len(name)


@pytest.fixture
def fake_cuda(monkeypatch):
    driver = FakeDriver()
    monkeypatch.setattr(devices, "_drivers", {"cuda": driver})
    return driver


@pytest.fixture
def no_cuda_driver(monkeypatch):
    """libcuda made unloadable, whatever this machine has."""
    monkeypatch.setattr(cuda_binding, "LIBRARY", "libnxc-no-such-driver.so.1")
    monkeypatch.setattr(devices, "_drivers", {})
