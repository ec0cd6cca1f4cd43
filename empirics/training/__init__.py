"""Trained torch models: the architectures, the training loops, the task families they learn, exact GD constructions."""
