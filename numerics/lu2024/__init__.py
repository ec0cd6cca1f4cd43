"""Numbers for Lu et al. (2024): certified mpmath at any precision, the float64 grid path, the Fig. 3 optimum."""
