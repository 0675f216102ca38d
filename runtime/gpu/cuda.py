"""The CUDA driver API (`libcuda.so.1`) through ctypes, loaded at first use.

Only the driver is needed: no CUDA toolkit, cupy or torch. Every call's
CUresult is checked; a failure becomes a typed nxc error that names the call,
the driver's error name and what to do. Work runs in each device's primary
context, made current on the calling thread before every operation (CUDA
contexts are per thread), and on the legacy default stream, so copies and
launches are ordered with each other and with other libraries' blocking streams.
"""
from __future__ import annotations

import ctypes
import threading

from ..errors import DeviceError, DriverNotFoundError, OutOfMemoryError

LIBRARY = "libcuda.so.1"

# CUresult codes the runtime tells apart.
SUCCESS = 0
OUT_OF_MEMORY = 2
NO_DEVICE = 100
INVALID_DEVICE = 101
NO_BINARY_FOR_GPU = 209
UNSUPPORTED_PTX_VERSION = 222

_ATTR_CC_MAJOR = 75
_ATTR_CC_MINOR = 76

_u64, _i32, _u32, _ptr, _size = (ctypes.c_uint64, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p,
                                  ctypes.c_size_t)
_P = ctypes.POINTER

# name -> argument types (all return CUresult); the _v2 names are the 64-bit ABI.
_SIGNATURES = {
    "cuInit": [_u32],
    "cuDriverGetVersion": [_P(_i32)],
    "cuDeviceGetCount": [_P(_i32)],
    "cuDeviceGet": [_P(_i32), _i32],
    "cuDeviceGetAttribute": [_P(_i32), _i32, _i32],
    "cuDeviceGetName": [ctypes.c_char_p, _i32, _i32],
    "cuDevicePrimaryCtxRetain": [_P(_ptr), _i32],
    "cuCtxSetCurrent": [_ptr],
    "cuCtxSynchronize": [],
    "cuMemGetInfo_v2": [_P(_size), _P(_size)],
    "cuMemAlloc_v2": [_P(_u64), _size],
    "cuMemFree_v2": [_u64],
    "cuMemcpyHtoD_v2": [_u64, _ptr, _size],
    "cuMemcpyDtoH_v2": [_ptr, _u64, _size],
    "cuMemcpyDtoD_v2": [_u64, _u64, _size],
    "cuMemsetD8_v2": [_u64, ctypes.c_ubyte, _size],
    "cuModuleLoadData": [_P(_ptr), ctypes.c_char_p],
    "cuModuleGetFunction": [_P(_ptr), _ptr, ctypes.c_char_p],
    "cuLaunchKernel": [_ptr, _u32, _u32, _u32, _u32, _u32, _u32, _u32, _ptr, _P(_ptr), _P(_ptr)],
    "cuGetErrorName": [_i32, _P(ctypes.c_char_p)],
    "cuGetErrorString": [_i32, _P(ctypes.c_char_p)],
}


