"""Numbers for Mehta & Gupta (2025): configurations, parameter counts, allocations, critical scales."""
