"""Monte Carlo claims of Lu et al.: registration, the verdict rules on synthetic evidence, cheap real runs.

The full quick-level checks run under ``-m slow`` (about two minutes); the default run exercises the rules
and one real claim."""

from __future__ import annotations

import dataclasses
import json

import pytest

from iclverify.figures import all_figures
from iclverify.numerics.stats.intervals import extrapolate_inverse_d
from iclverify.proofs.framework.claims import CheckContext
from iclverify.proofs.framework.registry import all_claims
from iclverify.proofs.lu2024 import montecarlo as mc
from iclverify.theory.params import LuParams


def test_claims_are_registered_with_figures() -> None:
    ids = {c.id for c in all_claims() if c.id.startswith("lu2024.mc.")}
    assert ids == {
        f"lu2024.mc.{x}"
        for x in (
            "result1",
            "idg-ridgeless",
            "icl-ridge",
            "idg-ridge-conjecture",
            "double-descent",
            "task-transition",
            "dmmse-memorises",
        )
    }
    figures = all_figures()
    for claim in mc.CLAIMS:
        assert claim.random and "montecarlo" in claim.layers and claim.figure in figures
    conj = next(c for c in mc.CLAIMS if c.id.endswith("conjecture"))
    assert conj.provenance == "reconstructed"  # no published source states it


@dataclasses.dataclass
class _FakeSeries:
    """Just what extrapolation_verdict reads."""

    params: LuParams
    rows: list
    fits: dict

    def evidence(self, quantity):
        return {"gap_limit": self.fits[quantity].limit, "quantity": quantity}


def _fake(gaps, ses, theory=1.0, ds=(16, 32, 64)):
    rows = [{"d": d, "e_icl_gap": g, "e_icl_se": s, "e_icl_theory": theory} for d, g, s in zip(ds, gaps, ses)]
    fit = extrapolate_inverse_d(ds, gaps, ses, confidence=0.99)
    return _FakeSeries(params=LuParams(tau=2, alpha=1, kappa=1, rho=0), rows=rows, fits={"e_icl": fit})


def _verdict(*series):
    return mc.extrapolation_verdict("x", list(series), "e_icl", max_width=lambda t: 0.1 * t, level="quick")


def test_extrapolation_rule_confirms_a_vanishing_gap() -> None:
    ok = _fake([2 / 16, 2 / 32, 2 / 64], [0.005, 0.004, 0.003])
    v = _verdict(ok)
    assert v.status == "confirmed" and json.dumps(v.evidence)


def test_extrapolation_rule_refutes_a_persistent_gap() -> None:
    off = _fake([0.2 + 2 / 16, 0.2 + 2 / 32, 0.2 + 2 / 64], [0.005, 0.004, 0.003])
    v = _verdict(_fake([2 / 16, 2 / 32, 2 / 64], [0.005, 0.004, 0.003]), off)
    assert v.status == "refuted" and "excludes 0" in v.reason


def test_extrapolation_rule_is_inconclusive_when_too_wide_or_misfitted() -> None:
    wide = _fake([2 / 16, 2 / 32, 2 / 64], [0.1, 0.1, 0.1])
    assert _verdict(wide).status == "inconclusive"
    zigzag = _fake([0.3, -0.3, 0.3], [0.01, 0.01, 0.01])  # the 1/d law cannot describe this
    v = _verdict(zigzag)
    assert v.status == "inconclusive" and "does not fit" in v.reason


def test_dmmse_claim_runs_and_decides(cache) -> None:
    ctx = CheckContext(level="quick", seed=0, cache=cache)
    v = next(c for c in mc.CLAIMS if c.id.endswith("dmmse-memorises")).check(ctx)
    assert v.status == "confirmed", v.reason
    assert v.evidence["seed"] == 0 and v.evidence["runs"] == 1000 and json.dumps(v.evidence)


TINY = mc.Setup(points=(LuParams(tau=3, alpha=2, kappa=1, rho="0.1"),), ds=(8, 12, 16), runs=(16, 12, 10))


def test_small_extrapolation_claim_gives_evidence(monkeypatch, cache) -> None:
    """The claim machinery end to end at toy sizes: the true statement is not refuted, a statement 50 % off is;
    the verdicts carry seed, sizes and per-d rows, simulated and stated."""
    monkeypatch.setitem(mc.SETUPS, "ridgeless", {"quick": TINY, "full": TINY})
    ctx = CheckContext(level="quick", seed=3, cache=cache)
    v = mc.check_result1(ctx)
    point = v.evidence["points"][0]
    assert [row["d"] for row in point["per_d"]] == [8, 12, 16] and point["seed"] == 3
    assert v.status != "refuted", v.reason
    assert json.dumps(v.evidence)
    wrong = mc.check_result1(ctx, **mc.FALSE_STATEMENTS["result1"])
    assert wrong.status == "refuted" and "excludes 0" in wrong.reason, wrong.reason
    stated = [r["theory"] for r in wrong.evidence["points"][0]["per_d"]]
    theory = [r["theory"] for r in point["per_d"]]
    assert stated == pytest.approx([1.5 * t for t in theory])  # the false statement is what was compared


def test_every_check_has_a_false_statement() -> None:
    assert {f"lu2024.mc.{k}" for k in mc.FALSE_STATEMENTS} == {c.id for c in mc.CLAIMS}


