"""`nxc inspect ARTIFACT`: what a compiled artifact holds, read from its manifest.

Only the manifest is read (and checked), so an artifact built for another
machine can be inspected too.
"""
import os
import sys

import click

from nxc.runtime import manifest
from nxc.runtime.errors import NxcError


@click.command("inspect")
@click.argument("artifact", type=click.Path())
def inspect_command(artifact):
    """Print the target and the function signatures of ARTIFACT (a directory)."""
    path = os.path.join(artifact, manifest.FILE) if os.path.isdir(artifact) else artifact
    try:
        m = manifest.read(path)
    except NxcError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(1)
    click.echo(f"artifact  {m.directory}")
    click.echo(f"module    {m.module} (nxc {m.nxc_version})")
    click.echo(f"target    {m.triple}, cpu {m.cpu}")
    click.echo(f"features  {','.join(m.features) or '(none)'}")
    click.echo(f"library   {m.library}")
    for sig in m.functions:
        click.echo(f"  {sig}")
        if sig.doc:
            click.echo(f"      {sig.doc.strip().splitlines()[0]}")
