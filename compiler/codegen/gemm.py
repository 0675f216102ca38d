"""A packed, register-tiled matrix product for f32 and f64, as LLVM IR.

The BLIS scheme (Goto and van de Geijn): for each NC-wide block of B's
columns and KC-deep slice of K, B's block is packed into NR-wide panels; for
each MC-high block of A's rows, A's block is packed into MR-high panels; then
a micro-kernel multiplies one A panel by one B panel into an MR x NR tile of C
kept in vector registers (MR * NR / W accumulators of W lanes: 6 x 16 f32 is
12 AVX2 registers, the most that leave room for the B vectors and the
broadcast A value among x86's 16). The B panel (KC x NR) stays in L1, the
A block (MC x KC) in L2, the B block (KC x NC) in L3.

Packing reads any strides, so transposed operands cost nothing extra, and
pads the panels with zeros: the micro-kernel always runs full tiles and a
K that is a multiple of its unrolling, and only its final write is clipped to
C's edge. The padding contributes 0 * 0 products, so edges compute exactly the
sums the interior does.

Threads split the batch, or else the larger of C's two dimensions, into one
contiguous slice per thread, each with its own packing buffers; a product
smaller than GRAIN flops per thread stays on the calling thread. The packing
buffers come from aligned_alloc; when it fails, a plain loop nest (no
memory) computes the slice instead, so the product cannot fail.

Entry: `__nxc_gemm_<dtype>(A, B, C)` with MLIR's expanded memref descriptors
of three rank-3 strided memrefs A[batch, M, K], B[batch, K, N] and a
contiguous C[batch, M, N], which it overwrites.
"""
from __future__ import annotations

from dataclasses import dataclass

from nxc.compiler.ir import dtypes

from .threads_ir import MAX_THREADS


@dataclass(frozen=True)
class Shape:
    """The blocking of one element type (sizes in elements)."""

    scalar: str  # LLVM type
    bytes: int
    lanes: int  # W: one AVX2 vector
    mr: int
    nr: int  # a multiple of `lanes`
    kc: int
    mc: int  # a multiple of mr
    nc: int  # a multiple of nr
    unroll: int = 4  # K steps per micro-kernel iteration

    @property
    def vec(self) -> str:
        return f"<{self.lanes} x {self.scalar}>"

    @property
    def suffix(self) -> str:
        return f"v{self.lanes}f{self.bytes * 8}"


# AVX2 (16 vector registers of 256 bits); the cache sizes of a core with 32 KiB
# L1d, 512 KiB L2 and a shared L3 of several MiB.
SHAPES = {
    dtypes.f32: Shape("float", 4, 8, 6, 16, 256, 144, 4096),
    dtypes.f64: Shape("double", 8, 4, 6, 8, 256, 72, 2048),
}

GRAIN = 1 << 22  # flops per thread below which a product stays on one thread


def symbol(dt) -> str:
    return f"__nxc_gemm_{dt.name}"


class _Text:
    """LLVM IR lines with counted loops (`for_` ... `end`)."""

    def __init__(self):
        self.lines: list[str] = []
        self.loops: list[str] = []

    def __call__(self, *lines):
        self.lines.extend(lines)

    def label(self, name):
        self.lines.append(f"{name}:")

    def for_(self, var, lo, hi, step):
        """`for (var = lo; var < hi; var += step)`, signed, i64."""
        self(f"  br label %{var}.pre")
        self.label(f"{var}.pre")
        self(f"  br label %{var}.head")
        self.label(f"{var}.head")
        self(f"  %{var} = phi i64 [{lo}, %{var}.pre], [%{var}.next, %{var}.latch]",
             f"  %{var}.in = icmp slt i64 %{var}, {hi}",
             f"  br i1 %{var}.in, label %{var}.body, label %{var}.exit")
        self.label(f"{var}.body")
        self.loops.append((var, step))

    def end(self):
        var, step = self.loops.pop()
        self(f"  br label %{var}.latch")
        self.label(f"{var}.latch")
        self(f"  %{var}.next = add i64 %{var}, {step}",
             f"  br label %{var}.head")
        self.label(f"{var}.exit")

    def min(self, out, a, b):
        self(f"  %{out} = call i64 @llvm.smin.i64(i64 {a}, i64 {b})")

    def text(self):
        return "\n".join(self.lines)


