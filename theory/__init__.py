"""SymPy layer: parameters, expressions and derivations. Pure functions, no numbers, no I/O."""
