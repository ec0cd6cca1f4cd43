"""ISO claims: each check confirms its statement and refutes a false one fed to it."""

from __future__ import annotations

import pytest

from iclverify.proofs.bordelon2025 import iso
from iclverify.proofs.framework.claims import CheckContext

QUICK = CheckContext(level="quick", seed=0)


def test_registered_with_provenance():
    ids = {c.id.removeprefix("bordelon2025.") for c in iso.CLAIMS}
    assert ids == {
        "iso.depth-gain",
        "iso.peak-at-alpha-one",
        "iso.one-step",
        "iso.infinite-depth",
        "iso.optimal-step",
        "iso.catalan-form",
        "iso.montecarlo",
    }
    for c in iso.CLAIMS:
        assert c.provenance in ("stated", "reconstructed") and "rule" in c.code
        assert (c.provenance == "stated") == (c.where in ("abstract", "Figure 1 caption")), c.id


def test_one_step():
    assert iso.check_one_step(QUICK).status == "confirmed"
    assert iso.check_one_step(QUICK, form=lambda a: 1 / (1 + a) ** 2, derive=False).status == "refuted"


def test_infinite_depth():
    assert iso.check_infinite_depth(QUICK, derive=False).status == "confirmed"
    assert iso.check_infinite_depth(QUICK, limit=lambda a: 0, derive=False).status == "refuted"


def test_optimal_step():
    v = iso.check_optimal_step(QUICK, derive=False)
    assert v.status == "confirmed" and float(v.evidence["max_rel_error"]) < 1e-40
    assert iso.check_optimal_step(QUICK, form=lambda a, L: L**0.5 * a / (1 + a), derive=False).status == "refuted"


def test_catalan_form_refutes_a_wrong_sum():
    from mpmath import mpf

    wrong = iso.check_catalan_form(QUICK, form=lambda L, a: 1 - mpf(L) / (L + mpf(a)))
    assert wrong.status == "refuted"


def test_depth_gain():
    assert iso.check_depth_gain(QUICK, derive=False).status == "confirmed"
    assert iso.check_depth_gain(QUICK, vanishes_at_long_context=False, derive=False).status == "refuted"


def test_peak():
    assert iso.check_peak_gain(QUICK).status == "confirmed"
    assert iso.check_peak_gain(QUICK, peak=10.0).status == "refuted"


def test_montecarlo_refutes_a_wrong_theory():
    v = iso.check_montecarlo(QUICK, theory=lambda a, L: 1 / (1 + float(a)) ** L)
    assert v.status == "refuted"


@pytest.mark.slow
def test_every_claim_confirmed():
    for c in iso.CLAIMS:
        assert c.check(QUICK).status == "confirmed", c.id
