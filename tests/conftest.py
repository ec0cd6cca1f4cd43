"""Shared fixtures. Hypothesis: the built-in ``ci`` profile loads itself when CI is set;
``HYPOTHESIS_PROFILE=thorough`` selects many more examples for long runs."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("thorough", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=60, deadline=None)
if profile := os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile(profile)
elif not os.environ.get("CI"):
    settings.load_profile("dev")


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys, tmp_path, monkeypatch):
    """Run ``icl-verify ARGS`` in-process with a private cache: ``cli("predict", "lu2024", ...)``."""
    from iclverify.cli import main

    monkeypatch.setenv("ICLVERIFY_CACHE", str(tmp_path / "cache"))

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def cache(tmp_path):
    from iclverify.empirics.cache import ResultCache

    return ResultCache(tmp_path / "cache")


@pytest.fixture
def pdflatex():
    """Path of pdflatex; skips without it, except in CI (ICLVERIFY_REQUIRE_LATEX=1), where it must exist."""
    import shutil

    exe = shutil.which("pdflatex")
    if exe is None:
        if os.environ.get("ICLVERIFY_REQUIRE_LATEX"):
            pytest.fail("pdflatex is required here (ICLVERIFY_REQUIRE_LATEX is set) but not installed")
        pytest.skip("pdflatex not installed")
    return exe
