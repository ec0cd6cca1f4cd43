"""Pick the torch device at run time (never at import): ``auto`` means CUDA when present, else CPU."""

from __future__ import annotations

from typing import Any

from iclverify.runtime.errors import MissingDependencyError, ParameterError

__all__ = ["DEVICES", "TORCH_MISSING", "missing_dependency", "pick_device", "require_torch"]

DEVICES = ("auto", "cpu", "cuda")


TORCH_MISSING = "this needs PyTorch: pip install 'icl-verify[train]' (torch==2.13.0 installs the CPU build)"


def require_torch() -> Any:
    """Import torch, or fail with a message that says how to get it."""
    try:
        import torch
    except ImportError:  # pragma: no cover - depends on the installation
        raise MissingDependencyError(TORCH_MISSING) from None
    return torch


def missing_dependency(exc: BaseException) -> MissingDependencyError | None:
    """The clear error for an ``ImportError`` of torch (a module that imports torch at its top), else ``None``.

    >>> missing_dependency(ImportError("No module named 'torch'", name="torch")) is not None
    True
    >>> missing_dependency(ImportError("No module named 'numpy'", name="numpy")) is None
    True
    """
    if isinstance(exc, ImportError) and (exc.name or "").partition(".")[0] == "torch":
        return MissingDependencyError(TORCH_MISSING)
    return None


def pick_device(preference: str = "auto") -> Any:
    """``torch.device`` for ``auto`` / ``cpu`` / ``cuda`` (``cuda`` without a GPU is an error)."""
    if preference not in DEVICES:
        raise ParameterError(f"device must be one of {', '.join(DEVICES)}, got {preference!r}")
    torch = require_torch()
    if preference == "cuda" and not torch.cuda.is_available():
        raise ParameterError("device 'cuda' was asked for but no CUDA GPU is available; use --device auto or cpu")
    if preference == "auto":
        preference = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(preference)
