"""The driver entry points a GPU artifact's host library calls, in the order of
its exported `__nxc_gpu_api` table (an array of function pointers).

Before the first call into the library the runtime stores the address of each
function (from libcuda.so.1 for cuda, libamdhip64.so for rocm) in the slot of
that index. Signatures use i32/u32/u64 for integers of that width and ptr for
pointers and handles; every function returns its CUresult / hipError_t. The
library records the first non-zero result in its exported `int32
__nxc_gpu_status` and returns NXC_GPU_ERROR (3); a slot left null reads as
error 3 (not initialized), never as a call through null. docs/gpu.md has the
whole contract.
"""

CUDA = (
    ("cuCtxGetDevice", "i32(ptr)"),
    ("cuDeviceGetAttribute", "i32(ptr,i32,i32)"),
    ("cuModuleLoadData", "i32(ptr,ptr)"),
    ("cuModuleUnload", "i32(ptr)"),
    ("cuModuleGetFunction", "i32(ptr,ptr,ptr)"),
    ("cuLaunchKernel", "i32(ptr,u32,u32,u32,u32,u32,u32,u32,ptr,ptr,ptr)"),
    ("cuMemAlloc_v2", "i32(ptr,u64)"),
    ("cuMemFree_v2", "i32(u64)"),
    ("cuCtxSynchronize", "i32()"),
    ("cuMemcpyDtoH_v2", "i32(ptr,u64,u64)"),
)

ROCM = (
    ("hipModuleLoadData", "i32(ptr,ptr)"),
    ("hipModuleUnload", "i32(ptr)"),
    ("hipModuleGetFunction", "i32(ptr,ptr,ptr)"),
    ("hipModuleLaunchKernel", "i32(ptr,u32,u32,u32,u32,u32,u32,u32,ptr,ptr,ptr)"),
    ("hipMalloc", "i32(ptr,u64)"),
    ("hipFree", "i32(ptr)"),
    ("hipDeviceSynchronize", "i32()"),
    ("hipMemcpyDtoH", "i32(ptr,ptr,u64)"),
)

SLOTS = {"cuda": CUDA, "rocm": ROCM}

TABLE_SYMBOL = "__nxc_gpu_api"
STATUS_SYMBOL = "__nxc_gpu_status"
GPU_ERROR = 3  # what an exported function returns when a driver call failed
