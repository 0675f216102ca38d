"""Calling the functions of a GPU artifact (manifest `target.kind` "cuda" or "rocm").

Loading checks, in order and before the library is opened: the driver loads,
the device exists, and one of the artifact's architectures runs on it. Then
the host library is opened (with the CPU artifact's integrity checks) and its
`__nxc_gpu_api` table is filled with the driver's entry points, in the order
`api_table` gives. A call makes the device's context current on the calling
thread and passes device pointers where the CPU ABI passes host pointers:
device tensors and DLPack GPU arrays as they are (zero-copy), host arrays
copied in. Results are allocated on the device and stay there. After the call
`__nxc_gpu_status` (the first failing driver result, 0 if none; cleared before
each call) is checked, then the device is synchronized so that a failing
kernel is reported by the call that launched it.
"""
from __future__ import annotations

import ctypes
import re
import threading

import numpy as np

from .. import arguments, results
from ..dtypes import NUMPY, name_of
from ..errors import ArgumentError, ArtifactError, DeviceError, OutOfMemoryError, TargetError
from ..function import _STATUS, CompiledFunction
from ..library import open_library
from . import api_table, devices
from .array import DeviceArray, empty, from_host
from .dlpack import KDL_CPU, KDL_CUDA_HOST, from_dlpack

# library path -> (the device its code was bound to, the lock of its status word).
# A shared library is loaded once per process, so its API table, loaded kernels
# and status word serve one device, whichever Artifact objects refer to it.
_bound = {}
_bound_lock = threading.Lock()


# -- which architectures run where ------------------------------------------------

_SM = re.compile(r"sm_(\d+)(\d)([af]?)")


def runs_on(kind: str, archs, device_arch: str) -> bool:
    """Whether kernels built for one of `archs` run on a device of `device_arch`.

    CUDA: the PTX of sm_XY is compiled by the driver for any device of compute
    capability X.Y or newer; `sm_XYa` runs on X.Y only, `sm_XYf` on X.Z with
    Z >= Y. ROCm: code objects run on their exact gfx target (feature flags
    such as `:xnack-` aside).
    """
    if kind == "rocm":
        return device_arch.split(":")[0] in {a.split(":")[0] for a in archs}
    dev = _SM.fullmatch(device_arch)
    dev_cc = (int(dev.group(1)), int(dev.group(2)))
    for arch in archs:
        m = _SM.fullmatch(arch)
        if m is None:
            continue
        cc, suffix = (int(m.group(1)), int(m.group(2))), m.group(3)
        if suffix == "a":
            ok = cc == dev_cc
        elif suffix == "f":
            ok = cc[0] == dev_cc[0] and cc <= dev_cc
        else:
            ok = cc <= dev_cc
        if ok:
            return True
    return False


def check_target(m, device: devices.Device):
    """Raise unless `m`'s kernels can run on `device` (loads the driver)."""
    driver = device.driver
    arch = driver.arch(device.index)
    if not runs_on(m.kind, m.archs, arch):
        built = ", ".join(m.archs)
        raise TargetError(
            f"{m.path}: the artifact was built for {built}, but {device} is a "
            f"{driver.name(device.index)} ({arch}); rebuild it with --arch {arch} (or add it: "
            f"--arch {built},{arch})")


# -- loading ---------------------------------------------------------------------

def load(m, device_id: int = 0) -> dict:
    """The functions of GPU artifact `m`, bound to GPU `device_id` of its kind."""
    if isinstance(device_id, bool) or not isinstance(device_id, int) or device_id < 0:
        raise ArgumentError(f"device_id must be a GPU index (0, 1, ...), got {device_id!r}")
    device = devices.Device(m.kind, device_id)
    check_target(m, device)
    path = f"{m.directory}/{m.library}"
    with _bound_lock:
        bound, lock = _bound.get(path, (device, None))
        if bound != device:
            raise ArgumentError(f"{path} is already loaded for {bound} in this process; "
                                f"a GPU artifact serves one device per process")
        lib = open_library(m)
        if lock is None:
            _fill_api(lib, path, m.kind, device.driver)
            lock = threading.Lock()
            _bound[path] = (device, lock)
    try:
        status = ctypes.c_int32.in_dll(lib, api_table.STATUS_SYMBOL)
    except ValueError:
        raise ArtifactError(f"{path} lacks {api_table.STATUS_SYMBOL}; it is not a GPU "
                            f"artifact of this nxc, rebuild it") from None
    return {s.name: GpuFunction(s, lib, device, status, lock) for s in m.functions}


