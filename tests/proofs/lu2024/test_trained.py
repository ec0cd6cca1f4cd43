"""The trained-model claims: their rules on synthetic data with known answers, and every check's code path."""

from __future__ import annotations

import json

import numpy as np
import pytest

from iclverify.numerics.stats.power_law_fit import LogLogFit
from iclverify.proofs.framework.claims import CheckContext
from iclverify.proofs.framework.registry import get_claim
from iclverify.proofs.lu2024 import trained as T

TAUS = [0.25, 0.5, 1.0, 1.25, 2.0, 4.0]


def _curves(means, spread=0.1, seeds=4, seed=0):
    noise = np.random.default_rng(seed).normal(0, spread, (seeds, len(means)))
    return np.exp(np.log(means) + noise)


def test_claims_are_registered_with_their_figures():
    ids = {c.id for c in T.CLAIMS}
    assert ids == {
        f"lu2024.trained.{n}"
        for n in ("double-descent", "threshold-scaling", "complexity-order", "task-diversity", "gamma-tie")
    }
    for c in T.CLAIMS:
        assert get_claim(c.id) is c and c.layers == ("trained",) and c.random
    from iclverify.figures import all_figures

    assert {"lu2024-fig5", "lu2024-fig6"} <= set(all_figures())
    assert all(c.figure in (None, *all_figures()) for c in T.CLAIMS)


def test_double_descent_rule_confirms_a_peak_at_the_threshold():
    row = T.double_descent_status(TAUS, _curves([1.5, 2.5, 8.0, 12.0, 3.0, 1.0]), tau_star=1.2)
    assert row["status"] == "confirmed" and row["peak_tau"] == 1.25


def test_double_descent_rule_refutes_a_monotone_curve_and_a_misplaced_peak():
    assert T.double_descent_status(TAUS, _curves([3.0, 2.5, 2.0, 1.6, 1.2, 1.0]), tau_star=1.2)["status"] == "refuted"
    far = T.double_descent_status(TAUS, _curves([1.5, 9.0, 2.0, 1.8, 1.4, 1.0]), tau_star=2.0)
    assert far["status"] == "refuted" and far["significant"] and not far["near"]


def test_double_descent_rule_is_inconclusive_when_noise_hides_the_peak_or_tau_star_is_missing():
    noisy = T.double_descent_status(TAUS, _curves([1.5, 1.6, 1.9, 1.7, 1.4, 1.2], spread=1.0, seeds=3), tau_star=1.2)
    assert noisy["status"] == "inconclusive"
    assert (
        T.double_descent_status(TAUS, _curves([1.5, 2.5, 8.0, 12.0, 3.0, 1.0]), tau_star=None)["status"]
        == "inconclusive"
    )


@pytest.mark.parametrize("law,expected", [("d(d+1)", "confirmed"), ("d^1", "refuted"), ("d^3.2", "refuted")])
def test_scaling_rule_recovers_a_known_law(law, expected):
    """Thresholds following a known law with 3% noise, 6 seeds per d, through the real bootstrap fit."""
    rng = np.random.default_rng(1)
    d = np.repeat([20.0, 40.0, 80.0], 6)
    exact = {"d(d+1)": d * (d + 1), "d^1": 1.1 * d, "d^3.2": 1.1 * d**3.2}[law]
    n = exact * np.exp(rng.normal(0, 0.03, d.size))
    fit = LogLogFit(n_boot=500, seed=0).fit(d, n, strata=d)
    assert T.scaling_status(fit, T.finite_d_exponent([20, 40, 80])) == expected


def test_scaling_prediction_tends_to_two():
    assert T.finite_d_exponent([4, 6, 8]) < T.finite_d_exponent([20, 40, 80]) < T.finite_d_exponent([1000, 2000]) < 2


def test_scaling_rule_wants_enough_seeds():
    d = np.repeat([4.0, 6.0, 8.0], 2)
    n = d * (d + 1) * np.exp(np.random.default_rng(2).normal(0, 0.01, d.size))
    fit = LogLogFit(n_boot=200, seed=0).fit(d, n, strata=d)
    assert fit.warnings and T.scaling_status(fit, T.finite_d_exponent([4, 6, 8])) == "inconclusive"


