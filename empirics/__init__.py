"""Finite-d reality: Monte Carlo of the reduced models, trained torch models, and the experiments built on them."""
