r"""``mehta-gupta.T2.depth-k-measured``: the rule on synthetic depth laws with a known answer.

The training runner (``k_step_rows``) is replaced by a generator that gives each model the error of
:math:`k_{\rm eff}(L)` steps of a geometric GD reference (:math:`e_{GD}(k) = 0.7^k`), times a random shortfall
per seed (training rarely reaches the best a depth can do); the fits, the rule, its guards and its evidence
run unchanged. Linear growth of L_needed in k (a fixed number of GD steps per layer) must be confirmed,
exponential growth of k_eff (L_needed ∝ log k) and a bounded L_needed refuted, and each guard must turn a
decided verdict into an inconclusive one.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from iclverify.empirics.experiments import k_step_depth as ksd
from iclverify.proofs.framework.claims import CheckContext
from iclverify.proofs.framework.registry import get_claim
from iclverify.proofs.mehta_gupta2025 import k_steps as KS

REF = 0.7 ** np.arange(41)
CLAIM_ID = "mehta-gupta.T2.depth-k-measured"


def _fake(monkeypatch, law, *, shortfall=0.3, converged=True, floor=0.0):
    """``k_step_rows`` replaced: model (L, seed) has error 0.7^law(L) · exp(shortfall·|N(0, 1)|) (+ ``floor``)."""

    def k_step_rows(setup, depths, seeds, *, k_max, reference_contexts, paired_ks=(), seed=0, **_):
        g = np.random.default_rng(seed + 17)
        ref = ksd.GDReference(
            errors=REF.copy(),
            se=np.zeros_like(REF),
            in_sample=REF * 0.98,
            coefficients=[np.zeros(0)] * len(REF),
            lam_hi=1.0,
            contexts=1,
            seed=seed,
        )
        members = {
            L: [
                {
                    "seed": s,
                    "L": L,
                    "test_mse": floor + 0.7 ** law(L) * math.exp(shortfall * abs(g.standard_normal())),
                    "test_se": 0.01 * 0.7 ** law(L),
                    "steps": 500,
                    "converged": converged,
                    "cpu_seconds": 0.0,
                }
                for s in seeds
            ]
            for L in depths
        }
        errors = np.array([[m["test_mse"] for m in members[L]] for L in depths])
        errors_se = np.array([[m["test_se"] for m in members[L]] for L in depths])
        return {"reference": ref, "members": members, "errors": errors, "errors_se": errors_se, "paired_gd": {}}

    monkeypatch.setattr(ksd, "k_step_rows", k_step_rows)


@pytest.fixture(autouse=True)
def few_boot(monkeypatch):
    for level in ("quick", "full"):
        monkeypatch.setitem(KS.SETUPS, level, {**KS.SETUPS[level], "n_boot": 300})


def _check(level: str = "full"):
    return get_claim(CLAIM_ID).check(CheckContext(level=level, seed=0, device="cpu"))


def test_linear_law_is_confirmed(monkeypatch):
    _fake(monkeypatch, lambda L: 1.5 * L)  # one and a half GD steps per layer: L_needed = k/1.5
    v = _check()
    assert v.status == "confirmed", v.reason
    assert v.evidence["L_needed"]["8"]["explicit"] == 6 and v.evidence["table"][0]["predicted"] == pytest.approx(0.7)


def test_exponential_law_is_refuted(monkeypatch):
    _fake(monkeypatch, lambda L: 2.0**L)  # k_eff = 2^L: L_needed = log2 k
    for level in ("quick", "full"):
        v = _check(level)
        assert v.status == "refuted", (level, v.reason)
        assert v.evidence["interval"]["explicit"][1] < KS.S_SUBLINEAR


def test_bounded_l_needed_is_refuted(monkeypatch):
    _fake(monkeypatch, lambda L: L if L <= 2 else 60.0, shortfall=0.05)  # from three layers on: every k
    v = _check()
    assert v.status == "refuted", v.reason
    assert all(v.evidence["L_needed"][str(k)]["explicit"] == 3 for k in (3, 4, 6, 8))


def test_unconverged_models_make_it_inconclusive(monkeypatch):
    _fake(monkeypatch, lambda L: 2.0**L, converged=False)
    v = _check("quick")
    assert v.status == "inconclusive" and v.evidence["rule_status"] == "refuted"
    assert "convergence rule" in v.reason


def test_training_short_of_the_construction_makes_it_inconclusive(monkeypatch):
    _fake(monkeypatch, lambda L: 0.5 * L, shortfall=0.05)  # half a step per layer: worse than L GD-form layers
    v = _check()
    assert v.status == "inconclusive" and "construction" in v.reason


def test_diverged_deep_models_make_it_inconclusive(monkeypatch):
    _fake(monkeypatch, lambda L: 2.0**L if L < 4 else math.nan)  # every 4-layer model diverged
    v = _check("quick")
    assert v.status == "inconclusive" and "did not use the depth" in v.reason


def test_few_seeds_make_it_inconclusive(monkeypatch):
    monkeypatch.setitem(KS.SETUPS, "quick", {**KS.SETUPS["quick"], "seeds": 3})
    _fake(monkeypatch, lambda L: 2.0**L)
    v = _check("quick")
    assert v.status == "inconclusive" and v.evidence["rule_status"] == "refuted"


def test_claim_is_registered_with_its_code():
    claim = get_claim(CLAIM_ID)
    assert claim.layers == ("trained",) and claim.random and claim.provenance == "stated"
    paths = claim.code_paths()
    assert paths["empirics"] == "iclverify.empirics.experiments.k_step_depth:k_step_rows"
    assert paths["rule"].endswith("k_steps:depth_k_status")
    assert paths["numerics"].endswith("gd_construction:gd_predict")


def test_quick_depths_are_a_subset_of_full_with_the_same_training():
    q, f = KS.SETUPS["quick"], KS.SETUPS["full"]
    assert set(q["depths"]) <= set(f["depths"]) and q["seeds"] == f["seeds"] >= KS.MIN_SEEDS
    a, b = KS._setup("quick"), KS._setup("full")
    assert {k: v for k, v in a.to_dict().items() if k != "max_steps"} == {
        k: v for k, v in b.to_dict().items() if k != "max_steps"
    }
