"""Independent expected values for the ops, one table per kind of op."""
