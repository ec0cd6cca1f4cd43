"""The cache key follows the code: editing the computation turns its old results into misses."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from iclverify.runtime import cache as cache_module
from iclverify.runtime.cache import ResultCache, memo_for
from iclverify.runtime.fingerprint import code_fingerprint, source_files
from iclverify.runtime.sweep import run_sweep

ROOT = Path(__file__).resolve().parents[2]


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_editing_a_copy_of_the_computing_source_is_a_miss(tmp_path):
    # a real computing module of the package, copied; the copy's step function is what the sweep runs
    src = tmp_path / "mp_copy.py"
    shutil.copy(ROOT / "numerics" / "marchenko_pastur.py", src)
    src.write_text(src.read_text() + "\n\ndef step(cfg):\n    return {'y': cfg['x'] * 2}\n")
    calls: list[int] = []

    def sweep():
        module = _load(src, "mp_copy")
        cache = ResultCache(tmp_path / "cache", fingerprint=code_fingerprint(src))
        compute = lambda cfg: calls.append(cfg["x"]) or module.step(cfg)  # noqa: E731
        return [r["y"] for r in run_sweep([{"x": 1}, {"x": 2}], compute, namespace="t", cache=cache)], cache

    first, _ = sweep()
    again, cache = sweep()
    assert first == again == [2, 4] and calls == [1, 2] and cache.stats()["hits"] == 2  # same code: served
    src.write_text(src.read_text().replace("cfg['x'] * 2", "cfg['x'] * 3"))
    edited, cache = sweep()
    assert edited == [3, 6] and calls == [1, 2, 1, 2]  # edited code: recomputed, never the stale values
    assert cache.stats()["misses"] == 2 and cache.stats()["hits"] == 0


def test_default_fingerprint_covers_the_computing_layers_only():
    files = {p.relative_to(ROOT).as_posix() for p in source_files()}
    assert {"empirics/montecarlo/simulate.py", "numerics/lu2024/certified.py", "runtime/seeding.py"} <= files
    assert not any(f.startswith(("iclverify/", "proofs/")) for f in files)
    layers = ("iclverify.runtime", "iclverify.theory", "iclverify.numerics", "iclverify.empirics")
    assert code_fingerprint(*layers) == code_fingerprint(*reversed(layers))
    assert code_fingerprint() == code_fingerprint()  # taken once per process: the code this process runs
    assert code_fingerprint() != code_fingerprint("iclverify.runtime")


def test_cache_key_does_not_use_the_package_version():
    source = Path(cache_module.__file__).read_text()
    assert "importlib.metadata" not in source and "version(" not in source


def test_entries_of_other_code_are_not_served(tmp_path):
    old = ResultCache(tmp_path, fingerprint="0" * 16)
    old.put("ns", {"x": 1}, {"y": 1})
    new = ResultCache(tmp_path, fingerprint="1" * 16)
    assert new.get("ns", {"x": 1}) is None and old.get("ns", {"x": 1}) == {"y": 1}


def test_memo_follows_the_cache_directory_and_code(tmp_path):
    a, b = ResultCache(tmp_path / "a"), ResultCache(tmp_path / "b")
    memo_for(a)["k"] = 1
    assert memo_for(ResultCache(tmp_path / "a"))["k"] == 1
    assert "k" not in memo_for(b)
    assert "k" not in memo_for(ResultCache(tmp_path / "a", fingerprint="other"))
    memo_for(None)["k"] = 1
    assert "k" not in memo_for(None)  # --no-cache: nothing remembered
