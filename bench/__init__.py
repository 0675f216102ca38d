"""The CPU benchmark suite: nxc (ahead of time and JIT) against numpy and JAX.

`python -m bench` runs the workloads W1-W8 of docs/performance.md, one
process per workload and thread count, and prints the table that file
holds; `--gpu` adds G1, the softmax on an NVIDIA GPU (gpu.py); `python -m
bench --help` lists the options. Nothing here is part of the installed `nxc`
package.
"""
