"""The one-step identity across the three papers."""

from __future__ import annotations

from fractions import Fraction

from iclverify.proofs.cross import one_step
from iclverify.proofs.framework.claims import CheckContext


def test_exact_one_step_minimum():
    assert one_step.bordelon_one_step("2", "1") == Fraction(1) + Fraction(2, 4)


def test_identity_confirmed_with_its_condition_and_a_wrong_form_refuted():
    ctx = CheckContext(level="quick", seed=0)
    v = one_step.check_one_step_identity(ctx)
    assert v.status == "confirmed" and "tau, kappa -> inf" in v.condition
    assert v.evidence["full_gamma"]["relative_distance_from_isotropic"] < 1e-4
    assert one_step.check_one_step_identity(ctx, form=lambda a, r: 1 / (1 + a)).status == "refuted"
