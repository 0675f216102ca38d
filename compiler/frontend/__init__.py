"""nxc.compiler.frontend"""
