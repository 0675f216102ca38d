"""`nxc lower FILE.nxir --emit mlir|llvm|asm`: the CPU backend on textual IR.

A hidden command for tests of the backend's stages (tests/lit/codegen): it
parses and verifies the IR, then prints the MLIR the backend emits, the
optimized LLVM IR, or assembly. Errors print as `file:line:col: error: ...`
and exit with status 1.
"""
from __future__ import annotations

import sys

import click

from nxc.runtime.errors import NxcError

from .opt import _read, _render


@click.command("lower", hidden=True)
@click.argument("file")
@click.option("--emit", type=click.Choice(("mlir", "llvm", "asm")), default="mlir",
              help="The stage to print.")
@click.option("-O", "opt_level", type=click.IntRange(0, 3), default=2,
              help="LLVM optimization level (0-3).")
@click.option("--cpu", default=None, help="Target CPU (default: this machine's).")
@click.option("--features", default=None, help="Target features, like +avx2,-fma.")
@click.option("--print-ir-after", "print_after", default=None, metavar="STAGE",
              help="Also print the MLIR after a pipeline stage (to stderr).")
@click.option("--debug", is_flag=True, help="Show the Python traceback of an error.")
def lower(file, emit, opt_level, cpu, features, print_after, debug):
    """Lower the textual IR module FILE ('-' reads stdin) for the CPU."""
    text, name = "", file
    try:
        from nxc.compiler.codegen import compile_module
        from nxc.compiler.ir.parser import parse_module
        from nxc.compiler.ir.verifier import verify
        text, name = _read(file)
        module = verify(parse_module(text, name))
        out = compile_module(module, emit=emit, opt_level=opt_level, cpu=cpu,
                             features=features, print_after=print_after,
                             out=lambda s: click.echo(s, err=True))
    except NxcError as err:
        if debug:
            raise
        click.echo(_render(err, text, name), err=True)
        sys.exit(1)
    click.echo(out, nl=False)