def _fill_api(lib, path: str, kind: str, driver):
    slots = api_table.SLOTS[kind]
    try:
        table = (ctypes.c_void_p * len(slots)).in_dll(lib, api_table.TABLE_SYMBOL)
    except ValueError:
        raise ArtifactError(f"{path} lacks {api_table.TABLE_SYMBOL}; it is not a GPU artifact "
                            f"of this nxc, rebuild it") from None
    for i, (name, _signature) in enumerate(slots):
        table[i] = driver.address(name)


# -- calling ---------------------------------------------------------------------

class GpuFunction(CompiledFunction):
    def __init__(self, signature, library, device, status, lock):
        super().__init__(signature, library)
        self.device = device
        self._status = status
        self._lock = lock  # the status word is shared by the library's functions

    def positional_entry(self, general):
        """None: the CPU fast path passes host pointers; GPU calls take one path."""
        return None

    def __repr__(self):
        return f"<compiled function {self.signature} on {self.device}>"

    def __call__(self, *args, **kwargs):
        sig, device = self.signature, self.device
        driver = device.driver
        dims, owner, inputs = {}, {}, []
        for (name, spec), x in zip(sig.params, self._bind(args, kwargs)):
            inputs.append(self._operand(name, spec, x, dims, owner))
        arguments.check_constraints(sig.name, sig.constraints, dims, owner)
        outputs = [empty(arguments.result_shape(r, dims), NUMPY[r.dtype], device)
                   for r in sig.results]
        with self._lock:
            driver.activate(device.index)
            self._status.value = 0
            code = self._fn(*[a.ptr for a in inputs], *[o.ptr for o in outputs],
                            *[dims[d] for d in sig.dims])
            failed = self._status.value
        if failed or code == api_table.GPU_ERROR:
            raise _driver_failure(sig.name, driver, device, failed)
        if code != 0:
            raise ArgumentError(f"{sig.name}: the native code refused the call: "
                                f"{_STATUS.get(code, f'status {code}')}")
        try:
            driver.synchronize(device.index)
        except DeviceError as e:
            raise DeviceError(f"{sig.name} failed on {device}: {e}") from None
        wrapped = [results.wrap(o, r.names) for o, r in zip(outputs, sig.results)]
        return wrapped[0] if len(wrapped) == 1 else tuple(wrapped)

    def _operand(self, name, spec, x, dims, owner) -> DeviceArray:
        fn = self.signature.name
        d = _on_device(x)
        if d is None:
            a = arguments.check(fn, name, spec, arguments.as_array(fn, name, spec, x), dims,
                                owner)
            return from_host(a, self.device)
        if d.device != self.device:
            raise ArgumentError(f"{fn}: argument {name} is on {d.device}, but the function runs "
                                f"on {self.device}; move it with .to('{self.device}')")
        want = NUMPY[spec.dtype]
        if d.dtype != want and not (d.dtype == np.bool_ and spec.dtype == "u8"):
            raise ArgumentError(f"{fn}: argument {name} must be {spec}, got a device array of "
                                f"{name_of(d.dtype)} with shape {d.shape}; nxc does not cast "
                                f"arguments")
        arguments.check_shape(fn, name, spec, d.shape, dims, owner)
        return d


def _on_device(x):
    """The DeviceArray behind `x` (a DeviceArray, a device nx.Tensor, a DLPack GPU
    array), or None for host data."""
    if isinstance(x, DeviceArray):
        return x
    data = getattr(x, "_array", None)  # nx.Tensor keeps its data there
    if isinstance(data, DeviceArray):
        return data
    if isinstance(x, np.ndarray) or not hasattr(x, "__dlpack_device__"):
        return None
    if x.__dlpack_device__()[0] in (KDL_CPU, KDL_CUDA_HOST):
        return None
    return from_dlpack(x)


def _driver_failure(fn, driver, device, code):
    if code == 0:
        return DeviceError(f"{fn}: the GPU code reported a failure on {device} without a "
                           f"driver result; the artifact is damaged, rebuild it")
    what = driver.error_name(code)
    if code == 2:  # out of memory, in both CUDA and HIP
        free, total = driver.mem_info(device.index)
        return OutOfMemoryError(f"{fn}: {device} ran out of memory inside the call ({what}; "
                                f"{free} of {total} bytes free); free tensors you no longer "
                                f"need or use smaller batches")
    return DeviceError(f"{fn}: a driver call of the GPU code failed on {device} ({what}); "
                       f"the artifact may not match this driver, rebuild it")
