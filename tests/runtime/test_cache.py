"""Cache entries carry a checksum and their configuration; bad ones are reported once, moved aside, recomputed."""

from __future__ import annotations

import json

import pytest

from iclverify.runtime.cache import QUARANTINE, CacheWriteError, ResultCache, check_entry
from iclverify.runtime.sweep import run_sweep


def _sweep(cache, calls):
    compute = lambda cfg: calls.append(cfg["x"]) or {"y": cfg["x"] ** 2}  # noqa: E731
    return [r["y"] for r in run_sweep([{"x": i} for i in range(4)], compute, namespace="t", cache=cache)]


def _damage(path, how):
    raw = path.read_bytes()
    if how == "truncated":
        path.write_bytes(raw[: len(raw) // 2])
    elif how == "bit-flip":  # still valid JSON: only the checksum can tell
        entry = json.loads(raw)
        entry["result"]["y"] += 1
        path.write_text(json.dumps(entry))
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "old-format":
        entry = json.loads(raw)
        path.write_text(json.dumps({"namespace": entry["namespace"], "config": entry["config"], "result": {"y": -1}}))


@pytest.mark.parametrize("how", ["truncated", "bit-flip", "empty", "old-format"])
def test_damaged_entry_is_reported_once_moved_aside_and_recomputed(tmp_path, capsys, how):
    cache, calls = ResultCache(tmp_path), []
    assert _sweep(cache, calls) == [0, 1, 4, 9]
    victim = cache.path("t", {"x": 2})
    _damage(victim, how)
    capsys.readouterr()
    assert _sweep(cache, calls) == [0, 1, 4, 9]  # the right value, not the damaged one
    assert calls == [0, 1, 2, 3, 2]  # only the damaged entry was recomputed
    err = capsys.readouterr().err
    assert err.count("warning: cache entry") == 1 and victim.name in err and "moved aside" in err
    moved = list((tmp_path / QUARANTINE).iterdir())
    assert len(moved) == 1 and moved[0].name.startswith(victim.name)
    assert cache.stats()["bad"] == 1
    assert check_entry(victim.read_bytes()) is None  # the recomputed entry is sound


def test_entry_under_another_configurations_key_is_mismatched(tmp_path, capsys):
    cache = ResultCache(tmp_path)
    cache.put("t", {"x": 1}, {"y": 1})
    cache.put("t", {"x": 2}, {"y": 4})
    cache.path("t", {"x": 2}).write_bytes(cache.path("t", {"x": 1}).read_bytes())  # a misplaced file
    assert cache.get("t", {"x": 2}) is None
    assert "mismatched" in capsys.readouterr().err


def test_every_entry_carries_its_configuration_fingerprint_and_checksum(tmp_path):
    cache = ResultCache(tmp_path, fingerprint="abc")
    cache.put("t", {"x": 1.5, "name": "é"}, {"y": [1, 2]})
    entry = json.loads(cache.path("t", {"x": 1.5, "name": "é"}).read_text())
    assert entry["config"] == {"x": 1.5, "name": "é"} and entry["fingerprint"] == "abc"
    assert len(entry["checksum"]) == 64 and entry["key"] == cache.key("t", {"x": 1.5, "name": "é"})


def test_stats_and_record_tell_computed_from_cached(tmp_path):
    cache = ResultCache(tmp_path)
    with cache.record() as first:
        _sweep(cache, [])
    with cache.record() as second:
        _sweep(cache, [])
    assert first.computed and len(first.writes) == 4 and len(first.misses) == 4
    assert not second.computed and len(second.hits) == 4
    assert cache.stats() == {"hits": 4, "misses": 4, "writes": 4, "bad": 0}


def test_no_temporary_files_are_left_behind(tmp_path):
    cache = ResultCache(tmp_path)
    _sweep(cache, [])
    assert not [p for p in tmp_path.rglob(".*") if p.is_file()]
    assert not list(tmp_path.rglob("*.lease"))


def test_a_cache_inside_a_file_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CacheWriteError, match="cannot write the cache"):
        _sweep(ResultCache(blocker / "cache"), [])
