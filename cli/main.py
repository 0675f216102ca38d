"""The `nxc` command."""
import click


@click.group()
@click.version_option(package_name="nxc")
def main():
    """nxc: an ahead-of-time compiler for Nx-style numerical functions."""


from .opt import opt  # noqa: E402  (subcommands register after the group)
main.add_command(opt)
from .compile import compile_command  # noqa: E402
main.add_command(compile_command)
from .codegen import lower  # noqa: E402
main.add_command(lower)
from .inspect_artifact import inspect_command  # noqa: E402
main.add_command(inspect_command)
from .cache import cache_command  # noqa: E402
main.add_command(cache_command)

if __name__ == "__main__":
    main()
