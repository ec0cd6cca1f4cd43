"""Experiment runners: reproducible, cached and resumable; the exact-law and explicit samplers give the
same downstream errors; finite-d simulation agrees with the theory within its confidence interval."""

from __future__ import annotations

import math

import pytest

from iclverify.empirics.montecarlo import simulate as sim
from iclverify.empirics.montecarlo.finite_size import effective_params
from iclverify.numerics.stats.intervals import extrapolate_inverse_d
from iclverify.runtime.errors import ParameterError
from iclverify.theory.params import LuParams

P = LuParams(tau=2, alpha=1, kappa="0.5", rho="0.01")


def test_runs_are_reproducible_and_seeded() -> None:
    a = sim.simulate_gamma(P, d=8, runs=3, seed=4)
    b = sim.simulate_gamma(P, d=8, runs=3, seed=4)
    c = sim.simulate_gamma(P, d=8, runs=3, seed=5)
    assert [r["e_icl"] for r in a.runs] == [r["e_icl"] for r in b.runs]
    assert [r["e_icl"] for r in a.runs] != [r["e_icl"] for r in c.runs]
    assert len({r["e_icl"] for r in a.runs}) == 3  # runs are distinct draws
    assert a.evidence()["seed"] == 4 and a.evidence()["runs"] == 3


def test_cache_and_resume(cache, monkeypatch) -> None:
    calls: list[int] = []
    real = sim.gamma_run

    def counting(cfg):
        calls.append(cfg["run"])
        return real(cfg)

    monkeypatch.setattr(sim, "gamma_run", counting)
    first = sim.simulate_gamma(P, d=8, runs=2, seed=0, cache=cache)
    more = sim.simulate_gamma(P, d=8, runs=4, seed=0, cache=cache)  # runs 0, 1 come from the cache
    assert calls == [0, 1, 2, 3]
    assert [r["e_icl"] for r in more.runs[:2]] == [r["e_icl"] for r in first.runs]
    d_first = sim.simulate_dmmse(d=6, alpha=2, kappa=1, rho=0.1, runs=300, seed=0, cache=cache)
    d_again = sim.simulate_dmmse(d=6, alpha=2, kappa=1, rho=0.1, runs=300, seed=0, cache=cache)
    assert d_first.g_task == d_again.g_task and d_first.e_icl.n == 300


def test_runner_rejects_bad_input() -> None:
    with pytest.raises(ParameterError, match="runs"):
        sim.simulate_gamma(P, d=8, runs=1, seed=0)
    with pytest.raises(ParameterError, match="sampler"):
        sim.simulate_gamma(P, d=8, runs=2, seed=0, sampler="fast")
    with pytest.raises(ParameterError, match="kappa"):
        sim.simulate_dmmse(d=6, alpha=1, kappa=math.inf, rho=0.1, runs=3, seed=0)


def test_exact_law_and_explicit_tokens_give_the_same_errors() -> None:
    """Downstream check of the O(d) sampler: e_icl and e_idg of Γ* agree between the two samplers."""
    q = LuParams(tau=3, alpha=2, kappa="0.5", rho="0.1", lam="0.01")
    exact = sim.simulate_gamma(q, d=10, runs=40, seed=1, sampler="exact")
    explicit = sim.simulate_gamma(q, d=10, runs=40, seed=1, sampler="explicit")
    for name in ("e_icl", "e_idg"):
        a, b = getattr(exact, name), getattr(explicit, name)
        assert abs(a.mean - b.mean) <= 4 * math.hypot(a.se, b.se), (name, a, b)


def test_effective_params_are_the_realised_ratios() -> None:
    pt = sim.simulate_gamma(LuParams(tau="0.3", alpha="1.7", kappa="0.35", rho="0.1"), d=10, runs=2, seed=0)
    eff = effective_params(pt)
    assert eff["tau"] == 30 / 100 and eff["alpha"] == 17 / 10 and eff["kappa"] == 4 / 10  # round(3.5) = 4


def test_inverse_d_extrapolation_recovers_a_known_line() -> None:
    fit = extrapolate_inverse_d([16, 32, 64], [0.5 + 2 / 16, 0.5 + 2 / 32, 0.5 + 2 / 64], [0.01] * 3)
    assert fit.limit == pytest.approx(0.5) and fit.slope == pytest.approx(2.0) and fit.p_value == pytest.approx(1.0)


def test_worker_processes_give_the_same_runs(cache) -> None:
    """Runs in two spawned workers (single-threaded BLAS) equal in-process runs; the cache is filled."""
    q = LuParams(tau=2, alpha=1, kappa="0.5", rho="0.01")
    here = sim.simulate_gamma(q, d=8, runs=4, seed=9, workers=1)
    there = sim.simulate_gamma(q, d=8, runs=4, seed=9, workers=2, cache=cache)
    assert [r["e_icl"] for r in there.runs] == pytest.approx([r["e_icl"] for r in here.runs], rel=1e-9)
    again = sim.simulate_gamma(q, d=8, runs=4, seed=9, workers=2, cache=cache)
    assert [r["seconds"] for r in again.runs] == [r["seconds"] for r in there.runs]  # read back, not recomputed