@pytest.mark.parametrize("key", ["result1", "idg-ridgeless", "icl-ridge", "idg-ridge-conjecture", "task-transition"])
def test_a_false_formula_is_refuted(monkeypatch, cache, key) -> None:
    """Each extrapolation claim, given a formula far from the simulation (toy sizes), says refuted."""
    for name in ("ridgeless", "ridge", "transition"):
        setup = mc.SETUPS[name]["quick"]
        tiny = mc.Setup(points=setup.points[:1], ds=(8, 12, 16), runs=(16, 12, 10))
        monkeypatch.setitem(mc.SETUPS, name, {"quick": tiny, "full": tiny})
    claim = next(c for c in mc.CLAIMS if c.id == f"lu2024.mc.{key}")
    v = claim.check(CheckContext(level="quick", seed=0, cache=cache), **mc.FALSE_STATEMENTS[key])
    assert v.status == "refuted", v.reason
    assert v.evidence["points"][0]["gap_limit_interval"][1] < 0  # simulation far below the inflated statement


def test_a_wrong_peak_location_is_refuted(monkeypatch, cache) -> None:
    """Double descent with the peak stated at τ = 0.5: the simulated error at τ = 1 lies far above it."""
    monkeypatch.setitem(mc.DD_SIZES, "quick", ((8, 12), (16, 12)))
    v = mc.check_double_descent(
        CheckContext(level="quick", seed=0, cache=cache), **mc.FALSE_STATEMENTS["double-descent"]
    )
    assert v.status == "refuted" and "τ=1" in v.reason, v.reason
    assert v.evidence["stated_peak_taus"] == ["0.5"]


def test_a_wrong_dmmse_floor_is_refuted(monkeypatch, cache) -> None:
    monkeypatch.setitem(mc.DMMSE_SIZES, "quick", (16, 200))
    v = mc.check_dmmse_memorises(
        CheckContext(level="quick", seed=0, cache=cache), **mc.FALSE_STATEMENTS["dmmse-memorises"]
    )
    assert v.status == "refuted", v.reason
    assert v.evidence["stated_floor"] == 1.5 and all(p["dmmse_g_task"]["high"] < 1.5 for p in v.evidence["points"])


@pytest.mark.slow
@pytest.mark.parametrize("suffix", ["result1", "idg-ridgeless", "icl-ridge", "double-descent", "task-transition"])
def test_stated_claims_are_confirmed_at_quick_level(suffix: str) -> None:
    claim = next(c for c in mc.CLAIMS if c.id.endswith(suffix))
    v = claim.check(CheckContext(level="quick", seed=0))
    assert v.status == "confirmed", v.reason


@pytest.mark.slow
def test_conjecture_is_confirmed_at_quick_level() -> None:
    """The conjecture e_IDG(λ) = −τ c_e agrees with simulation at the quick level (as recorded in the README);
    the full level leaves it inconclusive (intervals must be twice as narrow)."""
    claim = next(c for c in mc.CLAIMS if c.id.endswith("idg-ridge-conjecture"))
    v = claim.check(CheckContext(level="quick", seed=0))
    assert v.status == "confirmed", v.reason
    assert all(p["fit_adequate"] and not p["gap_grew"] for p in v.evidence["points"])


def test_the_series_memo_follows_the_cache(monkeypatch, tmp_path) -> None:
    """Within one cache directory a series is simulated once for the claims that share it; under --no-cache
    (no cache) or with another directory it is simulated again."""
    from iclverify.runtime.cache import ResultCache

    calls = []

    def fake_series(params, **kw):
        calls.append((params, kw["cache"]))
        return ("series", params)

    monkeypatch.setattr(mc, "finite_size_series", fake_series)
    tiny = mc.Setup(points=(LuParams(tau=3, alpha=2, kappa=1, rho="0.1"),), ds=(8, 12), runs=(3, 3))
    one, other = ResultCache(tmp_path / "one"), ResultCache(tmp_path / "other")
    for cache in (one, one, None, None, other):
        assert mc._series(tiny, CheckContext(seed=1, cache=cache)) == [("series", tiny.points[0])]
    assert [c for _, c in calls] == [one, None, None, other]


def test_full_level_lets_the_rule_choose_the_inverse_square_model() -> None:
    """Every extrapolating claim at ``full`` has at least four d (the 1/d² model needs one degree of freedom);
    the conjecture's point, whose gap is small, is solved in float64 to 1e-9."""
    from iclverify.proofs.lu2024 import finite_size as rule

    for name, levels in mc.SETUPS.items():
        full = levels["full"]
        assert len(set(full.ds)) >= rule.MIN_DIMS_QUADRATIC and len(full.runs) == len(full.ds), name
        assert list(full.ds) == sorted(full.ds) and min(full.runs) >= 10, name
    ridge = mc.SETUPS["ridge"]["full"]
    conjecture_point = LuParams(tau="0.5", alpha=1, kappa="0.5", rho="0.01", lam="0.1")
    assert ridge.solver(conjecture_point) == {"precision": "float64", "tol": 1e-9}
    assert ridge.solver(ridge.points[1]) == {"precision": "mixed", "tol": 1e-5}
    assert mc.SETUPS["ridge"]["quick"].solver(conjecture_point)["precision"] == "mixed"


def test_the_conjecture_claim_carries_its_derivation() -> None:
    conj = next(c for c in mc.CLAIMS if c.id.endswith("conjecture"))
    der = conj.derivation()
    assert der.id == "lu2024.idg-ridge" and any(s.how == "stated" for s in der.steps)
    assert conj.code_paths()["theory"].endswith("idg_ridge:in_distribution_risk")
