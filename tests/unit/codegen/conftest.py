"""Shared fixtures of the CPU backend tests: compile modules once, through a cache.

Artifacts are cached by content hash in one directory that every xdist worker
of a run shares (a lock file per entry makes a worker wait for another that is
compiling the same module instead of compiling it twice).
"""
import pytest

from nxc.compiler.codegen import compile_cached
from nxc.compiler.ir.core import Module
from nxc.runtime import load
from op_module import one_op_module as make_one_op_module


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory):
    # The parent of the base temp dir is common to the xdist workers of a run.
    return str(tmp_path_factory.getbasetemp().parent / "nxc-codegen-cache")


@pytest.fixture(scope="session")
def build(cache_dir):
    """build(module, **options) -> the loaded artifact, compiled once per content."""
    loaded = {}

    def build_(module: Module, **options):
        path = compile_cached(module, cache_dir=cache_dir, **options)
        if path not in loaded:
            art = load(path)
            loaded[path] = art
        return loaded[path]
    return build_


@pytest.fixture(scope="session")
def one_op_module():
    """one_op_module(name, cases) -> a module with one function per case, a case
    being (function name, op name, operand types, attributes)."""
    return make_one_op_module
