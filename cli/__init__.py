"""The nxc command-line interface."""
