"""Torch files in the cache (checkpoints, trained weights): written atomically, checksummed, loaded safely.

:func:`save_torch` writes ``path`` through a temporary file and a rename, then a sidecar
``path.sha256`` holding the file's SHA-256 and size (and, if given, the configuration it belongs to).
With a ``lease`` (:mod:`iclverify.runtime.lease`) it first checks that this process still owns the
work, so a straggler never overwrites a rescheduled run's checkpoint. :func:`load_torch` verifies the
sidecar and loads with ``weights_only=True`` (a cache on shared storage must not run code it reads);
a file that is missing its sidecar, fails its checksum or does not load is reported once, moved aside
and reported as absent (``None``), so the caller recomputes it.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from iclverify.runtime.cache import atomic_write_bytes, atomic_write_text, to_plain
from iclverify.runtime.device import require_torch
from iclverify.runtime.lease import Lease

__all__ = ["load_torch", "save_torch", "sidecar"]


def sidecar(path: Path) -> Path:
    """The checksum file beside ``path``."""
    return path.with_name(path.name + ".sha256")


def save_torch(obj: Any, path: Path, *, lease: Lease | None = None, config: Mapping[str, Any] | None = None) -> None:
    """``torch.save`` to ``path`` atomically with a checksum sidecar (after checking ``lease``, if given)."""
    torch = require_torch()
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    data = buffer.getvalue()
    meta = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    if config is not None:
        meta["config"] = to_plain(config)
    if lease is not None:
        lease.check()
    atomic_write_bytes(path, data)
    atomic_write_text(sidecar(path), json.dumps(meta, sort_keys=True))


def load_torch(path: Path, *, map_location: Any = "cpu", report: Any = None) -> Any:
    """The object saved at ``path`` (``weights_only=True``), or ``None`` if absent or untrustworthy.

    ``report(path, problem)`` is called for a bad file (default: move it aside under the cache's
    quarantine with one line on stderr; pass a :class:`~iclverify.runtime.cache.ResultCache`'s
    ``quarantine`` to use its folder).
    """
    torch = require_torch()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    problem = None
    try:
        meta = json.loads(sidecar(path).read_text(encoding="utf-8"))
        if meta.get("size") != len(data) or meta.get("sha256") != hashlib.sha256(data).hexdigest():
            problem = "corrupt (checksum mismatch)"
    except FileNotFoundError:
        problem = "without its checksum"
    except (OSError, ValueError, AttributeError):
        problem = "with an unreadable checksum"
    obj = None
    if problem is None:
        try:
            obj = torch.load(io.BytesIO(data), map_location=map_location, weights_only=True)
        except Exception as exc:  # the unpickler refuses code or the archive is damaged
            problem = f"not loadable ({type(exc).__name__})"
    if problem is not None:
        _bad(path, problem, report)
        return None
    return obj


def _bad(path: Path, problem: str, report: Any) -> None:
    if report is None:
        from iclverify.runtime.cache import ResultCache

        root = path.parents[2] if len(path.parents) > 2 else path.parent
        report = ResultCache(root, fingerprint="").quarantine
    report(path, problem)
    sidecar(path).unlink(missing_ok=True)
