"""Claims of Mehta & Gupta (2025), with their verdict rules: symbolic derivations and trained models."""
