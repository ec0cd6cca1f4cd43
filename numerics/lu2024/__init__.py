"""Numbers for Lu et al. (2024): formulas compiled once, certified mpmath, the float64 grid path, Fig. 3's optimum."""
