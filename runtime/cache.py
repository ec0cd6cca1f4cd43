"""A content-addressed store of finished results, so that interrupted runs resume.

The key of a result is the SHA-256 of its canonical JSON configuration together with a namespace (what
computed it), the namespace's schema number (bumped when the computation changes meaning) and the
package version. Writes are atomic (temporary file, then rename): a run killed mid-write leaves no
half-written entry, and everything finished before the interruption is found again.

>>> import tempfile
>>> cache = ResultCache(tempfile.mkdtemp())
>>> cfg = {"d": 16, "seed": 0}
>>> cache.get("demo", cfg) is None
True
>>> cache.put("demo", cfg, {"error": 0.25})["error"]
0.25
>>> cache.get("demo", {"seed": 0, "d": 16})["error"]  # key order does not matter
0.25
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from iclverify.runtime.errors import ConfigError

__all__ = ["ResultCache", "atomic_write_text", "canonical_json", "config_key", "default_cache_dir", "to_plain"]


def to_plain(value: Any) -> Any:
    """JSON-able form of configs and results (numpy scalars/arrays, Fractions, inf, tuples)."""
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_plain(value.tolist())
    if isinstance(value, np.generic):
        return to_plain(value.item())
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)  # 'inf', '-inf', 'nan' (JSON has no literal for them)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ConfigError(f"cannot store a value of type {type(value).__name__} in a result: {value!r}")


def canonical_json(value: Any) -> str:
    """Sorted-key, compact JSON: equal configurations give equal strings."""
    return json.dumps(to_plain(value), sort_keys=True, separators=(",", ":"))


def config_key(namespace: str, config: Mapping[str, Any], *, schema: int = 1) -> str:
    """Hex SHA-256 of (namespace, schema, package version, configuration)."""
    from importlib.metadata import version

    __version__ = version("icl-verify")

    text = canonical_json({"ns": namespace, "schema": schema, "version": __version__, "config": config})
    return hashlib.sha256(text.encode()).hexdigest()


def default_cache_dir() -> Path:
    """``$ICLVERIFY_CACHE``, else ``$XDG_CACHE_HOME/icl-verify``, else ``~/.cache/icl-verify``."""
    if env := os.environ.get("ICLVERIFY_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "icl-verify"


class ResultCache:
    """JSON results stored under ``root/namespace/key[:2]/key.json``; binary blobs beside them."""

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(root) if root is not None else default_cache_dir()

    def path(self, namespace: str, config: Mapping[str, Any], *, schema: int = 1, suffix: str = ".json") -> Path:
        """Where the entry for ``config`` lives (for blobs such as checkpoints, pick a ``suffix``)."""
        key = config_key(namespace, config, schema=schema)
        return self.root / namespace / key[:2] / f"{key}{suffix}"

    def get(self, namespace: str, config: Mapping[str, Any], *, schema: int = 1) -> dict[str, Any] | None:
        """The stored result, or ``None``. A corrupt entry is treated as missing (and recomputed)."""
        path = self.path(namespace, config, schema=schema)
        try:
            with open(path, encoding="utf-8") as fh:
                entry = json.load(fh)
            return entry["result"]
        except (FileNotFoundError, json.JSONDecodeError, KeyError):
            return None

    def put(
        self, namespace: str, config: Mapping[str, Any], result: Mapping[str, Any], *, schema: int = 1
    ) -> dict[str, Any]:
        """Store ``result`` atomically and return it in stored (plain JSON) form."""
        path = self.path(namespace, config, schema=schema)
        plain = to_plain(result)
        entry = {"namespace": namespace, "schema": schema, "config": to_plain(config), "result": plain}
        atomic_write_text(path, json.dumps(entry, sort_keys=True))
        return plain


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
