"""A content-addressed store of finished results, so that interrupted runs resume and nothing stale is served.

The key of a result is the SHA-256 of its canonical JSON configuration together with a namespace (what
computed it), the namespace's schema number and the **code fingerprint** of the computing modules
(:func:`~iclverify.runtime.fingerprint.code_fingerprint`): editing the computation turns its old results
into misses. Every entry carries its full configuration, its fingerprint and a SHA-256 checksum of its
content; an entry that is truncated, corrupt or belongs to another configuration is reported once on
stderr, moved aside into ``root/quarantine/`` and treated as missing (so it is recomputed). Writes are
atomic (temporary file, fsync, rename): a run killed mid-write leaves no half-written entry. A cache
that cannot be written (disk full, read-only) raises :class:`CacheWriteError` before anything half-done
is left behind. ``stats()`` counts hits, misses, writes and bad entries; ``record()`` lists them.

>>> import tempfile
>>> cache = ResultCache(tempfile.mkdtemp())
>>> cfg = {"d": 16, "seed": 0}
>>> cache.get("demo", cfg) is None
True
>>> cache.put("demo", cfg, {"error": 0.25})["error"]
0.25
>>> cache.get("demo", {"seed": 0, "d": 16})["error"]  # key order does not matter
0.25
>>> cache.stats()["hits"], cache.stats()["misses"]
(1, 1)
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import json
import math
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from iclverify.runtime.errors import ConfigError, UserError
from iclverify.runtime.fingerprint import code_fingerprint

__all__ = [
    "FORMAT",
    "CacheLog",
    "CacheWriteError",
    "ResultCache",
    "atomic_write_bytes",
    "atomic_write_text",
    "canonical_json",
    "config_key",
    "default_cache_dir",
    "entry_checksum",
    "memo_for",
    "to_plain",
]

FORMAT = 2  # layout of an entry file; entries of another format are foreign
QUARANTINE = "quarantine"


class CacheWriteError(UserError, OSError):
    """The cache directory cannot be written (read-only, disk full, no permission)."""


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


def config_key(namespace: str, config: Mapping[str, Any], *, schema: int = 1, fingerprint: str = "") -> str:
    """Hex SHA-256 of (namespace, schema, code fingerprint, configuration)."""
    text = canonical_json({"ns": namespace, "schema": schema, "code": fingerprint, "config": config})
    return hashlib.sha256(text.encode()).hexdigest()


def entry_checksum(entry: Mapping[str, Any]) -> str:
    """SHA-256 of an entry's canonical JSON without its ``checksum`` field."""
    return hashlib.sha256(canonical_json({k: v for k, v in entry.items() if k != "checksum"}).encode()).hexdigest()


def default_cache_dir() -> Path:
    """``$ICLVERIFY_CACHE``, else ``$XDG_CACHE_HOME/icl-verify``, else ``~/.cache/icl-verify``."""
    if env := os.environ.get("ICLVERIFY_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "icl-verify"


def _write_error(path: Path, exc: OSError) -> CacheWriteError:
    reason = exc.strerror or str(exc)
    hint = {
        errno.ENOSPC: "free some space, or pass --cache-dir elsewhere or --no-cache",
        errno.EROFS: "pass a writable --cache-dir, or --no-cache",
        errno.EACCES: "pass a writable --cache-dir, or --no-cache",
        errno.EPERM: "pass a writable --cache-dir, or --no-cache",
        errno.EDQUOT: "free some space, or pass --cache-dir elsewhere or --no-cache",
    }.get(exc.errno or 0, "check the cache directory, or pass --no-cache")
    return CacheWriteError(exc.errno or errno.EIO, f"cannot write the cache at {path}: {reason} ({hint})")


def _temporary(folder: Path, suffix: str) -> tuple[int, str]:
    """A new temporary file in ``folder`` (made with its parents); the one place cache files are created."""
    folder.mkdir(parents=True, exist_ok=True)
    return tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=suffix)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one (fsync'ed)."""
    try:
        fd, tmp = _temporary(path.parent, path.suffix)
    except OSError as exc:
        raise _write_error(path.parent, exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, CacheWriteError):
            raise _write_error(path.parent, exc) from None
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically; see :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode("utf-8"))


