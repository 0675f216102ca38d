"""GPU support of the runtime: CUDA (driver API) and ROCm (HIP) through ctypes.

Nothing here loads a driver at import: `libcuda.so.1` or `libamdhip64.so` is
opened the first time a device of its kind is used, so CPU-only processes never
need one. `DeviceArray` is device memory with a shape and a dtype; `nx.Tensor`
wraps it for tensors on a device (`device="cuda:0"`).
"""
from .array import DeviceArray, empty, from_host  # noqa: F401
from .devices import CPU, Device, driver, parse  # noqa: F401
from .dlpack import from_dlpack  # noqa: F401
