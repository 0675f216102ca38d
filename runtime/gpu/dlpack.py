"""DLPack for device arrays, both ways, with the C structs declared through ctypes.

Export: `DeviceArray.__dlpack__` returns a legacy `dltensor` capsule (allowed
for every `max_version`) over a DLManagedTensor whose deleter drops the
reference that keeps our memory alive. A capsule nobody consumed releases it
when collected; a consumer renames it `used_dltensor` and calls the deleter.

Import: `from_dlpack(obj)` asks `obj.__dlpack__` for a capsule on the stream
the runtime works on (the legacy default stream), takes the producer's
DLManagedTensor (renaming the capsule `used_dltensor`) and calls its deleter
when the DeviceArray is collected. Both ways share memory, nothing is copied.
"""
from __future__ import annotations

import ctypes
import weakref

import numpy as np

from ..dtypes import NUMPY, name_of
from ..errors import ArgumentError, DTypeError
from . import devices
from .array import DeviceArray

KDL_CPU, KDL_CUDA, KDL_CUDA_HOST, KDL_ROCM = 1, 2, 3, 10
_KINDS = {KDL_CUDA: "cuda", KDL_ROCM: "rocm"}
_LEGACY_DEFAULT_STREAM = {"cuda": 1, "rocm": 0}  # DLPack's numbering of each kind's stream

# DLDataTypeCode
_INT, _UINT, _FLOAT, _BFLOAT, _COMPLEX, _BOOL = 0, 1, 2, 4, 5, 6


class DLDevice(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int32), ("device_id", ctypes.c_int32)]


class DLDataType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class DLTensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("device", DLDevice), ("ndim", ctypes.c_int32),
                ("dtype", DLDataType), ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("strides", ctypes.POINTER(ctypes.c_int64)), ("byte_offset", ctypes.c_uint64)]


DELETER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


class DLManagedTensor(ctypes.Structure):
    _fields_ = [("dl_tensor", DLTensor), ("manager_ctx", ctypes.c_void_p), ("deleter", DELETER)]


# -- dtypes -------------------------------------------------------------------

def _dl_dtype(dt: np.dtype) -> DLDataType:
    if dt == NUMPY["bf16"]:
        return DLDataType(_BFLOAT, 16, 1)
    code = {"i": _INT, "u": _UINT, "f": _FLOAT, "c": _COMPLEX, "b": _BOOL}.get(dt.kind)
    if code is None:
        raise DTypeError(f"{dt} cannot be exported through DLPack")
    return DLDataType(code, dt.itemsize * 8, 1)


def _np_dtype(t: DLDataType) -> np.dtype:
    if t.lanes != 1:
        raise DTypeError(f"DLPack vector types ({t.lanes} lanes) are not Nx types")
    if t.code == _BFLOAT and t.bits == 16:
        return NUMPY["bf16"]
    if t.code == _BOOL and t.bits == 8:
        return np.dtype(np.bool_)
    letter = {_INT: "i", _UINT: "u", _FLOAT: "f", _COMPLEX: "c"}.get(t.code)
    try:
        dt = np.dtype(f"{letter}{t.bits // 8}") if letter and t.bits % 8 == 0 else None
    except TypeError:
        dt = None
    if dt is None or name_of(dt) not in NUMPY:
        raise DTypeError(f"the DLPack type (code {t.code}, {t.bits} bits) is not an Nx type")
    return dt


# -- capsules -----------------------------------------------------------------

_NAME = ctypes.c_char_p(b"dltensor")  # PyCapsule_New keeps this pointer: a lasting bytes
_USED = ctypes.c_char_p(b"used_dltensor")
_DESTRUCTOR = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


def _capi(name, restype, *argtypes):
    return ctypes.PYFUNCTYPE(restype, *argtypes)((name, ctypes.pythonapi))


_capsule_new = _capi("PyCapsule_New", ctypes.py_object, ctypes.c_void_p, ctypes.c_char_p,
                     _DESTRUCTOR)
_is_valid = _capi("PyCapsule_IsValid", ctypes.c_int, ctypes.py_object, ctypes.c_char_p)
_get_pointer = _capi("PyCapsule_GetPointer", ctypes.c_void_p, ctypes.py_object, ctypes.c_char_p)
_set_name = _capi("PyCapsule_SetName", ctypes.c_int, ctypes.py_object, ctypes.c_char_p)
# The destructor gets the capsule while it is being destroyed: it must not be
# turned into a Python object again, so these take the raw pointer.
_raw_is_valid = _capi("PyCapsule_IsValid", ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p)
_raw_get_pointer = _capi("PyCapsule_GetPointer", ctypes.c_void_p, ctypes.c_void_p,
                         ctypes.c_char_p)

