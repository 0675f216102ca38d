# The PTX of a softmax (--target cuda --emit asm): one .entry per kernel, for
# the architecture asked for, with no external function left (libdevice is
# linked in); several architectures give one section each.
# RUN: %nxc compile %s --target cuda --arch sm_90 --emit asm | FileCheck %s
# RUN: %nxc compile %s --target cuda --arch sm_80,sm_90 --emit asm | FileCheck %s --check-prefix=MULTI
# RUN: not %nxc compile %s --target cuda --arch sm_9 --emit asm 2>&1 | FileCheck %s --check-prefix=BAD
import nxc as nx


# CHECK: .version 8.0
# CHECK-NEXT: .target sm_90
# CHECK-NEXT: .address_size 64
# CHECK-NOT: .extern
# CHECK: .visible .entry __nxc_impl_softmax_kernel(
# CHECK-NEXT: .param .u64 __nxc_impl_softmax_kernel_param_0,
# CHECK: .maxntid 256, 1, 1
# CHECK: mov.u32 {{.*}}%ctaid.x;
# CHECK: mov.u32 {{.*}}%tid.x;
# CHECK: .visible .entry __nxc_impl_softmax_kernel_0(
# CHECK: ret;

# MULTI: // ---- sm_80 ----
# MULTI: .target sm_80
# MULTI: .visible .entry __nxc_impl_softmax_kernel(
# MULTI: // ---- sm_90 ----
# MULTI: .target sm_90
# MULTI: .visible .entry __nxc_impl_softmax_kernel(

# BAD: error: 'sm_9' is not an NVIDIA architecture; expected sm_<major><minor> such as sm_80 or sm_90
@nx.defn
def softmax(x: nx.f32["n", 1000]):
    e = nx.exp(x - nx.reduce_max(x, axes=[1], keep_axes=True))
    return e / nx.sum(e, axes=[1], keep_axes=True)