class CudaDriver:
    """One process-wide binding of libcuda; `library` names the file to load."""

    kind = "cuda"
    dlpack_device_type = 2  # kDLCUDA

    def __init__(self, library: str = None):
        library = library or LIBRARY
        try:
            self._lib = ctypes.CDLL(library)
        except OSError as e:
            raise DriverNotFoundError(
                f"{library} was not found ({e}): install the NVIDIA driver or use target "
                f"cpu") from None
        self._fns = {}
        for name, argtypes in _SIGNATURES.items():
            try:
                fn = getattr(self._lib, name)
            except AttributeError:
                raise DriverNotFoundError(
                    f"{library} lacks {name}: the NVIDIA driver is too old, update it") from None
            fn.argtypes, fn.restype = argtypes, _i32
            self._fns[name] = fn
        self._contexts = {}
        self._lock = threading.Lock()
        code = self._fns["cuInit"](0)
        if code == NO_DEVICE:
            raise DeviceError("the NVIDIA driver found no CUDA device (cuInit: "
                              "CUDA_ERROR_NO_DEVICE); check nvidia-smi, CUDA_VISIBLE_DEVICES, "
                              "or use target cpu")
        self._check(code, "cuInit", "check that the NVIDIA driver works (nvidia-smi)")

    # -- errors -----------------------------------------------------------------

    def error_name(self, code: int) -> str:
        out = ctypes.c_char_p()
        if self._fns["cuGetErrorName"](code, ctypes.byref(out)) != SUCCESS or not out.value:
            return f"CUresult {code}"
        text = ctypes.c_char_p()
        self._fns["cuGetErrorString"](code, ctypes.byref(text))
        name = out.value.decode()
        return f"{name}: {text.value.decode()}" if text.value else name

    def _check(self, code: int, call: str, advice: str):
        if code != SUCCESS:
            raise DeviceError(f"{call} failed ({self.error_name(code)}); {advice}")

    def _call(self, name, *args, advice="the GPU is in a bad state; restart the process"):
        self._check(self._fns[name](*args), name, advice)

    def address(self, name: str) -> int:
        """The raw address of a driver entry point (for an artifact's API table)."""
        try:
            return ctypes.cast(getattr(self._lib, name), ctypes.c_void_p).value
        except AttributeError:
            raise DeviceError(f"the NVIDIA driver lacks {name}, which the artifact calls; "
                              f"update the driver") from None

    # -- devices ----------------------------------------------------------------

    def version(self) -> int:
        v = _i32()
        self._call("cuDriverGetVersion", ctypes.byref(v))
        return v.value

    def device_count(self) -> int:
        n = _i32()
        self._call("cuDeviceGetCount", ctypes.byref(n))
        return n.value

    def _device(self, index: int) -> int:
        count = self.device_count()
        if not 0 <= index < count:
            raise DeviceError(f"there is no device cuda:{index}: this machine has {count} "
                              f"CUDA device(s) (cuda:0 to cuda:{count - 1})" if count else
                              f"there is no device cuda:{index}: this machine has no CUDA "
                              f"device")
        dev = _i32()
        self._call("cuDeviceGet", ctypes.byref(dev), index)
        return dev.value

    def name(self, index: int) -> str:
        buf = ctypes.create_string_buffer(256)
        self._call("cuDeviceGetName", buf, 256, self._device(index))
        return buf.value.decode()

    def arch(self, index: int) -> str:
        """The device's compute capability as an arch name, e.g. `sm_90`."""
        dev = self._device(index)
        major, minor = _i32(), _i32()
        self._call("cuDeviceGetAttribute", ctypes.byref(major), _ATTR_CC_MAJOR, dev)
        self._call("cuDeviceGetAttribute", ctypes.byref(minor), _ATTR_CC_MINOR, dev)
        return f"sm_{major.value}{minor.value}"

    def activate(self, index: int):
        """Make device `index`'s primary context current on this thread."""
        ctx = self._contexts.get(index)
        if ctx is None:
            with self._lock:
                ctx = self._contexts.get(index)
                if ctx is None:
                    handle = _ptr()
                    self._call("cuDevicePrimaryCtxRetain", ctypes.byref(handle),
                               self._device(index))
                    ctx = self._contexts[index] = handle.value
        # Set every time: other libraries (torch, cupy) may make their own
        # context current on this thread in between; the call is cheap.
        self._call("cuCtxSetCurrent", ctx)

    def synchronize(self, index: int):
        self.activate(index)
        self._call("cuCtxSynchronize",
                   advice="a kernel failed; its results are lost, restart the process")

    def mem_info(self, index: int) -> tuple:
        """(free, total) bytes of device `index`."""
        self.activate(index)
        free, total = _size(), _size()
        self._call("cuMemGetInfo_v2", ctypes.byref(free), ctypes.byref(total))
        return free.value, total.value

    # -- memory -----------------------------------------------------------------

    def alloc(self, index: int, nbytes: int) -> int:
        self.activate(index)
        ptr = _u64()
        # A zero-byte request is an error for the driver; one byte keeps every
        # buffer a real, distinct allocation.
        code = self._fns["cuMemAlloc_v2"](ctypes.byref(ptr), max(nbytes, 1))
        if code == OUT_OF_MEMORY:
            free, total = self.mem_info(index)
            raise OutOfMemoryError(
                f"cuda:{index} is out of memory: cuMemAlloc_v2 of {nbytes} bytes failed with "
                f"{free} of {total} bytes free; free tensors you no longer need or use "
                f"smaller batches")
        self._check(code, "cuMemAlloc_v2", "the GPU is in a bad state; restart the process")
        return ptr.value

    def free(self, index: int, ptr: int):
        self.activate(index)
        self._call("cuMemFree_v2", ptr)

    def copy_to_device(self, index: int, dst: int, src: int, nbytes: int):
        self.activate(index)
        self._call("cuMemcpyHtoD_v2", dst, src, nbytes)

    def copy_to_host(self, index: int, dst: int, src: int, nbytes: int):
        self.activate(index)
        self._call("cuMemcpyDtoH_v2", dst, src, nbytes)

    def copy_on_device(self, index: int, dst: int, src: int, nbytes: int):
        self.activate(index)
        self._call("cuMemcpyDtoD_v2", dst, src, nbytes)

    def memset(self, index: int, dst: int, byte: int, nbytes: int):
        self.activate(index)
        self._call("cuMemsetD8_v2", dst, byte, nbytes)

    # -- code -------------------------------------------------------------------

    def load_module(self, index: int, image: bytes) -> int:
        """Load a PTX (NUL-terminated text) or cubin image; returns the CUmodule."""
        self.activate(index)
        module = _ptr()
        code = self._fns["cuModuleLoadData"](ctypes.byref(module), image)
        if code in (NO_BINARY_FOR_GPU, UNSUPPORTED_PTX_VERSION):
            raise DeviceError(
                f"cuModuleLoadData failed ({self.error_name(code)}): the kernel image does not "
                f"run on cuda:{index} ({self.arch(index)}, driver {self.version()}); rebuild "
                f"for --arch {self.arch(index)} or update the driver")
        self._check(code, "cuModuleLoadData", "the kernel image is damaged; rebuild it")
        return module.value

    def function(self, module: int, name: str) -> int:
        fn = _ptr()
        self._call("cuModuleGetFunction", ctypes.byref(fn), module, name.encode(),
                   advice=f"the kernel image has no kernel {name}; rebuild it")
        return fn.value

    def launch(self, index: int, fn: int, grid: tuple, block: tuple, args: list,
               shared: int = 0):
        """Launch `fn` on the default stream; `args` are ctypes values, in order."""
        self.activate(index)
        params = (_ptr * max(len(args), 1))(*[ctypes.cast(ctypes.byref(a), _ptr) for a in args])
        self._call("cuLaunchKernel", fn, *grid, *block, shared, None, params, None,
                   advice="check the grid, block and arguments of the launch")
