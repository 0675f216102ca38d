"""nxc.compiler.codegen"""
