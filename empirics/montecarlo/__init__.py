"""Monte Carlo of the reduced linear-attention model: samplers, exact laws, Γ* solve, test errors, baselines."""
