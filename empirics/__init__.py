"""Finite-d reality: Monte Carlo of the reduced model, baselines and trained torch models."""
