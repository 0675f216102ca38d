"""The nxc runtime: what a compiled artifact needs at run time.

It imports only the standard library, numpy and ml_dtypes, never the compiler.
"""
