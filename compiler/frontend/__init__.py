"""The @defn frontend: Python source -> typed, located IR (see docs/frontend.md).

`driver.compile_file(path)` reads a model without running it; `driver.lower_defn`
lowers one specialization (the JIT path of `nx.defn` uses it).
"""
