"""ROCm through HIP (`libamdhip64.so`) with ctypes, behind CudaDriver's interface.

HIP keeps the current device per thread (`hipSetDevice`), which plays the part
of CUDA's current context. Every hipError_t is checked like a CUresult.
"""
from __future__ import annotations

import ctypes
import re

from ..errors import DeviceError, DriverNotFoundError, OutOfMemoryError

LIBRARIES = ("libamdhip64.so", "libamdhip64.so.6", "libamdhip64.so.5")

SUCCESS = 0
OUT_OF_MEMORY = 2
NO_DEVICE = 100
NO_BINARY_FOR_GPU = 209

_HTOD, _DTOH, _DTOD = 1, 2, 3

_i32, _u32, _ptr, _size = ctypes.c_int, ctypes.c_uint, ctypes.c_void_p, ctypes.c_size_t
_P = ctypes.POINTER

_SIGNATURES = {
    "hipInit": [_u32],
    "hipDriverGetVersion": [_P(_i32)],
    "hipGetDeviceCount": [_P(_i32)],
    "hipDeviceGetName": [ctypes.c_char_p, _i32, _i32],
    "hipSetDevice": [_i32],
    "hipDeviceSynchronize": [],
    "hipMemGetInfo": [_P(_size), _P(_size)],
    "hipMalloc": [_P(_ptr), _size],
    "hipFree": [_ptr],
    "hipMemcpy": [_ptr, _ptr, _size, _i32],
    "hipMemset": [_ptr, _i32, _size],
    "hipModuleLoadData": [_P(_ptr), ctypes.c_char_p],
    "hipModuleGetFunction": [_P(_ptr), _ptr, ctypes.c_char_p],
    "hipModuleLaunchKernel": [_ptr, _u32, _u32, _u32, _u32, _u32, _u32, _u32, _ptr, _P(_ptr),
                              _P(_ptr)],
}


