"""nxc: Elixir Nx semantics for Python, compiled ahead of time."""
