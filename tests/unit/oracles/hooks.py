"""Oracle of print_value: the identity (what it prints is checked in
tests/unit/nx_examples/test_hooks.py)."""

ORACLES = {"print_value": lambda x, *, label: x}
