"""Pick the torch device at run time (never at import): ``auto`` means CUDA when present, else CPU."""

from __future__ import annotations

from iclverify.runtime.errors import MissingDependencyError, ParameterError

__all__ = ["DEVICES", "pick_device", "require_torch"]

DEVICES = ("auto", "cpu", "cuda")


def require_torch():
    """Import torch, or fail with a message that says how to get it."""
    try:
        import torch
    except ImportError:  # pragma: no cover - depends on the installation
        raise MissingDependencyError(
            "this needs PyTorch: pip install 'icl-verify[train]' (torch==2.13.0 installs the CPU build)"
        ) from None
    return torch


def pick_device(preference: str = "auto"):
    """``torch.device`` for ``auto`` / ``cpu`` / ``cuda`` (``cuda`` without a GPU is an error)."""
    if preference not in DEVICES:
        raise ParameterError(f"device must be one of {', '.join(DEVICES)}, got {preference!r}")
    torch = require_torch()
    if preference == "cuda" and not torch.cuda.is_available():
        raise ParameterError("device 'cuda' was asked for but no CUDA GPU is available; use --device auto or cpu")
    if preference == "auto":
        preference = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(preference)