def _kernel(s: Shape, p: str) -> str:
    """C[0:mr, 0:nr] (+)= Ap panel (kc x MR) * Bp panel (kc x NR); kc is a multiple
    of the unrolling. `first`: overwrite C instead of adding to it."""
    T, V, W, MR, NV, U = s.scalar, s.vec, s.lanes, s.mr, s.nr // s.lanes, s.unroll
    acc = [(i, j) for i in range(MR) for j in range(NV)]
    t = _Text()
    t(f"define internal void @{p}kernel(i64 %kc, ptr noalias %ap, ptr noalias %bp, "
      f"ptr noalias %c, i64 %ldc, i64 %mr, i64 %nr, i1 %first) {{",
      "entry:",
      f"  %tile = alloca [{MR * s.nr} x {T}], align 32")
    # C's tile is read (or written) only after the K loop: fetch it meanwhile.
    for i in range(MR):
        t(f"  %pfo.{i} = mul i64 %ldc, {i}",
          f"  %pf.{i} = getelementptr inbounds {T}, ptr %c, i64 %pfo.{i}",
          f"  call void @llvm.prefetch.p0(ptr %pf.{i}, i32 1, i32 3, i32 1)",
          f"  %pfe.{i} = getelementptr inbounds {T}, ptr %pf.{i}, i64 {s.nr - 1}",
          f"  call void @llvm.prefetch.p0(ptr %pfe.{i}, i32 1, i32 3, i32 1)")
    t("  %empty = icmp eq i64 %kc, 0",
      "  br i1 %empty, label %store, label %loop")
    t.label("loop")
    t("  %k = phi i64 [0, %entry], [%k.next, %loop]")
    for i, j in acc:
        t(f"  %acc.{i}.{j} = phi {V} [zeroinitializer, %entry], [%acc.{i}.{j}.{U - 1}, %loop]")
    for u in range(U):
        t(f"  %k.{u} = add i64 %k, {u}",
          f"  %boff.{u} = mul i64 %k.{u}, {s.nr}",
          f"  %aoff.{u} = mul i64 %k.{u}, {MR}")
        for j in range(NV):
            t(f"  %boff.{u}.{j} = add i64 %boff.{u}, {j * W}",
              f"  %bptr.{u}.{j} = getelementptr inbounds {T}, ptr %bp, i64 %boff.{u}.{j}",
              f"  %b.{u}.{j} = load {V}, ptr %bptr.{u}.{j}, align 32")
        for i in range(MR):
            t(f"  %aoff.{u}.{i} = add i64 %aoff.{u}, {i}",
              f"  %aptr.{u}.{i} = getelementptr inbounds {T}, ptr %ap, i64 %aoff.{u}.{i}",
              f"  %a.{u}.{i} = load {T}, ptr %aptr.{u}.{i}, align {s.bytes}",
              f"  %as.{u}.{i} = insertelement {V} poison, {T} %a.{u}.{i}, i64 0",
              f"  %av.{u}.{i} = shufflevector {V} %as.{u}.{i}, {V} poison, "
              f"<{W} x i32> zeroinitializer")
            for j in range(NV):
                prev = f"%acc.{i}.{j}" if u == 0 else f"%acc.{i}.{j}.{u - 1}"
                t(f"  %acc.{i}.{j}.{u} = call {V} @llvm.fma.{s.suffix}({V} %av.{u}.{i}, "
                  f"{V} %b.{u}.{j}, {V} {prev})")
    t(f"  %k.next = add i64 %k, {U}",
      "  %k.more = icmp ult i64 %k.next, %kc",
      "  br i1 %k.more, label %loop, label %store")
    t.label("store")
    for i, j in acc:
        t(f"  %r.{i}.{j} = phi {V} [zeroinitializer, %entry], [%acc.{i}.{j}.{U - 1}, %loop]")
    t(f"  %fullm = icmp eq i64 %mr, {MR}",
      f"  %fulln = icmp eq i64 %nr, {s.nr}",
      "  %full = and i1 %fullm, %fulln",
      "  br i1 %full, label %fast, label %edge")
    # A whole tile: vector stores straight into C.
    t.label("fast")
    for i in range(MR):
        t(f"  %row.{i} = mul i64 %ldc, {i}")
        for j in range(NV):
            t(f"  %coff.{i}.{j} = add i64 %row.{i}, {j * W}",
              f"  %cptr.{i}.{j} = getelementptr inbounds {T}, ptr %c, i64 %coff.{i}.{j}")
    t("  br i1 %first, label %fast.set, label %fast.add")
    t.label("fast.set")
    for i, j in acc:
        t(f"  store {V} %r.{i}.{j}, ptr %cptr.{i}.{j}, align {s.bytes}")
    t("  ret void")
    t.label("fast.add")
    for i, j in acc:
        t(f"  %old.{i}.{j} = load {V}, ptr %cptr.{i}.{j}, align {s.bytes}",
          f"  %new.{i}.{j} = fadd {V} %old.{i}.{j}, %r.{i}.{j}",
          f"  store {V} %new.{i}.{j}, ptr %cptr.{i}.{j}, align {s.bytes}")
    t("  ret void")
    # A tile clipped at C's edge: through the stack, element by element.
    t.label("edge")
    for i, j in acc:
        t(f"  %tptr.{i}.{j} = getelementptr inbounds {T}, ptr %tile, i64 {i * s.nr + j * W}",
          f"  store {V} %r.{i}.{j}, ptr %tptr.{i}.{j}, align 32")
    t.for_("ei", 0, "%mr", 1)
    t.for_("ej", 0, "%nr", 1)
    t(f"  %eti = mul i64 %ei, {s.nr}",
      "  %etj = add i64 %eti, %ej",
      f"  %etp = getelementptr inbounds {T}, ptr %tile, i64 %etj",
      f"  %ev = load {T}, ptr %etp, align {s.bytes}",
      "  %eci = mul i64 %ei, %ldc",
      "  %ecj = add i64 %eci, %ej",
      f"  %ecp = getelementptr inbounds {T}, ptr %c, i64 %ecj",
      "  br i1 %first, label %eset, label %eadd",
      "eadd:",
      f"  %eold = load {T}, ptr %ecp, align {s.bytes}",
      f"  %esum = fadd {T} %eold, %ev",
      "  br label %ewrite",
      "eset:",
      "  br label %ewrite",
      "ewrite:",
      f"  %enew = phi {T} [%esum, %eadd], [%ev, %eset]",
      f"  store {T} %enew, ptr %ecp, align {s.bytes}")
    t.end()
    t.end()
    t("  ret void", "}")
    return t.text()


