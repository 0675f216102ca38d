"""Just enough ELF reading to check what an AMDGPU object was built for.

An AMDGPU object (relocatable or code object) has e_machine EM_AMDGPU and the
architecture in the low byte of e_flags (EF_AMDGPU_MACH, values from LLVM's
BinaryFormat/ELF.h); its note section also names the target, as
`amdgcn-amd-amdhsa--gfx942`.
"""
from __future__ import annotations

import struct

EM_AMDGPU = 224
ET_REL, ET_DYN = 1, 3

EF_AMDGPU_MACH = {
    "gfx900": 0x02C, "gfx906": 0x02F, "gfx908": 0x030, "gfx90a": 0x03F, "gfx940": 0x040,
    "gfx941": 0x04B, "gfx942": 0x04C, "gfx950": 0x04F, "gfx1030": 0x036, "gfx1100": 0x041,
    "gfx1101": 0x046, "gfx1102": 0x047, "gfx1200": 0x048, "gfx1201": 0x04E,
}


def header(data: bytes) -> dict:
    """e_type, e_machine and e_flags of a 64-bit little-endian ELF file."""
    if len(data) < 64 or data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF file")
    e_type, e_machine = struct.unpack_from("<HH", data, 16)
    (e_flags,) = struct.unpack_from("<I", data, 48)
    return {"type": e_type, "machine": e_machine, "flags": e_flags}


def amdgpu_arch(data: bytes) -> str | None:
    """The gfx architecture an AMDGPU ELF file was built for (None: not in the table)."""
    h = header(data)
    if h["machine"] != EM_AMDGPU:
        raise ValueError(f"e_machine is {h['machine']}, not EM_AMDGPU ({EM_AMDGPU})")
    mach = h["flags"] & 0xFF
    return next((a for a, m in EF_AMDGPU_MACH.items() if m == mach), None)
