"""Experiments on the training room: per-paper protocols, size and shape sweeps, thresholds, learned steps."""
