"""``icl-verify cache info|verify|prune``: look into the result cache, check every entry, drop stale ones.

* ``info``: where the cache is, the current code fingerprint, size and entries per namespace (and how
  many belong to other code fingerprints, which are never served).
* ``verify``: check every entry (checksum, configuration, key) and every torch file (checksum sidecar);
  bad ones are moved into ``quarantine/``. Exit 1 when some were bad.
* ``prune``: delete entries (and their torch files) of other code fingerprints or an old format, and
  with ``--quarantine`` the moved-aside entries too. ``--dry-run`` only counts.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from iclverify.cli.app import app
from iclverify.cli.common import CacheDirOption, JsonOption, out, write_json
from iclverify.runtime.cache import QUARANTINE, ResultCache, check_entry
from iclverify.runtime.checkpoint import sidecar
from iclverify.runtime.errors import ConfigError

cache_app = typer.Typer(help="Inspect, check and prune the result cache.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(cache_app, name="cache")

__all__ = ["cache_app", "scan"]


def _open(cache_dir: Path | None) -> ResultCache:
    cache = ResultCache(cache_dir)
    if cache.root.exists() and not cache.root.is_dir():
        raise ConfigError(f"the cache {cache.root} is not a directory")
    return cache


def _blobs(entry: Path) -> list[Path]:
    """Torch files (and their sidecars) that share an entry's key."""
    stem = entry.name.removesuffix(".json")
    return [p for p in entry.parent.glob(f"{stem}.*") if p != entry]


def _fingerprint_of(path: Path) -> str | None:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return data.get("fingerprint") if isinstance(data, dict) else None


def scan(cache: ResultCache) -> dict[str, Any]:
    """Entries, bytes and entries of other fingerprints per namespace; quarantined files."""
    per: dict[str, dict[str, int]] = defaultdict(lambda: {"entries": 0, "bytes": 0, "other_code": 0, "files": 0})
    if cache.root.is_dir():
        for ns in sorted(p for p in cache.root.iterdir() if p.is_dir() and p.name != QUARANTINE):
            for f in ns.glob("??/*"):
                if f.is_file():
                    row = per[ns.name]
                    row["files"] += 1
                    row["bytes"] += f.stat().st_size
                    if f.suffix == ".json" and not f.name.startswith("."):
                        row["entries"] += 1
                        row["other_code"] += _fingerprint_of(f) != cache.fingerprint
    quarantine = cache.root / QUARANTINE
    moved = [p for p in quarantine.iterdir()] if quarantine.is_dir() else []
    return {
        "root": str(cache.root),
        "fingerprint": cache.fingerprint,
        "namespaces": dict(per),
        "entries": sum(r["entries"] for r in per.values()),
        "bytes": sum(r["bytes"] for r in per.values()),
        "quarantined": len(moved),
    }


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"


@cache_app.command("info")
def info(cache_dir: CacheDirOption = None, json_path: JsonOption = None) -> None:
    """Size and entries per namespace of the cache, and the current code fingerprint."""
    data = scan(_open(cache_dir))
    if json_path is not None:
        write_json(data, json_path)
        if str(json_path) == "-":
            return
    out.print(f"cache {data['root']} (code fingerprint {data['fingerprint']})")
    table = Table(pad_edge=False)
    for name in ("namespace", "entries", "other code", "files", "size"):
        table.add_column(name, justify="left" if name == "namespace" else "right")
    for ns, row in data["namespaces"].items():
        table.add_row(ns, str(row["entries"]), str(row["other_code"]), str(row["files"]), _size(row["bytes"]))
    out.print(table)
    out.print(f"{data['entries']} entries, {_size(data['bytes'])}; {data['quarantined']} moved aside in {QUARANTINE}/")


@cache_app.command("verify")
def verify_cache(cache_dir: CacheDirOption = None) -> int:
    """Check every entry and torch file; move bad ones into quarantine/ (exit 1 if any was bad)."""
    cache = _open(cache_dir)
    checked = bad = 0
    for entry in list(cache.entries()):
        checked += 1
        try:
            problem = check_entry(entry.read_bytes())
        except OSError as exc:
            problem = f"unreadable ({exc.strerror})"
        if problem is not None:
            bad += 1
            cache.quarantine(entry, problem)
    if cache.root.is_dir():
        for blob in sorted(cache.root.glob("*/??/*.pt")):
            if QUARANTINE in blob.parts:
                continue
            checked += 1
            if not _blob_ok(blob):
                bad += 1
                cache.quarantine(blob, "a torch file failing its checksum")
                sidecar(blob).unlink(missing_ok=True)
    out.print(f"checked {checked} files in {cache.root}: {bad} bad" + (" (moved aside)" if bad else ""))
    return 1 if bad else 0


def _blob_ok(blob: Path) -> bool:
    import hashlib

    try:
        meta = json.loads(sidecar(blob).read_text(encoding="utf-8"))
        data = blob.read_bytes()
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and meta.get("sha256") == hashlib.sha256(data).hexdigest()


@cache_app.command("prune")
def prune(
    cache_dir: CacheDirOption = None,
    quarantine: Annotated[bool, typer.Option("--quarantine", help="Also delete the moved-aside entries.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only count what would be deleted.")] = False,
) -> None:
    """Delete entries of other code fingerprints (never served again) and their torch files."""
    cache = _open(cache_dir)
    removed = freed = 0
    for entry in list(cache.entries()):
        if _fingerprint_of(entry) == cache.fingerprint:
            continue
        for f in [entry, *_blobs(entry)]:
            if f.name.endswith(".lease") or not f.exists():
                continue
            freed += f.stat().st_size
            if not dry_run:
                try:
                    f.unlink(missing_ok=True)
                except OSError as exc:
                    raise ConfigError(f"cannot delete {f}: {exc.strerror}") from None
        removed += 1
    moved = cache.root / QUARANTINE
    if quarantine and moved.is_dir():
        freed += sum(p.stat().st_size for p in moved.iterdir() if p.is_file())
        if not dry_run:
            try:
                shutil.rmtree(moved)
            except OSError as exc:
                raise ConfigError(f"cannot delete {moved}: {exc.strerror}") from None
    verb = "would delete" if dry_run else "deleted"
    out.print(f"{verb} {removed} entries of other code fingerprints, {_size(freed)} in all")
