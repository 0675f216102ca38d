"""`nxc cache`: where the JIT's compiled artifacts are kept, and clearing them."""
import os
import shutil

import click


@click.command("cache")
@click.option("--clear", is_flag=True, help="Delete every cached artifact.")
def cache_command(clear):
    """Print the JIT cache directory ($NXC_CACHE_DIR) and its size, or clear it."""
    from nxc.compiler.codegen.driver import default_cache_dir
    root = default_cache_dir()
    if clear:
        if os.path.isdir(root):
            shutil.rmtree(root)
        click.echo(f"cleared {root}")
        return
    files = [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs]
    size = sum(os.path.getsize(f) for f in files if os.path.isfile(f))
    entries = len(os.listdir(os.path.join(root, "cpu"))) if os.path.isdir(
        os.path.join(root, "cpu")) else 0
    click.echo(f"{root}: {entries} compiled module(s), {size / 1e6:.1f} MB")