def _pack(s: Shape, p: str, which: str) -> str:
    """Pack rows [0, m) x K [0, kc) of a strided matrix into `out`, in panels of
    `r` rows (MR for A; NR for B, whose "rows" are its columns): panel q holds
    element (q*r + i, k) at q*r*kcp + k*r + i, zero where i or k is past the end.
    Whole panels copy without bounds checks, a panel of unit row stride (B
    row-major, A column-major) as one vector per k."""
    T, r = s.scalar, (s.mr if which == "a" else s.nr)
    V = f"<{r} x {T}>"
    t = _Text()
    t(f"define internal void @{p}pack_{which}(i64 %m, i64 %kc, i64 %kcp, ptr noalias %x, "
      f"i64 %rs, i64 %ks, ptr noalias %out) {{",
      "entry:",
      "  %unit = icmp eq i64 %rs, 1")
    t.for_("q", 0, "%m", r)
    t("  %qbase = mul i64 %q, %kcp",
      "  %qx = mul i64 %q, %rs",
      f"  %qend = add i64 %q, {r}",
      "  %full = icmp sle i64 %qend, %m",
      "  br i1 %full, label %whole, label %part",
      "whole:",
      "  br i1 %unit, label %vec, label %rows",
      "vec:")
    t.for_("vk", 0, "%kc", 1)
    t("  %vkx = mul i64 %vk, %ks",
      "  %vxi = add i64 %qx, %vkx",
      f"  %vxp = getelementptr inbounds {T}, ptr %x, i64 %vxi",
      f"  %vv = load {V}, ptr %vxp, align {s.bytes}",
      f"  %vko = mul i64 %vk, {r}",
      "  %voi = add i64 %qbase, %vko",
      f"  %vop = getelementptr inbounds {T}, ptr %out, i64 %voi",
      f"  store {V} %vv, ptr %vop, align {s.bytes}")
    t.end()
    t("  br label %tail", "rows:")
    t.for_("sk", 0, "%kc", 1)
    t("  %skx = mul i64 %sk, %ks",
      "  %sxi = add i64 %qx, %skx",
      f"  %sxp = getelementptr inbounds {T}, ptr %x, i64 %sxi",
      f"  %sko = mul i64 %sk, {r}",
      "  %soi = add i64 %qbase, %sko",
      f"  %sop = getelementptr inbounds {T}, ptr %out, i64 %soi")
    for i in range(r):
        t(f"  %sx.{i} = mul i64 %rs, {i}",
          f"  %sxp.{i} = getelementptr inbounds {T}, ptr %sxp, i64 %sx.{i}",
          f"  %sv.{i} = load {T}, ptr %sxp.{i}, align {s.bytes}",
          f"  %sop.{i} = getelementptr inbounds {T}, ptr %sop, i64 {i}",
          f"  store {T} %sv.{i}, ptr %sop.{i}, align {s.bytes}")
    t.end()
    t("  br label %tail", "tail:")
    # K's padding.
    t.for_("tk", "%kc", "%kcp", 1)
    t(f"  %tko = mul i64 %tk, {r}",
      "  %toi = add i64 %qbase, %tko",
      f"  %top = getelementptr inbounds {T}, ptr %out, i64 %toi",
      f"  store {V} zeroinitializer, ptr %top, align {s.bytes}")
    t.end()
    t("  br label %next", "part:")
    t.for_("k", 0, "%kcp", 1)
    t("  %kin = icmp slt i64 %k, %kc",
      "  %kx = mul i64 %k, %ks",
      f"  %kbase = mul i64 %k, {r}",
      "  %obase = add i64 %qbase, %kbase")
    t.for_("i", 0, r, 1)
    t("  %row = add i64 %q, %i",
      "  %rin = icmp slt i64 %row, %m",
      "  %in = and i1 %rin, %kin",
      "  br i1 %in, label %ld, label %zero",
      "ld:",
      "  %rx = mul i64 %row, %rs",
      "  %xi = add i64 %rx, %kx",
      f"  %xp = getelementptr inbounds {T}, ptr %x, i64 %xi",
      f"  %xv = load {T}, ptr %xp, align {s.bytes}",
      "  br label %put",
      "zero:",
      "  br label %put",
      "put:",
      f"  %v = phi {T} [%xv, %ld], [0.0, %zero]",
      "  %oi = add i64 %obase, %i",
      f"  %op = getelementptr inbounds {T}, ptr %out, i64 %oi",
      f"  store {T} %v, ptr %op, align {s.bytes}")
    t.end()
    t.end()
    t("  br label %next", "next:")
    t.end()
    t("  ret void", "}")
    return t.text()


