"""Plugins: a package that registers a paper in the entry-point group ``icl_verify.papers`` is installed
(offline: no dependencies, no build isolation) and its claims appear in ``icl-verify claims`` and get the
right verdicts from ``icl-verify verify``; it is uninstalled afterwards. A broken plugin is skipped with a
warning, and the built-in claims still load."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parent / "example_paper"
DIST = "icl-verify-toy-paper"


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=300, check=False, env=env)


@pytest.fixture(scope="module")
def toy_installed(tmp_path_factory):
    source = tmp_path_factory.mktemp("plugin") / "example_paper"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"))
    proc = _run("-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index", str(source))
    if proc.returncode != 0:
        pytest.fail(f"installing the example plugin failed:\n{proc.stderr[-2000:]}")
    try:
        yield
    finally:
        _run("-m", "pip", "uninstall", "-y", "-q", DIST)


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ICLVERIFY_CACHE": str(tmp_path / "cache")}
    return _run("-m", "iclverify", *args, env=env)


def test_without_the_plugin_the_toy_paper_is_unknown(tmp_path):
    proc = _cli(tmp_path, "claims", "--paper", "toy")
    if proc.returncode == 0:  # another test run has it installed right now
        pytest.skip("the toy plugin is installed in this environment")
    assert proc.returncode == 2 and "unknown paper 'toy'" in proc.stderr


def test_plugin_claims_are_listed_and_verified(toy_installed, tmp_path):
    listed = _cli(tmp_path, "claims", "--paper", "toy", "--json", "-")
    assert listed.returncode == 0, listed.stderr
    claims = {c["id"]: c for c in json.loads(listed.stdout)}
    assert set(claims) == {"toy.odd-sum", "toy.harmonic-bound"}
    assert claims["toy.odd-sum"]["code"]["theory"] == "icl_verify_toy_paper.claims:odd_sum"

    verified = _cli(tmp_path, "verify", "--paper", "toy", "--json", "-", "--report", str(tmp_path / "report"))
    assert verified.returncode == 0, verified.stderr
    data = json.loads(verified.stdout)
    assert {c["id"]: c["status"] for c in data["claims"]} == {
        "toy.odd-sum": "confirmed",
        "toy.harmonic-bound": "refuted",
    }
    assert data["counts"]["confirmed"] == 1 and data["counts"]["refuted"] == 1
    page = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    assert "A toy paper (example icl-verify plugin)" in page and 'id="claim-toy.harmonic-bound"' in page

    table = _cli(tmp_path, "claims")
    assert "toy.odd-sum" in table.stdout and "lu2024.ridge.ridgeless-limit" in table.stdout


def test_a_broken_plugin_is_skipped_with_a_warning(monkeypatch):
    from importlib import metadata

    from iclverify.proofs.framework import registry

    broken = metadata.EntryPoint(name="broken", value="no_such_module_for_icl_verify", group=registry.ENTRY_POINT_GROUP)
    not_claims = metadata.EntryPoint(name="numbers", value="math:pi", group=registry.ENTRY_POINT_GROUP)
    monkeypatch.setattr(registry.metadata, "entry_points", lambda group: [broken, not_claims])
    for fn in (registry._plugins, registry.all_claims, registry.paper_titles):
        fn.cache_clear()
    try:
        with pytest.warns(UserWarning) as caught:
            claims = registry.all_claims()
        messages = " ".join(str(w.message) for w in caught)
        assert "broken = no_such_module_for_icl_verify" in messages and "numbers = math:pi" in messages
        assert any(c.id == "lu2024.ridge.ridgeless-limit" for c in claims)
    finally:
        for fn in (registry._plugins, registry.all_claims, registry.paper_titles):
            fn.cache_clear()