@dataclasses.dataclass
class CacheLog:
    """What one stretch of work found in the cache: ``(namespace, key)`` of every hit, miss and write."""

    hits: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    misses: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    writes: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    @property
    def computed(self) -> bool:
        """Whether anything was computed afresh (a miss) rather than read."""
        return bool(self.misses)


_REPORTED: set[str] = set()
_LOCK = threading.Lock()


class ResultCache:
    """JSON results stored under ``root/namespace/key[:2]/key.json``; binary blobs beside them.

    ``fingerprint``: the code fingerprint of the keys (default: that of the computing layers).
    """

    def __init__(self, root: str | os.PathLike[str] | None = None, *, fingerprint: str | None = None) -> None:
        self.root = Path(root) if root is not None else default_cache_dir()
        self.fingerprint = fingerprint if fingerprint is not None else code_fingerprint()
        self._counts = {"hits": 0, "misses": 0, "writes": 0, "bad": 0}
        self._logs: list[CacheLog] = []
        self._writable = False

    def __repr__(self) -> str:
        return f"ResultCache({str(self.root)!r}, fingerprint={self.fingerprint!r})"

    def __reduce__(self) -> tuple[Any, ...]:  # ship to worker processes without counts and logs
        return (_rebuild, (str(self.root), self.fingerprint))

    # -- keys and paths ---------------------------------------------------------------------------------
    def key(self, namespace: str, config: Mapping[str, Any], *, schema: int = 1) -> str:
        """The entry's key (hex SHA-256)."""
        return config_key(namespace, config, schema=schema, fingerprint=self.fingerprint)

    def path(self, namespace: str, config: Mapping[str, Any], *, schema: int = 1, suffix: str = ".json") -> Path:
        """Where the entry for ``config`` lives (for blobs such as checkpoints, pick a ``suffix``)."""
        key = self.key(namespace, config, schema=schema)
        return self.root / namespace / key[:2] / f"{key}{suffix}"

    # -- counting ---------------------------------------------------------------------------------------
    def _note(self, kind: str, namespace: str, key: str) -> None:
        with _LOCK:
            self._counts[kind] += 1
            for log in self._logs:
                getattr(log, kind).append((namespace, key))

    def stats(self) -> dict[str, int]:
        """Counts since this object was made: ``hits``, ``misses``, ``writes`` and ``bad`` (moved aside)."""
        return dict(self._counts)

    @contextlib.contextmanager
    def record(self) -> Iterator[CacheLog]:
        """Collect the hits, misses and writes of the enclosed work: ``with cache.record() as log: ...``."""
        log = CacheLog()
        with _LOCK:
            self._logs.append(log)
        try:
            yield log
        finally:
            with _LOCK:
                self._logs.remove(log)

    # -- reading ----------------------------------------------------------------------------------------
    def get(self, namespace: str, config: Mapping[str, Any], *, schema: int = 1) -> dict[str, Any] | None:
        """The stored result, or ``None``. A bad entry is reported, moved aside and treated as missing."""
        key = self.key(namespace, config, schema=schema)
        path = self.root / namespace / key[:2] / f"{key}.json"
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            self._note("misses", namespace, key)
            return None
        except OSError as exc:
            self.quarantine(path, f"unreadable ({exc.strerror})")
            self._note("misses", namespace, key)
            return None
        expected = {"namespace": namespace, "schema": schema, "fingerprint": self.fingerprint, "key": key}
        problem = check_entry(raw, expected, to_plain(config))
        if problem is not None:
            self.quarantine(path, problem)
            self._note("misses", namespace, key)
            return None
        self._note("hits", namespace, key)
        return json.loads(raw)["result"]

    def contains(self, namespace: str, config: Mapping[str, Any], *, schema: int = 1) -> bool:
        """Whether an entry file exists (not checked, not counted)."""
        return self.path(namespace, config, schema=schema).exists()

    # -- writing ----------------------------------------------------------------------------------------
    def ensure_writable(self) -> None:
        """Raise :class:`CacheWriteError` now if the cache directory cannot be written."""
        if self._writable:
            return
        try:
            fd, probe = _temporary(self.root, ".probe")
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise _write_error(self.root, exc) from None
        self._writable = True

    def put(
        self, namespace: str, config: Mapping[str, Any], result: Mapping[str, Any], *, schema: int = 1
    ) -> dict[str, Any]:
        """Store ``result`` atomically and return it in stored (plain JSON) form."""
        key = self.key(namespace, config, schema=schema)
        plain = to_plain(result)
        entry: dict[str, Any] = {
            "format": FORMAT,
            "namespace": namespace,
            "schema": schema,
            "fingerprint": self.fingerprint,
            "key": key,
            "config": to_plain(config),
            "result": plain,
            "created": time.time(),
        }
        entry["checksum"] = entry_checksum(entry)
        atomic_write_text(self.root / namespace / key[:2] / f"{key}.json", json.dumps(entry, sort_keys=True))
        self._note("writes", namespace, key)
        return plain

    # -- bad entries ------------------------------------------------------------------------------------
    def quarantine(self, path: Path, problem: str) -> Path | None:
        """Move a bad entry to ``root/quarantine/`` and say so once on stderr; return its new place."""
        target = self.root / QUARANTINE / f"{path.name}.{time.time_ns()}"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
        except FileNotFoundError:  # another process moved it first
            return None
        except OSError:
            target = path  # a read-only cache: leave it, it will be reported again next run
        self._counts["bad"] += 1
        with _LOCK:
            first = str(path) not in _REPORTED
            _REPORTED.add(str(path))
        if first:
            where = "moved aside to " + str(target) if target != path else "left in place (cache not writable)"
            print(f"warning: cache entry {path.name} is {problem}: {where}; recomputing it", file=sys.stderr)
        return target

    # -- walking ----------------------------------------------------------------------------------------
    def entries(self) -> Iterator[Path]:
        """Every JSON entry file (not the quarantine, not blobs, not temporaries)."""
        if not self.root.is_dir():
            return
        for ns in sorted(p for p in self.root.iterdir() if p.is_dir() and p.name != QUARANTINE):
            yield from sorted(p for p in ns.glob("??/*.json") if not p.name.startswith("."))