def _core(s: Shape, p: str) -> str:
    """One product C[M, N] = A[M, K] B[K, N] (strided A and B, C rows `ldc` apart)
    with the packing buffers `ap` (MC x KC) and `bp` (KC x NC)."""
    T, U = s.scalar, s.unroll
    t = _Text()
    t(f"define internal void @{p}core(i64 %M, i64 %N, i64 %K, ptr %A, i64 %rsa, i64 %csa, "
      f"ptr %B, i64 %rsb, i64 %csb, ptr %C, i64 %ldc, ptr %ap, ptr %bp) {{",
      "entry:",
      "  %nok = icmp sgt i64 %K, 0",
      "  br i1 %nok, label %blocks, label %zero",
      "zero:")
    # K = 0: the sums are empty.
    t.for_("zi", 0, "%M", 1)
    t.for_("zj", 0, "%N", 1)
    t("  %zri = mul i64 %zi, %ldc",
      "  %zo = add i64 %zri, %zj",
      f"  %zp = getelementptr inbounds {T}, ptr %C, i64 %zo",
      f"  store {T} 0.0, ptr %zp, align {s.bytes}")
    t.end()
    t.end()
    t("  ret void", "blocks:")
    t.for_("jc", 0, "%N", s.nc)
    t("  %nrest = sub i64 %N, %jc")
    t.min("nc", "%nrest", s.nc)
    t.for_("pc", 0, "%K", s.kc)
    t("  %krest = sub i64 %K, %pc")
    t.min("kc", "%krest", s.kc)
    t(f"  %kcu = add i64 %kc, {U - 1}",
      f"  %kcp = and i64 %kcu, {-U}",
      "  %first = icmp eq i64 %pc, 0",
      "  %bro = mul i64 %pc, %rsb",
      "  %bco = mul i64 %jc, %csb",
      "  %bo = add i64 %bro, %bco",
      f"  %bsrc = getelementptr inbounds {T}, ptr %B, i64 %bo",
      # B's columns are the packed "rows": column stride first.
      f"  call void @{p}pack_b(i64 %nc, i64 %kc, i64 %kcp, ptr %bsrc, i64 %csb, "
      f"i64 %rsb, ptr %bp)")
    t.for_("ic", 0, "%M", s.mc)
    t("  %mrest = sub i64 %M, %ic")
    t.min("mc", "%mrest", s.mc)
    t("  %aro = mul i64 %ic, %rsa",
      "  %aco = mul i64 %pc, %csa",
      "  %ao = add i64 %aro, %aco",
      f"  %asrc = getelementptr inbounds {T}, ptr %A, i64 %ao",
      f"  call void @{p}pack_a(i64 %mc, i64 %kc, i64 %kcp, ptr %asrc, i64 %rsa, "
      f"i64 %csa, ptr %ap)")
    t.for_("jr", 0, "%nc", s.nr)
    t("  %jrest = sub i64 %nc, %jr")
    t.min("nr", "%jrest", s.nr)
    t("  %bpo = mul i64 %jr, %kcp",
      f"  %bpp = getelementptr inbounds {T}, ptr %bp, i64 %bpo",
      "  %cj = add i64 %jc, %jr")
    t.for_("ir", 0, "%mc", s.mr)
    t("  %irest = sub i64 %mc, %ir")
    t.min("mr", "%irest", s.mr)
    t("  %apo = mul i64 %ir, %kcp",
      f"  %app = getelementptr inbounds {T}, ptr %ap, i64 %apo",
      "  %ci = add i64 %ic, %ir",
      "  %cio = mul i64 %ci, %ldc",
      "  %co = add i64 %cio, %cj",
      f"  %cp = getelementptr inbounds {T}, ptr %C, i64 %co",
      f"  call void @{p}kernel(i64 %kcp, ptr %app, ptr %bpp, ptr %cp, i64 %ldc, i64 %mr, "
      f"i64 %nr, i1 %first)")
    for _ in range(5):
        t.end()
    t("  ret void", "}")
    return t.text()


