"""Makes tests/unit importable from its sub-folders, so that every test shares
the oracles and input generators in tests/unit/oracles."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
