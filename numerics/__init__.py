"""Numbers from theory: formulas compiled per back end, mpmath at any precision (bracketed roots), float64 grids."""
