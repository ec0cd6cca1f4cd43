"""Mehta & Gupta (2025) in SymPy: the scaling-law expressions, derivations and the depth-width allocation."""