def test_order_rule():
    lin = dict(key="linear", below=[70, 72], above=[74, 76], robust=True)
    big = dict(key="two-blocks", below=[250, 260], above=[270, 280], robust=True)
    assert T.order_status([lin, big])[0] == "confirmed"
    assert T.order_status([big, lin])[0] == "refuted"
    assert T.order_status([lin, dict(key="softmax", below=[60, 75], above=[64, 80], robust=True)])[0] == "inconclusive"
    # a reversal resting on a failure that longer training removes decides nothing
    soft = dict(key="softmax", below=[36, 38], above=[40, 41], robust=False)
    status, pairs = T.order_status([lin, soft, big])
    assert status == "inconclusive" and pairs == [
        "linear < softmax: undecided (budget-limited)",
        "softmax < two-blocks: undecided (budget-limited)",
    ]


KAPPAS = [0.25, 0.5, 1.0, 4.0, 16.0]
THEORY = [0.74, 0.51, 0.29, 0.07, 0.02]  # the d → ∞ g_task at τ = 10 (the quick level's, rounded)


def test_diversity_rule_confirms_a_fall_like_the_theory():
    rule = T.diversity_status(KAPPAS, [1.1, 0.65, 0.4, 0.08, 0.04], [0.1, 0.08, 0.06, 0.03, 0.03], THEORY)
    assert rule["status"] == "confirmed" and rule["spearman"] == pytest.approx(-1.0)
    assert rule["drop"] == pytest.approx(1.06) and rule["drop_se"] == pytest.approx(np.hypot(0.1, 0.03))


def test_diversity_rule_refutes_a_g_task_that_does_not_fall():
    """The false statement 'g_task grows with κ', measured precisely enough to have seen the theory's fall."""
    rule = T.diversity_status(KAPPAS, [0.05, 0.1, 0.2, 0.3, 0.4], [0.02] * 5, THEORY)
    assert rule["status"] == "refuted" and rule["drop"] < 0


def test_diversity_rule_is_inconclusive_when_the_errors_hide_the_fall():
    assert T.diversity_status(KAPPAS, [0.3, 0.2, 0.35, 0.25, 0.32], [0.5] * 5, THEORY)["status"] == "inconclusive"


@pytest.mark.parametrize(
    "gamma, dists, excess, expected",
    [
        (1e-9, [0.8, 0.1, 0.07], 0.001, "confirmed"),
        (1e-3, [0.8, 0.1, 0.07], 0.001, "refuted"),  # the Γ model misses Γ*
        (1e-9, [0.8, 0.05, 0.07], 0.001, "refuted"),  # K,Q,V moves away from Γ* at the largest τ
        (1e-9, [0.8, 0.1, 0.07], 0.04, "inconclusive"),  # approaching, but 4% above e(Γ*)
    ],
)
def test_tie_rule(gamma, dists, excess, expected):
    status, why = T.tie_status(gamma, dists, excess)
    assert status == expected and (why == "") == (expected == "confirmed")


# ----- the checks themselves, at tiny sizes (the code path, the evidence, and what must hold regardless)


@pytest.fixture
def tiny(tiny_lu):
    """The quick level shrunk to seconds (``tiny_lu`` in conftest)."""


@pytest.mark.parametrize("claim", [c.id for c in T.CLAIMS])
def test_every_check_runs_and_gives_json_evidence(tiny, cache, claim):
    verdict = get_claim(claim).check(CheckContext(level="quick", seed=0, cache=cache, device="cpu"))
    assert verdict.reason
    json.dumps(verdict.evidence, allow_nan=True)
    if claim.endswith("threshold-scaling"):
        assert verdict.status != "confirmed"  # 2 seeds per d: the bootstrap is too thin to confirm anything
    if claim.endswith("gamma-tie"):
        # the Γ model's tie is exact whatever the size; only the K, Q, V part depends on it
        assert verdict.evidence["gamma_model"]["relative_distance"] < 1e-6


# The quick level's verdicts at seed 0 (measured on CPU, December 2026; the report states the numbers).
QUICK_VERDICTS = {
    "lu2024.trained.double-descent": "confirmed",
    "lu2024.trained.threshold-scaling": "confirmed",
    "lu2024.trained.complexity-order": "inconclusive",
    "lu2024.trained.task-diversity": "confirmed",
    "lu2024.trained.gamma-tie": "confirmed",
}


@pytest.mark.slow
@pytest.mark.parametrize("claim", [c.id for c in T.CLAIMS])
def test_quick_level_verdicts(claim, cache):
    """The real quick level (minutes each on 2 cores) reproduces its recorded verdict, with ≥ 5 seeds where
    the rule is statistical."""
    verdict = get_claim(claim).check(CheckContext(level="quick", seed=0, cache=cache, device="cpu"))
    assert verdict.status == QUICK_VERDICTS[claim], verdict.reason
    json.dumps(verdict.evidence, allow_nan=True)
    if "seeds" in verdict.evidence:
        assert len(verdict.evidence["seeds"]) >= 5
