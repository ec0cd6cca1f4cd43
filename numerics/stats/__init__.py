"""Statistics of measurements: power-law, logistic and optimum fits with bootstrap intervals, 1/d extrapolation."""
