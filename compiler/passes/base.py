"""Passes take a module and return a module; the manager runs a named list of them.

Between passes the manager can verify the module (always in tests) and print the
IR after any pass by name (`--print-ir-after=grad`).
"""
from __future__ import annotations

import sys

from ..ir.core import Module


class Pass:
    """A module-to-module transformation. Subclasses set `name` and define `run`."""

    name = "pass"

    def run(self, module: Module) -> Module:
        raise NotImplementedError(f"pass {self.name} does not define run()")


class PassManager:
    def __init__(self, passes, *, verify=False, print_after=(), out=None):
        self.passes = list(passes)
        self.verify = verify
        self.print_after = set(print_after)
        self.out = out or sys.stderr
        unknown = self.print_after - {p.name for p in self.passes}
        if unknown:
            from nxc.runtime.errors import ArgumentError
            raise ArgumentError(
                f"--print-ir-after names unknown pass(es) {sorted(unknown)}; "
                f"the pipeline runs {[p.name for p in self.passes]}")

    def run(self, module: Module) -> Module:
        from ..ir.printer import print_module
        from ..ir.verifier import verify
        for p in self.passes:
            module = p.run(module)
            if self.verify:
                verify(module)
            if p.name in self.print_after:
                print(f"// IR after {p.name}", file=self.out)
                print(print_module(module), file=self.out)
        return module