# address of each DLManagedTensor we exported -> what must live until its deleter runs
_exported = {}


@DELETER
def _deleter(address):
    _exported.pop(address, None)


@_DESTRUCTOR
def _destroy_capsule(capsule):
    if _raw_is_valid(capsule, _NAME):  # never consumed: release it ourselves
        _exported.pop(_raw_get_pointer(capsule, _NAME), None)


def export(a: DeviceArray, stream=None, dl_device=None, copy=None):
    """A `dltensor` capsule over `a`'s memory."""
    if dl_device is not None and tuple(dl_device) != a.__dlpack_device__():
        raise BufferError(f"the array is on {a.device}; DLPack export to device {dl_device} "
                          f"would need a copy (use .to(...) first)")
    if copy:
        a = a.copy()
    # Work reaches the device on the legacy default stream; a consumer on any
    # other stream sees it once the device is idle.
    if stream not in (None, _LEGACY_DEFAULT_STREAM[a.device.kind], -1):
        a.device.driver.synchronize(a.device.index)
    m = DLManagedTensor()
    shape = (ctypes.c_int64 * max(a.ndim, 1))(*a.shape)
    strides = (ctypes.c_int64 * max(a.ndim, 1))(*_row_major(a.shape))
    t = m.dl_tensor
    t.data = a.ptr or None
    t.device = DLDevice(*a.__dlpack_device__())
    t.ndim = a.ndim
    t.dtype = _dl_dtype(a.dtype)
    t.shape = ctypes.cast(shape, ctypes.POINTER(ctypes.c_int64))
    t.strides = ctypes.cast(strides, ctypes.POINTER(ctypes.c_int64))
    t.byte_offset = 0
    m.deleter = _deleter
    address = ctypes.addressof(m)
    _exported[address] = (m, shape, strides, a)
    return _capsule_new(address, _NAME, _destroy_capsule)


def _row_major(shape) -> list:
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= n
    return strides[::-1]


class _Imported:
    """Holds a consumed DLManagedTensor; calls its deleter when collected."""

    def __init__(self, address: int, deleter):
        if deleter:
            weakref.finalize(self, deleter, address).atexit = False


def from_dlpack(obj):
    """A DeviceArray sharing the memory of a GPU tensor of another library
    (torch, cupy, jax), or None when `obj` lives on the host."""
    try:
        dev_type, dev_id = obj.__dlpack_device__()
    except AttributeError:
        raise ArgumentError(f"{type(obj).__name__} does not support DLPack "
                            f"(no __dlpack_device__)") from None
    if dev_type in (KDL_CPU, KDL_CUDA_HOST):
        return None
    kind = _KINDS.get(dev_type)
    if kind is None:
        raise ArgumentError(f"{type(obj).__name__} lives on DLPack device type {dev_type}; "
                            f"nxc reads CPU, CUDA (2) and ROCm (10) memory")
    device = devices.Device(kind, int(dev_id))
    device.driver.activate(device.index)
    try:
        capsule = obj.__dlpack__(stream=_LEGACY_DEFAULT_STREAM[kind])
    except TypeError:  # a producer that predates the stream argument
        capsule = obj.__dlpack__()
    if not _is_valid(capsule, _NAME):
        raise ArgumentError(f"{type(obj).__name__}.__dlpack__ did not return an unused "
                            f"'dltensor' capsule")
    address = _get_pointer(capsule, _NAME)
    m = DLManagedTensor.from_address(address)
    t = m.dl_tensor
    shape = tuple(t.shape[i] for i in range(t.ndim))
    dtype = _np_dtype(t.dtype)
    if t.strides and any(n > 1 and t.strides[i] != s
                         for i, (n, s) in enumerate(zip(shape, _row_major(shape)))):
        strides = tuple(t.strides[i] for i in range(t.ndim))
        raise ArgumentError(f"{type(obj).__name__} of shape {shape} has strides {strides} "
                            f"(in elements), not row-major; make it contiguous first "
                            f"(e.g. .contiguous())")
    # From here the tensor is ours to release.
    _set_name(capsule, _USED)
    owner = _Imported(address, m.deleter)
    return DeviceArray(device, (t.data or 0) + t.byte_offset, shape, dtype, owner)
