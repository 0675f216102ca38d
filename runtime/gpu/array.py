"""DeviceArray: a C-contiguous (row-major) array in the memory of one GPU.

Memory comes straight from the driver, one allocation per array and no cache,
and goes back when the last DeviceArray over it is collected. An array made
from another library's tensor through DLPack does not own its memory: it keeps
the producer's DLManagedTensor alive and calls its deleter when collected.
"""
from __future__ import annotations

import math
import weakref

import numpy as np

from ..dtypes import name_of
from ..errors import ArgumentError
from . import devices


class Allocation:
    """Device memory owned by nxc, freed when this object is collected."""

    def __init__(self, device: devices.Device, nbytes: int):
        self.ptr = device.driver.alloc(device.index, nbytes)
        finalizer = weakref.finalize(self, device.driver.free, device.index, self.ptr)
        # At exit the process's memory goes with the context; no driver calls then.
        finalizer.atexit = False


class DeviceArray:
    """`shape` elements of numpy type `dtype` at device address `ptr`, row-major.

    `owner` keeps the memory alive: an Allocation, or the DLPack import that
    holds another library's tensor.
    """

    __slots__ = ("device", "ptr", "shape", "dtype", "owner")

    def __init__(self, device, ptr: int, shape: tuple, dtype, owner):
        self.device = devices.parse(device)
        self.ptr = ptr
        self.shape = tuple(int(n) for n in shape)
        self.dtype = np.dtype(dtype)
        self.owner = owner

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize

    def __repr__(self):
        return f"<DeviceArray {name_of(self.dtype)}{list(self.shape)} on {self.device}>"

    # -- copies -----------------------------------------------------------------

    def to_host(self) -> np.ndarray:
        """A new host array with the data (waits for pending work on the device)."""
        out = np.empty(self.shape, dtype=self.dtype)
        if self.nbytes:
            self.device.driver.copy_to_host(self.device.index, out.ctypes.data, self.ptr,
                                            self.nbytes)
        return out

    def copy(self) -> "DeviceArray":
        """A new array with the same data, on the same device."""
        out = empty(self.shape, self.dtype, self.device)
        if self.nbytes:
            self.device.driver.copy_on_device(self.device.index, out.ptr, self.ptr, self.nbytes)
        return out

    # -- DLPack -----------------------------------------------------------------

    def __dlpack__(self, stream=None, max_version=None, dl_device=None, copy=None):
        from . import dlpack
        return dlpack.export(self, stream=stream, dl_device=dl_device, copy=copy)

    def __dlpack_device__(self):
        return (self.device.driver.dlpack_device_type, self.device.index)


def empty(shape, dtype, device) -> DeviceArray:
    """An uninitialized array on `device`."""
    device = devices.parse(device)
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    memory = Allocation(device, nbytes)
    return DeviceArray(device, memory.ptr, shape, dtype, memory)


def from_host(array, device) -> DeviceArray:
    """A device copy of host data; non-contiguous or byte-swapped data is made
    C-contiguous and native first."""
    device = devices.parse(device)
    if device.kind == "cpu":
        raise ArgumentError("from_host needs a GPU device such as 'cuda:0', got 'cpu'")
    a = np.asarray(array)
    if not a.dtype.isnative:
        a = a.astype(a.dtype.newbyteorder("="))
    a = np.require(a, requirements="C")
    out = empty(a.shape, a.dtype, device)
    if a.nbytes:
        device.driver.copy_to_device(device.index, out.ptr, a.ctypes.data, a.nbytes)
    return out