def _naive(s: Shape, p: str) -> str:
    """C = A B by a plain loop nest: the fallback when packing buffers cannot be had."""
    T = s.scalar
    t = _Text()
    t(f"define internal void @{p}naive(i64 %M, i64 %N, i64 %K, ptr %A, i64 %rsa, i64 %csa, "
      f"ptr %B, i64 %rsb, i64 %csb, ptr %C, i64 %ldc) {{",
      "entry:")
    t.for_("i", 0, "%M", 1)
    t.for_("j", 0, "%N", 1)
    t("  %ci = mul i64 %i, %ldc",
      "  %co = add i64 %ci, %j",
      f"  %cp = getelementptr inbounds {T}, ptr %C, i64 %co",
      f"  store {T} 0.0, ptr %cp, align {s.bytes}")
    t.for_("k", 0, "%K", 1)
    t("  %ai = mul i64 %i, %rsa",
      "  %ak = mul i64 %k, %csa",
      "  %ao = add i64 %ai, %ak",
      f"  %ap = getelementptr inbounds {T}, ptr %A, i64 %ao",
      f"  %a = load {T}, ptr %ap, align {s.bytes}",
      "  %bk = mul i64 %k, %rsb",
      "  %bj = mul i64 %j, %csb",
      "  %bo = add i64 %bk, %bj",
      f"  %bpt = getelementptr inbounds {T}, ptr %B, i64 %bo",
      f"  %b = load {T}, ptr %bpt, align {s.bytes}",
      f"  %old = load {T}, ptr %cp, align {s.bytes}",
      f"  %new = call {T} @llvm.fma.f{s.bytes * 8}({T} %a, {T} %b, {T} %old)",
      f"  store {T} %new, ptr %cp, align {s.bytes}")
    t.end()
    t.end()
    t.end()
    t("  ret void", "}")
    return t.text()


