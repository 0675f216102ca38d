# The GPU MLIR of two softmaxes (--target cuda --emit mlir): the host function
# allocates temporaries and launches one kernel per loop nest, with a grid
# computed from the symbolic size; each kernel is a gpu.func in one gpu.module,
# then the same module lowered to NVVM.
# RUN: %nxc compile %s --target cuda --emit mlir | FileCheck %s
import nxc as nx


# Row softmax: one thread per row for the row maximum and sum (the reduced
# axis loops in the thread), one thread per element for the rest.
# CHECK-LABEL: func.func private @__nxc_impl_rows(%arg0: memref<?x1000xf32>, %arg1: memref<?x1000xf32>)
# CHECK: %[[N:.+]] = memref.dim %arg0, %c0 : memref<?x1000xf32>
# CHECK: memref.alloc(%[[N]]) {{.*}} : memref<?x1xf32>
# CHECK: %[[B:.+]] = arith.ceildivui %[[N]], %c256 : index
# CHECK: %[[G:.+]] = arith.maxui %[[B]], %c1 : index
# CHECK: gpu.launch_func  @nxc_kernels::@__nxc_impl_rows_kernel blocks in (%[[G]], %c1, %c1) threads in (%c256, %c1, %c1)
# CHECK: gpu.launch_func  @nxc_kernels::@__nxc_impl_rows_kernel_0
# CHECK: %[[E:.+]] = arith.muli %[[N]], %c1000 : index
# CHECK: arith.ceildivui %[[E]], %c256 : index
# CHECK: memref.dealloc
# CHECK: gpu.module @nxc_kernels {
# CHECK: gpu.func @__nxc_impl_rows_kernel_0(%arg0: memref<?x1000xf32>, %arg1: memref<?x1xf32>) kernel
# CHECK: gpu.block_id  x
# CHECK: gpu.thread_id  x
# CHECK: scf.for %{{.+}} = %c0 to %c1000 step %c1 {
# CHECK: arith.maximumf
@nx.defn
def rows(x: nx.f32["n", 1000]):
    e = nx.exp(x - nx.reduce_max(x, axes=[1], keep_axes=True))
    return e / nx.sum(e, axes=[1], keep_axes=True)


# Softmax of a whole vector: the maximum and the sum run in two passes, 1024
# threads striding over the elements, then one thread merging the 1024
# partial results.
# CHECK: gpu.func @__nxc_impl_whole_kernel_{{[0-9]+}}(%arg0: memref<?xf32>, %arg1: memref<1024xf32>) kernel
# CHECK: %[[M:.+]] = scf.for %{{.+}} = %{{.+}} to %{{.+}} step %c1024 iter_args(%{{.+}} = %{{.+}}) -> (f32) {
# CHECK: arith.maximumf
# CHECK: memref.store %[[M]]
# CHECK: gpu.func @__nxc_impl_whole_kernel_{{[0-9]+}}(%arg0: memref<f32>, %arg1: memref<1024xf32>) kernel attributes {known_block_size = array<i32: 1, 1, 1>
# CHECK: scf.for %{{.+}} = %c0 to %c1024 step %c1 {
# CHECK-LABEL: func.func private @__nxc_impl_whole(%arg0: memref<?xf32>, %arg1: memref<?xf32>)
# CHECK: gpu.launch_func  @nxc_kernels::@__nxc_impl_whole_kernel_{{[0-9]+}} blocks in (%c4, %c1, %c1) threads in (%c256, %c1, %c1)
@nx.defn
def whole(t: nx.f32["n"]):
    e = nx.exp(t - nx.reduce_max(t))
    return e / nx.sum(e)


# The kernels in the NVVM dialect: LLVM functions marked as kernels, reading
# the block and thread ids from PTX special registers.
# CHECK: // the kernels lowered for cuda (NVVM)
# CHECK: gpu.module @nxc_kernels {
# CHECK: llvm.func @__nxc_impl_rows_kernel({{.*}}) attributes {gpu.kernel, {{.*}}nvvm.kernel
# CHECK: nvvm.read.ptx.sreg.ctaid.x : i32
# CHECK: nvvm.read.ptx.sreg.tid.x range <i32, 0, 256> : i32