def check_entry(raw: bytes, expected: Mapping[str, Any] | None = None, config: Any = None) -> str | None:
    """``None`` for a sound entry, else what is wrong with it (truncated, checksum, foreign, mismatched)."""
    try:
        entry = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return "truncated or not JSON"
    if not isinstance(entry, dict) or entry.get("format") != FORMAT:
        return "in an unknown format"
    if entry.get("checksum") != entry_checksum(entry):
        return "corrupt (checksum mismatch)"
    if "result" not in entry or "config" not in entry:
        return "incomplete"
    recomputed = config_key(
        entry["namespace"], entry["config"], schema=entry["schema"], fingerprint=entry["fingerprint"]
    )
    if recomputed != entry.get("key"):
        return "mismatched (its configuration does not give its key)"
    for field, value in (expected or {}).items():
        if entry.get(field) != value:
            return f"mismatched ({field} {entry.get(field)!r} where {value!r} was asked for)"
    if config is not None and canonical_json(entry["config"]) != canonical_json(config):
        return "mismatched (another configuration)"
    return None


def _rebuild(root: str, fingerprint: str) -> ResultCache:
    return ResultCache(root, fingerprint=fingerprint)


_MEMOS: dict[tuple[str, str], dict[Any, Any]] = {}


def memo_for(cache: ResultCache | None) -> dict[Any, Any]:
    """An in-process memo that follows the cache: shared by every cache on the same directory and code
    fingerprint, and a fresh (throw-away) dict when there is no cache (``--no-cache``).

    >>> import tempfile
    >>> root = tempfile.mkdtemp()
    >>> memo_for(ResultCache(root)) is memo_for(ResultCache(root)), memo_for(None) is memo_for(None)
    (True, False)
    """
    if cache is None:
        return {}
    return _MEMOS.setdefault((str(cache.root.resolve()), cache.fingerprint), {})