class HipDriver:
    """One process-wide binding of the HIP runtime; `library` names the file to load."""

    kind = "rocm"
    dlpack_device_type = 10  # kDLROCM

    def __init__(self, library: str = None):
        candidates = (library,) if library else LIBRARIES
        errors = []
        for name in candidates:
            try:
                self._lib = ctypes.CDLL(name)
                break
            except OSError as e:
                errors.append(str(e))
        else:
            raise DriverNotFoundError(
                f"{' / '.join(candidates)} was not found ({errors[-1]}): install ROCm (the HIP "
                f"runtime) or use target cpu")
        self._fns = {}
        for name, argtypes in _SIGNATURES.items():
            try:
                fn = getattr(self._lib, name)
            except AttributeError:
                raise DriverNotFoundError(
                    f"the HIP runtime lacks {name}: ROCm is too old, update it") from None
            fn.argtypes, fn.restype = argtypes, _i32
            self._fns[name] = fn
        for name in ("hipGetErrorName", "hipGetErrorString"):
            fn = getattr(self._lib, name)
            fn.argtypes, fn.restype = [_i32], ctypes.c_char_p
        code = self._fns["hipInit"](0)
        if code == NO_DEVICE:
            raise DeviceError("the HIP runtime found no ROCm device (hipInit: hipErrorNoDevice); "
                              "check rocm-smi, HIP_VISIBLE_DEVICES, or use target cpu")
        self._check(code, "hipInit", "check that ROCm works (rocm-smi)")

    def error_name(self, code: int) -> str:
        name = self._lib.hipGetErrorName(code)
        text = self._lib.hipGetErrorString(code)
        if not name:
            return f"hipError_t {code}"
        return f"{name.decode()}: {text.decode()}" if text else name.decode()

    def _check(self, code, call, advice):
        if code != SUCCESS:
            raise DeviceError(f"{call} failed ({self.error_name(code)}); {advice}")

    def _call(self, name, *args, advice="the GPU is in a bad state; restart the process"):
        self._check(self._fns[name](*args), name, advice)

    def address(self, name: str) -> int:
        try:
            return ctypes.cast(getattr(self._lib, name), ctypes.c_void_p).value
        except AttributeError:
            raise DeviceError(f"the HIP runtime lacks {name}, which the artifact calls; "
                              f"update ROCm") from None

    def version(self) -> int:
        v = _i32()
        self._call("hipDriverGetVersion", ctypes.byref(v))
        return v.value

    def device_count(self) -> int:
        n = _i32()
        self._call("hipGetDeviceCount", ctypes.byref(n))
        return n.value

    def _device(self, index: int) -> int:
        count = self.device_count()
        if not 0 <= index < count:
            raise DeviceError(f"there is no device rocm:{index}: this machine has {count} "
                              f"ROCm device(s)")
        return index

    def name(self, index: int) -> str:
        buf = ctypes.create_string_buffer(256)
        self._call("hipDeviceGetName", buf, 256, self._device(index))
        return buf.value.decode()

    def arch(self, index: int) -> str:
        """The device's `gfx...` name, read from hipDeviceProp_t's gcnArchName.

        The struct's layout changes between ROCm releases, so the name is
        found in a generously sized copy rather than at a fixed offset.
        """
        self._device(index)
        fn = getattr(self._lib, "hipGetDevicePropertiesR0600", None) or \
            self._lib.hipGetDeviceProperties
        fn.argtypes, fn.restype = [_ptr, _i32], _i32
        props = ctypes.create_string_buffer(8192)
        self._check(fn(props, index), "hipGetDeviceProperties", "update ROCm")
        found = re.search(rb"gfx[0-9a-f]+", props.raw)
        if not found:
            raise DeviceError(f"cannot read the architecture of rocm:{index}; update ROCm")
        return found.group().decode()

    def activate(self, index: int):
        # Set every time: other libraries may select another device in between.
        self._call("hipSetDevice", self._device(index))

    def synchronize(self, index: int):
        self.activate(index)
        self._call("hipDeviceSynchronize",
                   advice="a kernel failed; its results are lost, restart the process")

    def mem_info(self, index: int) -> tuple:
        self.activate(index)
        free, total = _size(), _size()
        self._call("hipMemGetInfo", ctypes.byref(free), ctypes.byref(total))
        return free.value, total.value

    def alloc(self, index: int, nbytes: int) -> int:
        self.activate(index)
        ptr = _ptr()
        code = self._fns["hipMalloc"](ctypes.byref(ptr), max(nbytes, 1))
        if code == OUT_OF_MEMORY:
            free, total = self.mem_info(index)
            raise OutOfMemoryError(
                f"rocm:{index} is out of memory: hipMalloc of {nbytes} bytes failed with "
                f"{free} of {total} bytes free; free tensors you no longer need or use "
                f"smaller batches")
        self._check(code, "hipMalloc", "the GPU is in a bad state; restart the process")
        return ptr.value

    def free(self, index: int, ptr: int):
        self.activate(index)
        self._call("hipFree", ptr)

    def copy_to_device(self, index, dst, src, nbytes):
        self.activate(index)
        self._call("hipMemcpy", dst, src, nbytes, _HTOD)

    def copy_to_host(self, index, dst, src, nbytes):
        self.activate(index)
        self._call("hipMemcpy", dst, src, nbytes, _DTOH)

    def copy_on_device(self, index, dst, src, nbytes):
        self.activate(index)
        self._call("hipMemcpy", dst, src, nbytes, _DTOD)

    def memset(self, index, dst, byte, nbytes):
        self.activate(index)
        self._call("hipMemset", dst, byte, nbytes)

    def load_module(self, index: int, image: bytes) -> int:
        self.activate(index)
        module = _ptr()
        code = self._fns["hipModuleLoadData"](ctypes.byref(module), image)
        if code == NO_BINARY_FOR_GPU:
            raise DeviceError(f"hipModuleLoadData failed ({self.error_name(code)}): the code "
                              f"object does not run on rocm:{index} ({self.arch(index)}); "
                              f"rebuild for --arch {self.arch(index)}")
        self._check(code, "hipModuleLoadData", "the code object is damaged; rebuild it")
        return module.value

    def function(self, module: int, name: str) -> int:
        fn = _ptr()
        self._call("hipModuleGetFunction", ctypes.byref(fn), module, name.encode(),
                   advice=f"the code object has no kernel {name}; rebuild it")
        return fn.value

    def launch(self, index, fn, grid, block, args, shared=0):
        self.activate(index)
        params = (_ptr * max(len(args), 1))(*[ctypes.cast(ctypes.byref(a), _ptr) for a in args])
        self._call("hipModuleLaunchKernel", fn, *grid, *block, shared, None, params, None,
                   advice="check the grid, block and arguments of the launch")
