"""``icl-verify cache info|verify|prune`` on a cache with good, corrupt and foreign entries."""

from __future__ import annotations

import json

from iclverify.runtime.cache import QUARANTINE, ResultCache


def _fill(root):
    current = ResultCache(root)
    for x in range(3):
        current.put("lu2024.gamma-run", {"x": x}, {"y": x})
    current.put("train", {"seed": 0}, {"loss": 0.5})
    old = ResultCache(root, fingerprint="0" * 16)  # results of code that has since been edited
    for x in range(2):
        old.put("lu2024.gamma-run", {"x": x}, {"y": -x})
    return current


def test_info_counts_entries_per_namespace_and_foreign_code(cli, tmp_path):
    _fill(tmp_path)
    result = cli("cache", "info", "--cache-dir", str(tmp_path), "--json", "-")
    data = json.loads(result.out)
    assert result.code == 0 and data["entries"] == 6
    assert data["namespaces"]["lu2024.gamma-run"]["entries"] == 5
    assert data["namespaces"]["lu2024.gamma-run"]["other_code"] == 2
    assert data["namespaces"]["train"] == {**data["namespaces"]["train"], "entries": 1, "other_code": 0}


def test_verify_finds_each_corrupted_entry_and_moves_it_aside(cli, tmp_path):
    cache = _fill(tmp_path)
    truncated, flipped = cache.path("lu2024.gamma-run", {"x": 0}), cache.path("train", {"seed": 0})
    truncated.write_bytes(truncated.read_bytes()[:40])
    entry = json.loads(flipped.read_text())
    entry["result"]["loss"] = 0.25
    flipped.write_text(json.dumps(entry))
    result = cli("cache", "verify", "--cache-dir", str(tmp_path))
    assert result.code == 1 and "checked 6 files" in result.out and ": 2 bad" in result.out
    assert result.err.count("warning: cache entry") == 2
    assert not truncated.exists() and not flipped.exists()
    assert len(list((tmp_path / QUARANTINE).iterdir())) == 2
    again = cli("cache", "verify", "--cache-dir", str(tmp_path))
    assert again.code == 0 and ": 0 bad" in again.out


def test_prune_drops_only_entries_of_other_code(cli, tmp_path):
    cache = _fill(tmp_path)
    dry = cli("cache", "prune", "--cache-dir", str(tmp_path), "--dry-run")
    assert dry.code == 0 and "would delete 2 entries" in dry.out and len(list(cache.entries())) == 6
    done = cli("cache", "prune", "--cache-dir", str(tmp_path))
    assert done.code == 0 and "deleted 2 entries" in done.out
    assert len(list(cache.entries())) == 4 and all(cache.get("lu2024.gamma-run", {"x": x}) for x in range(3))
