"""The finite-size rule on synthetic series: the gap to the *stated* formula is what is extrapolated, so a
statement off by a constant is refuted and the true one confirmed, with no simulation involved; the 1/d² model
is chosen only by the stated criterion (1/d rejected at level 0.05, at least four d)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from iclverify.empirics.montecarlo.finite_size import QUANTITIES, FiniteSizeSeries
from iclverify.proofs.lu2024 import finite_size as rule
from iclverify.theory.params import LuParams

POINT = {"tau": 2.0, "alpha": 1.0, "kappa": 0.5, "rho": 0.01, "lam": 0.0}
FULL_DS = (32, 48, 64, 96, 128)


def _series(
    offset: float = 0.0,
    *,
    ds: Sequence[int] = (16, 32, 64),
    gap: Callable[[int], float] = lambda d: 2 / d,
    se: float = 0.004,
    wiggle: float = 0.0,
) -> FiniteSizeSeries:
    """Simulated means = theory at the realised point + ``gap(d)`` + ``offset`` (± ``wiggle`` standard errors,
    alternating), standard error ``se``."""
    theory = rule.theory_at(POINT)
    rows = []
    for i, d in enumerate(ds):
        row = {"d": d, "runs": 20, "n": 2 * d * d, "ell": d, "k": d // 2, "effective": dict(POINT)}
        for q in QUANTITIES:
            row.update({q: theory[q] + gap(d) + offset + (-1) ** i * wiggle * se, f"{q}_se": se})
        rows.append(row)
    return FiniteSizeSeries(
        params=LuParams(tau=2, alpha=1, kappa=0.5, rho=0.01), seed=0, points=[], rows=rows, confidence=0.99
    )


def _verdict(series: FiniteSizeSeries, stated: rule.Stated = rule.theory_at) -> rule.Verdict:
    compared = [rule.compare(series, stated)]
    width = 0.2 * rule.theory_at(POINT)["e_icl"]
    return rule.extrapolation_verdict("demo", compared, "e_icl", max_width=lambda _: width, level="quick", family=0.99)


def test_the_gap_to_the_statement_extrapolates_to_its_limit() -> None:
    compared = rule.compare(_series(offset=0.05))
    fit = compared.fits["e_icl"]
    assert fit.limit == pytest.approx(0.05, abs=1e-9) and fit.slope == pytest.approx(2.0, abs=1e-7)
    assert compared.rows[0]["e_icl_theory"] == rule.theory_at(POINT)["e_icl"]
    assert compared.evidence("e_icl")["per_d"][0]["gap"] == pytest.approx(2 / 16 + 0.05)


def test_a_true_statement_is_confirmed_and_a_false_one_refuted() -> None:
    assert _verdict(_series()).status == "confirmed"
    assert _verdict(_series(offset=0.05)).status == "refuted"  # the simulation settles 0.05 above the statement

    def shifted(values: dict[str, float]) -> dict[str, float]:
        return {k: v + 0.05 for k, v in rule.theory_at(values).items()}

    assert _verdict(_series(offset=0.05), shifted).status == "confirmed"  # ... which is what this statement says
    assert _verdict(_series(), shifted).status == "refuted"


# A gap like the IDG-ridge conjecture's (0.048 at d = 32 falling to 0.0095 at d = 128): 1/d with a 1/d² part.
CURVED = lambda d: 0.8 / d + 22 / d**2  # noqa: E731


def test_a_genuine_inverse_square_term_with_limit_zero_is_not_refuted() -> None:
    series = _series(ds=FULL_DS, gap=CURVED, se=0.001, wiggle=0.3)
    compared = rule.compare(series)
    linear = compared.linear_fits["e_icl"]
    assert linear.p_value is not None and linear.p_value < rule.SELECT_P  # 1/d alone is rejected ...
    assert not linear.contains(0.0)  # ... and would have claimed a limit below 0
    fit = compared.fits["e_icl"]
    assert fit.order == 2 and fit.contains(0.0) and fit.curvature == pytest.approx(22, rel=0.2)
    v = _verdict(series)
    assert v.status == "confirmed", v.reason
    assert v.evidence["points"][0]["model"] == "1/d + 1/d^2"


def test_a_genuine_inverse_square_term_with_a_wrong_limit_is_refuted() -> None:
    v = _verdict(_series(0.01, ds=FULL_DS, gap=CURVED, se=0.001, wiggle=0.3))
    assert v.status == "refuted" and "1/d + 1/d^2" in v.reason, v.reason
    low, high = v.evidence["points"][0]["gap_limit_interval"]
    assert low <= 0.01 <= high and low > 0


def test_a_pure_inverse_d_series_keeps_the_inverse_d_model() -> None:
    series = _series(ds=FULL_DS, gap=lambda d: 1.5 / d, se=0.002, wiggle=1.0)
    compared = rule.compare(series)
    assert compared.linear_fits["e_icl"].p_value >= rule.SELECT_P
    assert compared.fits["e_icl"] is compared.linear_fits["e_icl"] and compared.fits["e_icl"].order == 1
    v = _verdict(series)
    assert v.status == "confirmed" and v.evidence["points"][0]["model"] == "1/d"


def test_three_dimensions_never_switch_to_the_inverse_square_model() -> None:
    """With three d the 1/d² model would have no degree of freedom left: the rejected 1/d fit stands, and the
    verdict says the law does not fit rather than extrapolating."""
    series = _series(ds=(32, 64, 128), gap=CURVED, se=0.0002)
    compared = rule.compare(series)
    assert compared.linear_fits["e_icl"].p_value < rule.MIN_FIT_P and compared.fits["e_icl"].order == 1
    v = _verdict(series)
    assert v.status == "inconclusive" and "1/d law does not fit" in v.reason, v.reason
