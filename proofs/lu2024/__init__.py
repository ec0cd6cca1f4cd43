"""Claims of Lu et al. (2024), with their verdict rules: the theory, finite-d Monte Carlo, trained models."""
