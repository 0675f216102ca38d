"""The host side of a GPU artifact, in LLVM IR: MLIR's GPU runtime functions
implemented over the driver table, the kernel images, lazy module loading, and
the exported entry points.

MLIR's `gpu-to-llvm` lowers each `gpu.launch_func` to calls of `mgpuModuleGetFunction`,
`mgpuStreamCreate`, `mgpuLaunchKernel`, `mgpuStreamSynchronize` and
`mgpuStreamDestroy`, and the `gpu.binary` to a constructor that calls
`mgpuModuleLoad` when the library is loaded. MLIR's own implementations of
these (its CUDA runtime wrappers library) are not shipped; the ones below call
the driver through `__nxc_gpu_api` (runtime/gpu/api_table.py), which the
runtime fills after it has checked the driver, the device and its
architecture. So nothing may run at load time: the constructor is removed and
the first launch loads the module instead (once per process, guarded by an
atomic state).

- `mgpuModuleLoad` ignores the placeholder it is given and loads the image for
  the current device: the cubin built for exactly its architecture, else the
  PTX of the newest architecture not newer than it (the driver compiles it),
  else it fails with CUDA_ERROR_NO_BINARY_FOR_GPU (209). A rocm artifact holds
  one code object.
- Temporary buffers: `finalize-memref-to-llvm{use-generic-functions}` makes
  every `memref.alloc` call `_mlir_memref_to_llvm_alloc`, defined here as a
  device allocation (cuMemAlloc_v2 / hipMalloc; at least one byte).
- Streams: every launch goes to the default stream, in order; the exported
  function synchronizes once at the end, so its results are complete and any
  launch error is known when it returns.
- Errors: the first non-zero driver result is stored in `__nxc_gpu_status`
  (atomically; it stays until the runtime clears it); launches are skipped
  once it is set, and the exported function returns GPU_ERROR (3).
"""
from __future__ import annotations

import re

from nxc.compiler.codegen import abi
from nxc.runtime.gpu import api_table

from .targets import sm_number

NOT_INITIALIZED = 3  # CUDA_ERROR_NOT_INITIALIZED / hipErrorNotInitialized
INVALID_HANDLE = 400  # CUDA_ERROR_INVALID_HANDLE / hipErrorInvalidHandle
NO_BINARY_FOR_GPU = 209  # CUDA_ERROR_NO_BINARY_FOR_GPU / hipErrorNoBinaryForGpu
CC_MAJOR, CC_MINOR = 75, 76  # CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR/MINOR

# What the host code needs from a driver -> the entry point of each kind.
ROLES = {
    "cuda": {"device": "cuCtxGetDevice", "attribute": "cuDeviceGetAttribute",
             "load": "cuModuleLoadData", "unload": "cuModuleUnload",
             "function": "cuModuleGetFunction", "launch": "cuLaunchKernel",
             "alloc": "cuMemAlloc_v2", "free": "cuMemFree_v2", "sync": "cuCtxSynchronize",
             "read": "cuMemcpyDtoH_v2"},
    "rocm": {"load": "hipModuleLoadData", "unload": "hipModuleUnload",
             "function": "hipModuleGetFunction", "launch": "hipModuleLaunchKernel",
             "alloc": "hipMalloc", "free": "hipFree", "sync": "hipDeviceSynchronize",
             "read": "hipMemcpyDtoH"},
}

_LLVM_TYPES = {"i32": "i32", "u32": "i32", "u64": "i64", "ptr": "ptr"}


def _signature(text: str) -> tuple[str, list[str]]:
    """'i32(ptr,u32)' -> ('i32', ['ptr', 'i32'])."""
    ret, args = re.fullmatch(r"(\w+)\((.*)\)", text).groups()
    return _LLVM_TYPES[ret], [_LLVM_TYPES[a] for a in args.split(",") if a]


def _driver_calls(kind: str) -> str:
    """One internal function per role: loads its slot, returns NOT_INITIALIZED when
    the slot is empty, else calls it."""
    slots = api_table.SLOTS[kind]
    index = {name: i for i, (name, _) in enumerate(slots)}
    out = [f"@{api_table.TABLE_SYMBOL} = global [{len(slots)} x ptr] zeroinitializer, align 8",
           f"@{api_table.STATUS_SYMBOL} = global i32 0, align 4", ""]
    for role, name in ROLES[kind].items():
        ret, args = _signature(dict(slots)[name])
        params = ", ".join(f"{t} %a{i}" for i, t in enumerate(args))
        out += [f"define internal {ret} @__nxc_{role}({params}) {{",
                f"  %slot = getelementptr inbounds [{len(slots)} x ptr], ptr "
                f"@{api_table.TABLE_SYMBOL}, i64 0, i64 {index[name]}",
                "  %fn = load ptr, ptr %slot, align 8",
                "  %missing = icmp eq ptr %fn, null",
                "  br i1 %missing, label %fail, label %call",
                "fail:", f"  ret i32 {NOT_INITIALIZED}",
                "call:",
                f"  %r = call {ret} %fn({params})", f"  ret {ret} %r", "}", ""]
    return "\n".join(out)


