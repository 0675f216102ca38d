"""The `nxc` command."""
import click


@click.group()
@click.version_option(package_name="nxc")
def main():
    """nxc: an ahead-of-time compiler for Nx-style numerical functions."""


if __name__ == "__main__":
    main()
