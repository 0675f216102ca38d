"""Device names (`cpu`, `cuda:0`, `rocm:1`) and the driver behind each GPU kind.

A driver library is loaded the first time a device of its kind is used, once
per process; a failure is raised again on every use (nothing half-initialized
is kept), so installing a driver is not needed for CPU-only work.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from ..errors import ArgumentError
from . import cuda, hip

# kind -> the driver class; `hip` is accepted as another name for `rocm`.
DRIVERS = {"cuda": cuda.CudaDriver, "rocm": hip.HipDriver}
_ALIASES = {"hip": "rocm"}
_PATTERN = re.compile(r"(cpu|cuda|rocm|hip)(?::(\d+))?")

_drivers = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Device:
    kind: str  # "cpu", "cuda" or "rocm"
    index: int = 0

    def __str__(self):
        return "cpu" if self.kind == "cpu" else f"{self.kind}:{self.index}"

    @property
    def driver(self):
        return driver(self.kind)


CPU = Device("cpu")


def parse(device) -> Device:
    """A Device from `"cpu"`, `"cuda"` (device 0), `"cuda:N"`, `"rocm:N"` or a Device."""
    if isinstance(device, Device):
        return device
    m = _PATTERN.fullmatch(device.strip().lower()) if isinstance(device, str) else None
    if m is None or (m.group(1) == "cpu" and m.group(2) not in (None, "0")):
        raise ArgumentError(f"device must be 'cpu', 'cuda', 'cuda:N' or 'rocm:N' (N the GPU "
                            f"index), got {device!r}")
    kind = _ALIASES.get(m.group(1), m.group(1))
    return CPU if kind == "cpu" else Device(kind, int(m.group(2) or 0))


def driver(kind: str):
    """The loaded driver for `kind` (DriverNotFoundError / DeviceError if unusable)."""
    d = _drivers.get(kind)
    if d is None:
        with _lock:
            d = _drivers.get(kind)
            if d is None:
                d = _drivers[kind] = DRIVERS[kind]()
    return d