COMMON = """
define internal void @__nxc_record(i32 %code) {
  %ok = icmp eq i32 %code, 0
  br i1 %ok, label %done, label %set
set:
  %old = cmpxchg ptr @__nxc_gpu_status, i32 0, i32 %code seq_cst seq_cst
  br label %done
done:
  ret void
}

define internal i1 @__nxc_failed() {
  %s = load atomic i32, ptr @__nxc_gpu_status acquire, align 4
  %f = icmp ne i32 %s, 0
  ret i1 %f
}

define internal ptr @mgpuStreamCreate() {
  ret ptr null
}

define internal void @mgpuStreamDestroy(ptr %s) {
  ret void
}

define internal void @mgpuStreamSynchronize(ptr %s) {
  ret void
}

define internal void @mgpuModuleUnload(ptr %m) {
  %none = icmp eq ptr %m, null
  br i1 %none, label %done, label %unload
unload:
  %r = call i32 @__nxc_unload(ptr %m)
  br label %done
done:
  ret void
}

define internal ptr @mgpuModuleLoad(ptr %placeholder, i64 %size) {
  %image = call ptr @__nxc_select_image()
  %none = icmp eq ptr %image, null
  br i1 %none, label %fail, label %load
load:
  %slot = alloca ptr, align 8
  store ptr null, ptr %slot, align 8
  %r = call i32 @__nxc_load(ptr %slot, ptr %image)
  call void @__nxc_record(i32 %r)
  %m = load ptr, ptr %slot, align 8
  ret ptr %m
fail:
  ret ptr null
}

; The module is loaded on the first launch (after the entry point's size
; checks); the launch site's own load of the module global came before it.
define internal ptr @mgpuModuleGetFunction(ptr %stale, ptr %name) {
  call void @__nxc_gpu_ensure_loaded()
  %m = load ptr, ptr @%MODULE%, align 8
  %none = icmp eq ptr %m, null
  br i1 %none, label %fail, label %get
fail:
  call void @__nxc_record(i32 400)
  ret ptr null
get:
  %slot = alloca ptr, align 8
  store ptr null, ptr %slot, align 8
  %r = call i32 @__nxc_function(ptr %slot, ptr %m, ptr %name)
  call void @__nxc_record(i32 %r)
  %f = load ptr, ptr %slot, align 8
  ret ptr %f
}

define internal void @mgpuLaunchKernel(ptr %f, i64 %gx, i64 %gy, i64 %gz, i64 %bx, i64 %by, i64 %bz, i32 %smem, ptr %stream, ptr %params, ptr %extra, i64 %n) {
  %none = icmp eq ptr %f, null
  %failed = call i1 @__nxc_failed()
  %skip = or i1 %none, %failed
  br i1 %skip, label %done, label %launch
launch:
  %gx32 = trunc i64 %gx to i32
  %gy32 = trunc i64 %gy to i32
  %gz32 = trunc i64 %gz to i32
  %bx32 = trunc i64 %bx to i32
  %by32 = trunc i64 %by to i32
  %bz32 = trunc i64 %bz to i32
  %r = call i32 @__nxc_launch(ptr %f, i32 %gx32, i32 %gy32, i32 %gz32, i32 %bx32, i32 %by32, i32 %bz32, i32 %smem, ptr %stream, ptr %params, ptr %extra)
  call void @__nxc_record(i32 %r)
  br label %done
done:
  ret void
}

define internal ptr @_mlir_memref_to_llvm_alloc(i64 %size) {
  %small = icmp ult i64 %size, 1
  %bytes = select i1 %small, i64 1, i64 %size
  %slot = alloca i64, align 8
  store i64 0, ptr %slot, align 8
  %r = call i32 @__nxc_alloc(ptr %slot, i64 %bytes)
  call void @__nxc_record(i32 %r)
  %p = load i64, ptr %slot, align 8
  %ptr = inttoptr i64 %p to ptr
  ret ptr %ptr
}

define internal ptr @_mlir_memref_to_llvm_aligned_alloc(i64 %alignment, i64 %size) {
  ; device allocations are aligned to at least 256 bytes
  %p = call ptr @_mlir_memref_to_llvm_alloc(i64 %size)
  ret ptr %p
}

define internal void @_mlir_memref_to_llvm_free(ptr %p) {
  %none = icmp eq ptr %p, null
  br i1 %none, label %done, label %free
free:
  %r = call i32 @__nxc_free(%FREE_ARG%)
  call void @__nxc_record(i32 %r)
  br label %done
done:
  ret void
}

@__nxc_gpu_state = internal global i32 0, align 4

; 0: not loaded, 1: a thread is loading, 2: loaded. A failed load goes back
; to 0, so the next call tries again (and reports the error again).
define internal void @__nxc_gpu_ensure_loaded() {
entry:
  %s = load atomic i32, ptr @__nxc_gpu_state acquire, align 4
  %done = icmp eq i32 %s, 2
  br i1 %done, label %ret, label %try
try:
  %pair = cmpxchg ptr @__nxc_gpu_state, i32 0, i32 1 acq_rel acquire
  %won = extractvalue { i32, i1 } %pair, 1
  br i1 %won, label %load, label %wait
load:
  %ok = call i1 @__nxc_load_modules()
  %next = select i1 %ok, i32 2, i32 0
  store atomic i32 %next, ptr @__nxc_gpu_state release, align 4
  br label %ret
wait:
  %s2 = load atomic i32, ptr @__nxc_gpu_state acquire, align 4
  %busy = icmp eq i32 %s2, 1
  br i1 %busy, label %wait, label %ret
ret:
  ret void
}

define internal i32 @__nxc_gpu_finish() {
  %r = call i32 @__nxc_sync()
  call void @__nxc_record(i32 %r)
  %f = call i1 @__nxc_failed()
  %code = select i1 %f, i32 3, i32 0
  ret i32 %code
}
"""


