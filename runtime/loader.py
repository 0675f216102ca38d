"""Loading an artifact directory: manifest, host check, library, functions.

An artifact package's `__init__.py` calls `load_package(__file__)`; any
process can also `load(path)` a package directory directly.
"""
from __future__ import annotations

import os

from . import hooks, host, manifest, threads
from .errors import ArtifactError
from .function import CompiledFunction
from .library import open_library


class Artifact:
    """The loaded functions of an artifact, as attributes (`art.softmax(x)`)."""

    def __init__(self, m: manifest.Manifest, functions: dict):
        self.manifest = m
        self.functions = functions

    def __getattr__(self, name):
        functions = self.__dict__.get("functions", {})
        if name in functions:
            return functions[name]
        raise AttributeError(f"artifact {self.__dict__['manifest'].module!r} has no "
                             f"function {name!r}")

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self.functions))

    def __repr__(self):
        return f"<nxc artifact {self.manifest.module} at {self.manifest.directory}>"


def load(path, device_id: int = 0) -> Artifact:
    """Load the artifact in directory `path` (or at its manifest.json).

    `device_id` selects the GPU that a cuda or rocm artifact runs on."""
    path = os.fspath(path)
    if os.path.isdir(path):
        path = os.path.join(path, manifest.FILE)
    elif not os.path.exists(path):
        raise ArtifactError(f"{path}: no such artifact")
    m = manifest.read(path)
    host.check(m)
    if m.kind != "cpu":  # GPU artifacts: device checks, driver table, device buffers
        from .gpu import function as gpu_function
        return Artifact(m, gpu_function.load(m, device_id))
    lib = open_library(m)
    threads.attach(lib)
    hooks.attach(lib)
    return Artifact(m, {s.name: CompiledFunction(s, lib) for s in m.functions})


def load_package(init_file: str) -> Artifact:
    """Load the artifact whose package `__init__.py` is `init_file`."""
    return load(os.path.dirname(os.path.abspath(init_file)))
