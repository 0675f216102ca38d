"""The typed tensor IR: types, values, ops, the registry, text form, verifier, interpreter."""
