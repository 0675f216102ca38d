"""Does this machine run an artifact's code? Architecture, OS and CPU features.

The manifest names the LLVM target triple and the CPU features the code was
compiled with (LLVM's names). The host's features come from /proc/cpuinfo on
Linux (no cpuid instruction needed); LLVM's feature names are mapped to the
kernel's flag names. Features the kernel does not report (LLVM tuning flags
such as `fast-unaligned-access`) cannot be checked and are skipped.
"""
from __future__ import annotations

import functools
import platform
import sys

from .errors import TargetError

_ARCH_ALIASES = {"amd64": "x86_64", "x64": "x86_64", "arm64": "aarch64", "i686": "x86",
                 "i386": "x86"}

# LLVM feature name -> /proc/cpuinfo flag, where they differ.
_CPUINFO_NAME = {
    "bmi": "bmi1", "sse4.1": "sse4_1", "sse4.2": "sse4_2", "sse3": "pni", "lzcnt": "abm", "sahf": "lahf_lm",
    "cx8": "cx8", "cx16": "cx16", "pclmul": "pclmulqdq", "rdrnd": "rdrand", "fsgsbase": "fsgsbase",
    "avxvnni": "avx_vnni", "avx512vnni": "avx512_vnni", "avx512bf16": "avx512_bf16",
    "avx512fp16": "avx512_fp16", "avx512vbmi2": "avx512_vbmi2", "avx512bitalg": "avx512_bitalg",
    "avx512vpopcntdq": "avx512_vpopcntdq", "avx512vp2intersect": "avx512_vp2intersect",
    "amx-tile": "amx_tile", "amx-int8": "amx_int8", "amx-bf16": "amx_bf16",
    "amx-fp16": "amx_fp16", "sha": "sha_ni", "crc32": "sse4_2", "cmov": "cmov",
}

# Instruction set extensions whose absence makes code fault: the ones checked.
_ISA = {
    "sse", "sse2", "sse3", "ssse3", "sse4.1", "sse4.2", "sse4a", "avx", "avx2", "fma", "fma4",
    "f16c", "bmi", "bmi2", "popcnt", "lzcnt", "movbe", "aes", "pclmul", "sha", "adx", "xop",
    "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx512ifma", "avx512vbmi",
    "avx512vbmi2", "avx512vnni", "avx512bitalg", "avx512vpopcntdq", "avx512bf16",
    "avx512fp16", "avx512vp2intersect", "avxvnni", "amx-tile", "amx-int8", "amx-bf16",
    "amx-fp16", "gfni", "vaes", "vpclmulqdq", "rdrnd", "rdseed", "cx16", "cmov", "crc32",
}


def arch_of_triple(triple: str) -> str:
    arch = triple.split("-", 1)[0].lower()
    return _ARCH_ALIASES.get(arch, arch)


def host_arch() -> str:
    m = platform.machine().lower()
    return _ARCH_ALIASES.get(m, m)


def _os_of_triple(triple: str) -> str:
    t = triple.lower()
    for key, name in (("linux", "linux"), ("darwin", "darwin"), ("macos", "darwin"),
                      ("windows", "win32"), ("freebsd", "freebsd")):
        if key in t:
            return name
    return ""


@functools.cache
def host_flags() -> frozenset | None:
    """The CPU flags /proc/cpuinfo reports, or None where it is not available."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() in ("flags", "Features"):
                    return frozenset(value.split())
    except OSError:
        return None
    return None


def missing_features(features, flags=None) -> list[str]:
    """The checkable features among `features` (LLVM names) the host lacks."""
    flags = host_flags() if flags is None else flags
    if flags is None:
        return []
    return sorted(f for f in features if f in _ISA and _CPUINFO_NAME.get(f, f) not in flags)


def check(manifest, flags=None):
    """Raise TargetError unless this machine can run the artifact's code."""
    arch = arch_of_triple(manifest.triple)
    if arch != host_arch():
        raise TargetError(f"{manifest.path}: the artifact was built for {manifest.triple} "
                          f"({arch}), this machine is {host_arch()}; rebuild it here")
    os_name = _os_of_triple(manifest.triple)
    if os_name and not sys.platform.startswith(os_name):
        raise TargetError(f"{manifest.path}: the artifact was built for {manifest.triple}, "
                          f"this machine runs {sys.platform}; rebuild it here")
    lacking = missing_features(manifest.features, flags)
    if lacking:
        raise TargetError(
            f"{manifest.path}: the artifact was built for CPU {manifest.cpu} with features "
            f"this CPU lacks: {', '.join(lacking)}; rebuild it on this machine, or with "
            f"--cpu/--features that it supports")
