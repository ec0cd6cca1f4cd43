"""RRS claims: verdicts with conditions, and refutations of false statements."""

from __future__ import annotations

from iclverify.proofs.bordelon2025 import rrs
from iclverify.proofs.framework.claims import CheckContext

QUICK = CheckContext(level="quick", seed=0)


def test_depth_helps():
    assert rrs.check_depth_helps(QUICK).status == "confirmed"
    assert rrs.check_depth_helps(QUICK, helps=False).status == "refuted"


def test_depth_exponent():
    v = rrs.check_depth_exponent(QUICK)
    assert v.status == "confirmed" and "infinite context" in v.condition
    assert rrs.check_depth_exponent(QUICK, exponent=lambda nu, b: nu * b).status == "refuted"


def test_context_exponent():
    v = rrs.check_context_exponent(QUICK)
    assert v.status == "confirmed"
    assert rrs.check_context_exponent(QUICK, exponent=lambda nu, b: b).status == "refuted"


def test_time_exponent_is_not_produced():
    v = rrs.check_time_exponent(QUICK)
    assert v.status == "refuted" and all(not r["capped"] for r in v.evidence["rows"])
    # a statement the model does produce (faster than any power) is not confirmed as a power law either
    assert rrs.check_time_exponent(QUICK, exponent=lambda b: 1e-3).status == "refuted"


def test_shape():
    v = rrs.check_shape(QUICK)
    assert v.status == "confirmed" and "width" in v.condition
    assert rrs.check_shape(QUICK, shape=lambda nu: 2 / 3).status == "refuted"


def test_provenance():
    prov = {c.id.removeprefix("bordelon2025."): c.provenance for c in rrs.CLAIMS}
    assert prov["rrs.depth-helps"] == "stated"
    assert all(p == "summary" for k, p in prov.items() if k != "rrs.depth-helps")
