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


@pytest.fixture(autouse=True)
def _claims_in_process(monkeypatch):
    """Claims run in the test's process (tests patch what checks use); tests of the claim pool pass ``jobs``."""
    monkeypatch.setenv("ICLVERIFY_JOBS", "1")


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
    from iclverify.runtime.cache import ResultCache

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


@pytest.fixture
def tiny_lu(monkeypatch):
    """The quick level of the Lu et al. trained-model claims and figures shrunk to seconds (code paths only)."""
    from iclverify.empirics.experiments import lu2024_protocols as protocols
    from iclverify.figures import lu2024_trained as figs
    from iclverify.proofs.lu2024 import trained as T

    monkeypatch.setitem(protocols._QUICK, "linear", dict(steps=150, lr=3e-2))
    monkeypatch.setitem(protocols._QUICK, "softmax", dict(steps=80, lr=1e-2))
    monkeypatch.setitem(protocols._QUICK, "transformer", dict(steps=40, lr=1e-2))
    monkeypatch.setitem(T.SEARCH["quick"], "linear", T.Search(tau_range=(0.7, 1.6), rel_tol=0.25))
    monkeypatch.setitem(T.SEARCH["quick"], "other", T.Search(tau_range=(0.5, 4.0), rel_tol=0.5))
    quick = T.SETUPS["quick"]
    monkeypatch.setitem(quick, "double_descent", dict(models=("linear",), ds=(3,), taus=(0.5, 1.0, 2.0), seeds=2))
    monkeypatch.setitem(quick, "scaling", dict(models=("linear",), ds=(3, 4), seeds=2))
    monkeypatch.setitem(quick, "order", dict(models=("linear", "two-blocks"), d=3, seeds=1, budget_factor=2))
    monkeypatch.setitem(
        quick, "diversity", dict(d=3, tau=4.0, kappas=(0.5, 2.0, 8.0), seeds=1, steps=40, lr=3e-3, dmmse_runs=200)
    )
    monkeypatch.setitem(
        quick,
        "tie",
        dict(
            gamma_d=3, gamma_tau=4.0, lam=0.05, gamma_steps=800, linear_d=3, linear_taus=(4.0, 16.0), linear_steps=100
        ),
    )
    monkeypatch.setitem(figs.FIG5_DEFAULTS, "quick", dict(models=("linear",), ds=(3,), runs=2, taus=(0.5, 1.0, 2.0)))
    monkeypatch.setitem(figs.FIG6_DEFAULTS, "quick", dict(ds=(3,), runs=1))


@pytest.fixture
def tiny_mg(monkeypatch):
    """The quick level of the Mehta & Gupta trained-model claims shrunk to seconds: few cells, steps and
    test contexts, two seeds (the figures reuse the claims' setups)."""
    from iclverify.proofs.mehta_gupta2025 import trained as mg

    quick = mg.SETUPS["quick"]
    monkeypatch.setitem(mg.N_BOOT, "quick", 40)
    monkeypatch.setitem(
        quick, "eta", dict(cells=[(1, 3), (2, 3), (1, 4)], seeds=2, steps=10, lr=0.01, test_contexts=50)
    )
    monkeypatch.setitem(quick, "gpt", dict(steps=5, lr=0.01, test_contexts=50))
    monkeypatch.setitem(
        quick, "size", dict(depths={"linear": (1, 2, 3), "sparse-linear": (1, 2, 4)}, ratio=2, s=1, seeds=2)
    )
    monkeypatch.setitem(quick, "allocation", dict(budgets={16: (1, 2, 4), 32: (1, 2, 4)}, fixed_params=(16,), seeds=2))
    monkeypatch.setitem(quick, "tab3", dict(D0s=(2,)))
    monkeypatch.setitem(
        quick,
        "transition",
        dict(
            steps=5,
            lr=0.01,
            L=1,
            seeds=2,
            hs=(1, 2),
            ks={h: (2, 3) for h in (1, 2)},
            widths={h: (2, 3, 4, 6) for h in (1, 2)},
        ),
    )
    from iclverify.proofs.mehta_gupta2025 import k_steps

    monkeypatch.setitem(
        k_steps.SETUPS,
        "quick",
        dict(depths=(2, 3), seeds=2, max_steps=5, k_max=4, reference_contexts=300, n_boot=20, paired_ks=(1,)),
    )
    return quick


@pytest.fixture(scope="module")
def one_torch_thread():
    """Tiny models and forward passes: on a shared 2-core machine torch's idle worker threads slow them
    down many-fold (the trainers run such models on one thread for the same reason)."""
    pytest.importorskip("torch")
    from iclverify.empirics.training.train import torch_threads

    with torch_threads(1):
        yield
