"""nxc.compiler.passes"""
