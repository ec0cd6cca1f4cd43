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


def test_small_extrapolation_claim_gives_evidence(monkeypatch, cache) -> None:
    """The claim machinery end to end at toy sizes: the verdict carries seed, sizes and per-d rows."""
    tiny = mc.Setup(points=(LuParams(tau=3, alpha=2, kappa=1, rho="0.1"),), ds=(8, 12, 16), runs=(5, 4, 3))
    monkeypatch.setitem(mc.SETUPS, "ridgeless", {"quick": tiny, "full": tiny})
    v = mc.check_result1(CheckContext(level="quick", seed=3, cache=cache))
    point = v.evidence["points"][0]
    assert [row["d"] for row in point["per_d"]] == [8, 12, 16] and point["seed"] == 3
    assert v.status in ("confirmed", "refuted", "inconclusive") and json.dumps(v.evidence)


@pytest.mark.slow
@pytest.mark.parametrize("suffix", ["result1", "idg-ridgeless", "icl-ridge", "double-descent", "task-transition"])
def test_stated_claims_are_confirmed_at_quick_level(suffix: str) -> None:
    claim = next(c for c in mc.CLAIMS if c.id.endswith(suffix))
    v = claim.check(CheckContext(level="quick", seed=0))
    assert v.status == "confirmed", v.reason


@pytest.mark.slow
def test_conjecture_is_decided_at_quick_level() -> None:
    claim = next(c for c in mc.CLAIMS if c.id.endswith("idg-ridge-conjecture"))
    v = claim.check(CheckContext(level="quick", seed=0))
    assert v.status in ("confirmed", "refuted"), v.reason
