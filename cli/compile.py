"""`nxc compile MODEL.py`: compile the `@defn` functions of a model file.

The file is read, never executed (nor are the files it imports). `--emit ir`
prints the typed IR of every fully annotated `@defn` (or those named with
`--function`). Errors print as `file:line:col: error: message` with the source
line and a caret, and exit with status 1; `--debug` shows the traceback.
"""
from __future__ import annotations

import sys

import click

from nxc.runtime.errors import NxcError

# Stages the CLI can stop after; only the IR exists so far.
STAGES = ("ir", "mlir", "llvm", "asm", "obj")
AVAILABLE = ("ir",)


@click.command("compile")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--emit", type=click.Choice(STAGES), default=None,
              help="Stop after a stage and print its output (default: a compiled artifact).")
@click.option("--function", "functions", multiple=True, metavar="NAME",
              help="Compile only this @defn function (repeatable).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the output to this file instead of stdout.")
@click.option("--debug", is_flag=True, help="Show the Python traceback of an error.")
def compile_command(file, emit, functions, output, debug):
    """Compile the @defn functions of FILE without running it."""
    try:
        text = _run(file, emit, functions)
    except NxcError as err:
        if debug:
            raise
        click.echo(str(err), err=True)
        sys.exit(1)
    except Exception as err:  # a bug in nxc: say so, without the traceback
        if debug:
            raise
        click.echo(f"{file}: internal compiler error: {type(err).__name__}: {err}\n"
                   f"(rerun with --debug for the traceback, and please report it)", err=True)
        sys.exit(2)
    if output:
        try:
            with open(output, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as e:
            if debug:
                raise
            click.echo(f"{output}: error: cannot write the output: {e.strerror}", err=True)
            sys.exit(1)
    else:
        click.echo(text, nl=False)


def _run(file, emit, functions) -> str:
    if emit not in AVAILABLE:
        what = f"--emit {emit}" if emit else "a compiled artifact (the default output)"
        raise NxcError(f"error: {what} is not available yet: this version of nxc compiles "
                       f"to the IR only; use --emit ir")
    from nxc.compiler.frontend.driver import compile_file
    from nxc.compiler.ir.printer import print_module
    from nxc.compiler.ir.verifier import verify
    module = compile_file(file, list(functions) or None)
    if not module.functions:
        raise NxcError(f"{file}: error: no fully annotated @defn function to compile "
                       f"(annotate every parameter, like x: nx.f32[3])")
    return print_module(verify(module))
