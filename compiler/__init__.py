"""The nxc compiler: frontend, IR, passes and code generation."""