# A job: one slice of the product, run by one thread.
# { nb, sab, sbb, scb, M, N, K, A, rsa, csa, B, rsb, csb, C, ldc }
_JOB = "{ i64, i64, i64, i64, i64, i64, i64, ptr, i64, i64, ptr, i64, i64, ptr, i64 }"
_JOB_FIELDS = ["nb", "sab", "sbb", "scb", "M", "N", "K", "A", "rsa", "csa", "B", "rsb",
               "csb", "C", "ldc"]
_PTRS = {"A", "B", "C"}


def _worker(s: Shape, p: str) -> str:
    """The thread start routine: a job's batches, each through `core` with buffers
    of its own (or `naive` when they cannot be allocated)."""
    T = s.scalar
    t = _Text()
    t(f"define internal ptr @{p}worker(ptr %job) {{", "entry:")
    for n, f in enumerate(_JOB_FIELDS):
        ty = "ptr" if f in _PTRS else "i64"
        t(f"  %{f}.p = getelementptr inbounds {_JOB}, ptr %job, i32 0, i32 {n}",
          f"  %{f} = load {ty}, ptr %{f}.p, align 8")
    # Buffers for the blocks this slice has: a small product allocates little.
    U = s.unroll
    t("  %k1 = call i64 @llvm.smin.i64(i64 %K, i64 " + str(s.kc) + ")",
      f"  %k2 = add i64 %k1, {U - 1}",
      f"  %kmax = and i64 %k2, {-U}",
      f"  %m1 = call i64 @llvm.smin.i64(i64 %M, i64 {s.mc})",
      f"  %m2 = add i64 %m1, {s.mr - 1}",
      f"  %m3 = udiv i64 %m2, {s.mr}",
      f"  %mmax = mul i64 %m3, {s.mr}",
      f"  %n1 = call i64 @llvm.smin.i64(i64 %N, i64 {s.nc})",
      f"  %n2 = add i64 %n1, {s.nr - 1}",
      f"  %n3 = udiv i64 %n2, {s.nr}",
      f"  %nmax = mul i64 %n3, {s.nr}",
      "  %ae = mul i64 %mmax, %kmax",
      "  %be = mul i64 %kmax, %nmax",
      # aligned_alloc wants a multiple of the alignment (and not 0).
      f"  %ab0 = mul i64 %ae, {s.bytes}",
      f"  %bb0 = mul i64 %be, {s.bytes}",
      "  %ab1 = add i64 %ab0, 127",
      "  %bb1 = add i64 %bb0, 127",
      "  %abytes = and i64 %ab1, -64",
      "  %bbytes = and i64 %bb1, -64",
      "  %ap = call ptr @aligned_alloc(i64 64, i64 %abytes)",
      "  %bp = call ptr @aligned_alloc(i64 64, i64 %bbytes)",
      "  %apn = icmp eq ptr %ap, null",
      "  %bpn = icmp eq ptr %bp, null",
      "  %nomem = or i1 %apn, %bpn")
    t.for_("b", 0, "%nb", 1)
    t("  %ao = mul i64 %b, %sab",
      f"  %a = getelementptr inbounds {T}, ptr %A, i64 %ao",
      "  %bo = mul i64 %b, %sbb",
      f"  %bb = getelementptr inbounds {T}, ptr %B, i64 %bo",
      "  %co = mul i64 %b, %scb",
      f"  %c = getelementptr inbounds {T}, ptr %C, i64 %co",
      "  br i1 %nomem, label %slow, label %fast",
      "fast:",
      f"  call void @{p}core(i64 %M, i64 %N, i64 %K, ptr %a, i64 %rsa, i64 %csa, ptr %bb, "
      f"i64 %rsb, i64 %csb, ptr %c, i64 %ldc, ptr %ap, ptr %bp)",
      "  br label %next",
      "slow:",
      f"  call void @{p}naive(i64 %M, i64 %N, i64 %K, ptr %a, i64 %rsa, i64 %csa, ptr %bb, "
      f"i64 %rsb, i64 %csb, ptr %c, i64 %ldc)",
      "  br label %next",
      "next:")
    t.end()
    t("  call void @free(ptr %ap)",
      "  call void @free(ptr %bp)",
      "  ret ptr null", "}")
    return t.text()


