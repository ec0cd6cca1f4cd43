"""Mehta & Gupta's step size and allocation against Bordelon et al."""

from __future__ import annotations

from iclverify.proofs.cross import depth_width
from iclverify.proofs.framework.claims import CheckContext
from iclverify.proofs.framework.registry import select

QUICK = CheckContext(level="quick", seed=0)


def test_eta_scaling_refuted_and_the_measured_exponents_confirmed():
    v = depth_width.check_eta_scaling(QUICK)
    assert v.status == "refuted"
    assert all(abs(a["slope_L"]) < 1e-9 for a in v.evidence["by_alpha"].values())
    assert depth_width.check_eta_scaling(QUICK, slope_L=0.0, slope_d=0.0).status == "confirmed"


def test_allocation_agrees_only_at_nu_two():
    v = depth_width.check_allocation(QUICK)
    assert v.status == "confirmed" and "nu = 2" in v.condition
    assert depth_width.check_allocation(QUICK, agree_nu=None).status == "refuted"
    assert depth_width.check_allocation(QUICK, agree_nu=(3.0,)).status == "refuted"


def test_cross_paper_registered():
    assert {c.id for c in select(paper="cross")} == {
        "cross.one-step-identity",
        "cross.eta-scaling",
        "cross.allocation",
    }
