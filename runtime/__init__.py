"""Run-time infrastructure every layer may use: errors, validation, seeding, device, cache, sweeps, executors."""
