"""`nxc opt FILE`: parse a textual IR module, verify it, print it back.

Errors print as `file:line:col: error: message` with the offending line and a
caret, and exit with status 1; `--debug` shows the Python traceback instead.
"""
from __future__ import annotations

import sys

import click

from nxc.compiler.ir.parser import parse_module
from nxc.compiler.ir.printer import print_module
from nxc.compiler.ir.verifier import verify
from nxc.runtime.errors import IRParseError, NxcError, VerifyError


def _read(path: str) -> tuple[str, str]:
    """The text of `path` (`-` is stdin) and the name errors give it."""
    if path == "-":
        data, name = sys.stdin.buffer.read(), "<stdin>"
    else:
        name = path
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise NxcError(f"{path}: error: cannot read the file: {e.strerror}") from None
    try:
        return data.decode("utf-8"), name
    except UnicodeDecodeError as e:
        raise NxcError(f"{name}: error: the file is not UTF-8 text (byte {e.start})") from None


def _render(err: NxcError, text: str, name: str) -> str:
    if isinstance(err, IRParseError):
        lines = text.splitlines()
        head = f"{err.file}:{err.line}:{err.col}: error: {err.message}"
        if 1 <= err.line <= len(lines):
            return f"{head}\n{lines[err.line - 1]}\n{' ' * (err.col - 1)}^"
        return head
    if isinstance(err, VerifyError):
        where = err.loc if err.loc.known else name
        return f"{where}: error: {err}"
    return str(err)


@click.command("opt")
@click.argument("file")
@click.option("--debug", is_flag=True, help="Show the Python traceback of an error.")
def opt(file, debug):
    """Parse FILE (textual IR; '-' reads stdin), verify it and print it."""
    text, name = "", file
    try:
        text, name = _read(file)
        module = verify(parse_module(text, name))
    except NxcError as err:
        if debug:
            raise
        click.echo(_render(err, text, name), err=True)
        sys.exit(1)
    click.echo(print_module(module), nl=False)