def _bytes_ir(data: bytes) -> str:
    return "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\{b:02X}" for b in data)


def images_ir(kind: str, images: list) -> str:
    """Globals of the images and `__nxc_select_image`. `images` are (arch, format,
    bytes) with format "cubin", "ptx" (NUL-terminated here) or "hsaco"."""
    out = []
    for i, (arch, fmt, data) in enumerate(images):
        if fmt == "ptx":
            data = data + b"\0"
        out.append(f'@__nxc_image_{i} = internal constant [{len(data)} x i8] '
                   f'c"{_bytes_ir(data)}", align 8')
    body = ["define internal ptr @__nxc_select_image() {"]
    if kind == "rocm":
        body += ["  ret ptr @__nxc_image_0", "}"]
        return "\n".join(out + [""] + body) + "\n"
    body += ["  %dev = alloca i32, align 4", "  %major = alloca i32, align 4",
             "  %minor = alloca i32, align 4",
             "  %r0 = call i32 @__nxc_device(ptr %dev)",
             "  call void @__nxc_record(i32 %r0)",
             "  %d = load i32, ptr %dev, align 4",
             f"  %r1 = call i32 @__nxc_attribute(ptr %major, i32 {CC_MAJOR}, i32 %d)",
             "  call void @__nxc_record(i32 %r1)",
             f"  %r2 = call i32 @__nxc_attribute(ptr %minor, i32 {CC_MINOR}, i32 %d)",
             "  call void @__nxc_record(i32 %r2)",
             "  %failed = call i1 @__nxc_failed()",
             "  br i1 %failed, label %none, label %pick",
             "pick:",
             "  %ma = load i32, ptr %major, align 4", "  %mi = load i32, ptr %minor, align 4",
             "  %ma10 = mul i32 %ma, 10", "  %cc = add i32 %ma10, %mi",
             "  br label %try0"]
    # Exact cubins first, then PTX from the newest architecture down.
    order = [(i, a, "eq") for i, (a, f, _) in enumerate(images) if f == "cubin"]
    order += sorted(((i, a, "sge") for i, (a, f, _) in enumerate(images) if f == "ptx"),
                    key=lambda x: -sm_number(x[1]))
    for k, (i, arch, how) in enumerate(order):
        body += [f"try{k}:", f"  %c{k} = icmp {how} i32 %cc, {sm_number(arch)}",
                 f"  br i1 %c{k}, label %hit{k}, label %try{k + 1}",
                 f"hit{k}:", f"  ret ptr @__nxc_image_{i}"]
    body += [f"try{len(order)}:", f"  call void @__nxc_record(i32 {NO_BINARY_FOR_GPU})",
             "  ret ptr null", "none:", "  ret ptr null", "}"]
    return "\n".join(out + [""] + body) + "\n"


_DEFINED_HERE = re.compile(r"^declare [^@]*@(mgpu\w+|_mlir_memref_to_llvm_\w+|__nxc_gpu_read_\w+)"
                           r"\(.*$\n?", re.M)

