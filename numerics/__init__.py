"""Numbers from theory: mpmath at any precision (bracketed roots) and a vectorised float64 path."""