def _entry(s: Shape, p: str, name: str) -> str:
    """The entry: memref descriptors in, one job per thread, run."""
    T = s.scalar
    desc = []
    for m in "abc":
        desc += [f"ptr %{m}.alloc", f"ptr %{m}.data", f"i64 %{m}.off"]
        desc += [f"i64 %{m}.n{d}" for d in range(3)] + [f"i64 %{m}.s{d}" for d in range(3)]
    t = _Text()
    t(f"define internal void @{name}({', '.join(desc)}) {{",
      "entry:",
      f"  %jobs = alloca [{MAX_THREADS} x {_JOB}], align 8",
      f"  %A = getelementptr inbounds {T}, ptr %a.data, i64 %a.off",
      f"  %B = getelementptr inbounds {T}, ptr %b.data, i64 %b.off",
      f"  %C = getelementptr inbounds {T}, ptr %c.data, i64 %c.off",
      "  %nb = add i64 %a.n0, 0", "  %M = add i64 %a.n1, 0", "  %K = add i64 %a.n2, 0",
      "  %N = add i64 %b.n2, 0",
      # Work in flops: 2 * nb * M * N * K, saturated well below overflow.
      "  %w0 = mul i64 %M, %N",
      "  %w1 = call i64 @llvm.umin.i64(i64 %w0, i64 4294967296)",
      "  %kk = call i64 @llvm.umin.i64(i64 %K, i64 1048576)",
      "  %w2 = mul i64 %w1, %kk",
      "  %bb = call i64 @llvm.umin.i64(i64 %nb, i64 1024)",
      "  %w3 = mul i64 %w2, %bb",
      "  %work = shl i64 %w3, 1",
      f"  %n = call i64 @__nxc_threads_for(i64 %work, i64 {GRAIN})",
      # Split the batch when it has a slice for every thread, else the larger of
      # M and N (in whole tiles).
      "  %bsplit = icmp uge i64 %nb, %n",
      "  %nbig = icmp uge i64 %N, %M",
      f"  %tile = select i1 %nbig, i64 {s.nr}, i64 {s.mr}",
      "  %ext0 = select i1 %nbig, i64 %N, i64 %M",
      "  %ext = select i1 %bsplit, i64 %nb, i64 %ext0",
      "  %unit = select i1 %bsplit, i64 1, i64 %tile",
      # chunk = ceil(ceil(ext / n) / unit) * unit
      "  %nm1 = sub i64 %n, 1",
      "  %e1 = add i64 %ext, %nm1",
      "  %per = udiv i64 %e1, %n",
      "  %um1 = sub i64 %unit, 1",
      "  %p1 = add i64 %per, %um1",
      "  %pu = udiv i64 %p1, %unit",
      "  %chunk = mul i64 %pu, %unit")
    t.for_("t", 0, "%n", 1)
    t("  %lo0 = mul i64 %t, %chunk",
      "  %lo = call i64 @llvm.umin.i64(i64 %lo0, i64 %ext)",
      "  %hi0 = add i64 %lo, %chunk",
      "  %hi = call i64 @llvm.umin.i64(i64 %hi0, i64 %ext)",
      "  %len = sub i64 %hi, %lo",
      # The slice: batches [lo, hi), or rows or columns [lo, hi) of every batch.
      "  %jnb = select i1 %bsplit, i64 %len, i64 %nb",
      "  %bshift = select i1 %bsplit, i64 %lo, i64 0",
      "  %mshift0 = select i1 %nbig, i64 0, i64 %lo",
      "  %mshift = select i1 %bsplit, i64 0, i64 %mshift0",
      "  %nshift0 = select i1 %nbig, i64 %lo, i64 0",
      "  %nshift = select i1 %bsplit, i64 0, i64 %nshift0",
      "  %jM0 = select i1 %nbig, i64 %M, i64 %len",
      "  %jM = select i1 %bsplit, i64 %M, i64 %jM0",
      "  %jN0 = select i1 %nbig, i64 %len, i64 %N",
      "  %jN = select i1 %bsplit, i64 %N, i64 %jN0",
      "  %ab = mul i64 %bshift, %a.s0", "  %am = mul i64 %mshift, %a.s1",
      "  %ao = add i64 %ab, %am",
      f"  %jA = getelementptr inbounds {T}, ptr %A, i64 %ao",
      "  %bbo = mul i64 %bshift, %b.s0", "  %bn = mul i64 %nshift, %b.s2",
      "  %bo = add i64 %bbo, %bn",
      f"  %jB = getelementptr inbounds {T}, ptr %B, i64 %bo",
      "  %cb = mul i64 %bshift, %c.s0", "  %cm = mul i64 %mshift, %c.s1",
      "  %cn = mul i64 %nshift, %c.s2",
      "  %cbm = add i64 %cb, %cm", "  %co = add i64 %cbm, %cn",
      f"  %jC = getelementptr inbounds {T}, ptr %C, i64 %co",
      f"  %job = getelementptr inbounds [{MAX_THREADS} x {_JOB}], ptr %jobs, i64 0, i64 %t")
    values = {"nb": "%jnb", "sab": "%a.s0", "sbb": "%b.s0", "scb": "%c.s0", "M": "%jM",
              "N": "%jN", "K": "%K", "A": "%jA", "rsa": "%a.s1", "csa": "%a.s2",
              "B": "%jB", "rsb": "%b.s1", "csb": "%b.s2", "C": "%jC", "ldc": "%c.s1"}
    for n, f in enumerate(_JOB_FIELDS):
        ty = "ptr" if f in _PTRS else "i64"
        t(f"  %j.{f} = getelementptr inbounds {_JOB}, ptr %job, i32 0, i32 {n}",
          f"  store {ty} {values[f]}, ptr %j.{f}, align 8")
    t.end()
    t(f"  call void @__nxc_run_jobs(ptr @{p}worker, ptr %jobs, i64 ptrtoint "
      f"(ptr getelementptr ({_JOB}, ptr null, i32 1) to i64), i64 %n, i64 %n)",
      "  ret void", "}")
    return t.text()


def gemm_ir(dt) -> str:
    """The LLVM IR definitions of `symbol(dt)` and its helpers."""
    s = SHAPES[dt]
    p = f"__nxc_gemm_{dt.name}_"
    return "\n\n".join([_kernel(s, p), _pack(s, p, "a"), _pack(s, p, "b"), _core(s, p),
                        _naive(s, p), _worker(s, p), _entry(s, p, symbol(dt))])


def declarations(dt) -> dict:
    s = SHAPES[dt]
    v, bits = s.vec, s.bytes * 8
    return {
        f"llvm.fma.{s.suffix}": f"declare {v} @llvm.fma.{s.suffix}({v}, {v}, {v})",
        f"llvm.fma.f{bits}": f"declare {s.scalar} @llvm.fma.f{bits}({s.scalar}, "
                             f"{s.scalar}, {s.scalar})",
        "llvm.smin.i64": "declare i64 @llvm.smin.i64(i64, i64)",
        "llvm.prefetch.p0": "declare void @llvm.prefetch.p0(ptr, i32, i32, i32)",
        "aligned_alloc": "declare ptr @aligned_alloc(i64, i64)",
        "free": "declare void @free(ptr)",
    }