# kernels.py's host reads of one-element device buffers: MLIR type -> LLVM type.
READ_TYPES = {"i8": "i8", "i16": "i16", "i32": "i32", "i64": "i64", "f16": "half",
              "f32": "float", "f64": "double"}


def _reads_ir(kind: str) -> str:
    """`__nxc_gpu_read_<type>(allocated, aligned, offset)`: the element a rank-0
    memref descriptor points to, copied to the host (blocking, after the
    kernels before it); zero after a failure, which is recorded."""
    src = "i64 %si" if kind == "cuda" else "ptr %src"
    out = []
    for name, ty in READ_TYPES.items():
        size = {"i8": 1, "i16": 2, "half": 2, "i32": 4, "float": 4}.get(ty, 8)
        zero = "0.0" if ty in ("half", "float", "double") else "0"
        out += [f"define internal {ty} @__nxc_gpu_read_{name}(ptr %base, ptr %p, i64 %off) {{",
                f"  %slot = alloca {ty}, align 8", f"  store {ty} {zero}, ptr %slot",
                f"  %src = getelementptr {ty}, ptr %p, i64 %off",
                "  %si = ptrtoint ptr %src to i64",
                f"  %r = call i32 @__nxc_read(ptr %slot, {src}, i64 {size})",
                "  call void @__nxc_record(i32 %r)",
                f"  %v = load {ty}, ptr %slot", f"  ret {ty} %v", "}", ""]
    return "\n".join(out)
_CTORS = re.compile(r"^@llvm\.global_(ctors|dtors) = .*$\n?", re.M)
_LOADER = re.compile(r"^define internal void @(\w+_load)\(\)", re.M)
_MODULE_GLOBAL = re.compile(r"^@(\w+_module) = internal global ptr null", re.M)


def host_ir(kind: str, translated: str, images: list, exports, impl_symbol) -> str:
    """The whole host module: MLIR's translation without its constructors, the
    runtime functions, the images, and one exported function per export."""
    text = _CTORS.sub("", translated)
    # The functions defined below replace MLIR's declarations of them.
    text = _DEFINED_HERE.sub("", text)
    loaders = _LOADER.findall(text)
    modules = _MODULE_GLOBAL.findall(text)
    load = ["define internal i1 @__nxc_load_modules() {"]
    for name in loaders:
        load.append(f"  call void @{name}()")
    ok = "true"
    for k, g in enumerate(modules):
        load += [f"  %m{k} = load ptr, ptr @{g}, align 8", f"  %n{k} = icmp ne ptr %m{k}, null",
                 f"  %ok{k} = and i1 {ok}, %n{k}"]
        ok = f"%ok{k}"
    load += [f"  ret i1 {ok}", "}"]
    free_arg = "i64 %pi" if kind == "cuda" else "ptr %p"
    # One gpu.binary, so one module global (none without kernels).
    module_global = modules[0] if modules else "__nxc_no_module"
    common = COMMON.replace("%FREE_ARG%", free_arg).replace("%MODULE%", module_global)
    if not modules:
        common += "@__nxc_no_module = internal global ptr null, align 8\n"
    if kind == "cuda":
        common = common.replace("free:\n", "free:\n  %pi = ptrtoint ptr %p to i64\n")
    parts = [text, _driver_calls(kind), common, _reads_ir(kind), "\n".join(load),
             images_ir(kind, images)]
    for ex in exports:
        parts.append(_entry_ir(ex, impl_symbol(ex.name)))
    return "\n".join(parts)


def _entry_ir(ex, impl: str) -> str:
    """abi.wrapper_ir (size checks, descriptors) renamed, and the exported function
    around it: run, synchronize, report."""
    inner = f"__nxc_entry_{ex.symbol}"
    wrapper = abi.wrapper_ir(ex, impl).replace(f"define i32 @{ex.symbol}(",
                                               f"define internal i32 @{inner}(", 1)
    params = [f"ptr noalias %in{i}" for i in range(len(ex.params))]
    params += [f"ptr noalias %out{i}" for i in range(len(ex.results))]
    params += [f"i64 %dim{i}" for i in range(len(ex.dims))]
    args = ", ".join(p.replace(" noalias", "") for p in params)
    return "\n".join([
        wrapper,
        f"define i32 @{ex.symbol}({', '.join(params)}) {{",
        f"  %r = call i32 @{inner}({args})",
        "  %bad = icmp ne i32 %r, 0",
        "  br i1 %bad, label %out, label %finish",
        "finish:",
        "  %s = call i32 @__nxc_gpu_finish()",
        "  ret i32 %s",
        "out:",
        "  ret i32 %r",
        "}", ""])
