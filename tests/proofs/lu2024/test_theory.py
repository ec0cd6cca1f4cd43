"""The §4 claims: every one is decided at the quick level, and the checks can come out the other way."""

from __future__ import annotations

import json

import pytest
from mpmath import mp

from iclverify.proofs.framework.claims import CheckContext, Verdict
from iclverify.proofs.framework.evidence import jsonable
from iclverify.proofs.framework.registry import all_claims
from iclverify.proofs.lu2024 import theory as claims_module
from iclverify.theory.derivation import Derivation

CLAIMS = {c.id: c for c in claims_module.CLAIMS}
EXPECTED = {  # claim -> expected label (a condition where the statement holds only in part)
    "lu2024.alpha-inf.finite": "confirmed if kappa != min(tau, 1)",
}


def test_claims_are_registered_with_valid_metadata():
    registered = {c.id for c in all_claims()}
    assert set(CLAIMS) <= registered
    for claim in CLAIMS.values():
        assert claim.paper == "lu2024" and claim.statement_tex and claim.where
        if claim.derivation is not None:
            assert isinstance(claim.derivation(), Derivation)
    assert {c.provenance for c in CLAIMS.values()} == {"stated", "reconstructed"}


@pytest.mark.parametrize("claim_id", sorted(CLAIMS))
def test_every_claim_is_decided_at_the_quick_level(claim_id):
    verdict = CLAIMS[claim_id].check(CheckContext(level="quick", seed=3))
    assert verdict.label == EXPECTED.get(claim_id, "confirmed"), verdict.reason
    json.dumps(jsonable(dict(verdict.evidence)))  # evidence is JSON-able


def test_a_wrong_number_is_refuted(monkeypatch):
    real = claims_module.nl.evaluate

    def shifted(params, *, dps=30):
        pred = real(params, dps=dps)
        return type(pred)(**{**pred.__dict__, "e_icl": pred.e_icl * (1 + mp.mpf("1e-7"))})

    monkeypatch.setattr(claims_module.nl, "evaluate", shifted)
    for claim_id in ("lu2024.reference.ridgeless", "lu2024.limit.tau-kappa-inf", "lu2024.threshold.divergence"):
        verdict = CLAIMS[claim_id].check(CheckContext())
        assert verdict.status == "refuted", claim_id
        assert "worst_point" in verdict.evidence


def test_a_failed_symbolic_step_is_inconclusive_not_confirmed():
    from iclverify.theory.derivation import DerivationError

    def broken() -> Derivation:
        raise DerivationError("SymPy could not prove: demo")

    numeric_ok = Verdict.confirmed("numbers agree", max_rel_error=0.0)
    assert claims_module._combine(broken, numeric_ok).status == "inconclusive"
    assert claims_module._combine(broken, Verdict.refuted("numbers disagree")).status == "refuted"


def test_row_rule_states_its_tolerance():
    rows = [({"p": 1}, mp.mpf("1.0000001"), mp.mpf(1))]
    assert claims_module._rows_verdict("x", rows, rtol=1e-6).status == "confirmed"
    refuted = claims_module._rows_verdict("x", rows, rtol=1e-8)
    assert refuted.status == "refuted" and refuted.evidence["rtol"] == 1e-8


def test_every_check_has_a_false_statement():
    assert {f"lu2024.{k}" for k in claims_module.FALSE_STATEMENTS} == set(CLAIMS)


@pytest.mark.parametrize("key", sorted(claims_module.FALSE_STATEMENTS))
def test_a_false_statement_is_refuted(key):
    """Each check, fed a wrong limit, constant, reference value, line, root count or tolerance target instead of
    the claim's statement, says refuted; the evidence names where the statement failed."""
    verdict = CLAIMS[f"lu2024.{key}"].check(CheckContext(level="quick", seed=3), **claims_module.FALSE_STATEMENTS[key])
    assert verdict.status == "refuted", verdict.reason
    evidence = dict(verdict.evidence)
    assert evidence and json.dumps(jsonable(evidence))
    named = {"worst_point", "counterexample", "failures", "points", "lams"} & set(evidence)
    assert named or any(k.startswith("tau=") for k in evidence), evidence.keys()


def test_stated_rates_are_compared_symbolically():
    """A wrong growth coefficient is refuted by SymPy (a counterexample point) before any number is evaluated."""
    wrong = claims_module.FALSE_STATEMENTS["alpha-inf.growth"]
    verdict = claims_module._check_alpha_growth(CheckContext(), **wrong)
    assert verdict.status == "refuted" and "counterexample" in verdict.evidence


def test_a_timed_out_derivation_is_inconclusive(monkeypatch):
    import iclverify.proofs.framework.symbolic as policy

    def slow() -> Derivation:
        import time

        time.sleep(5)
        raise AssertionError("not reached")

    monkeypatch.setattr(policy, "TIME_LIMIT_S", 0.2)
    verdict = policy.symbolic_verdict("demo", slow, lambda d: Verdict.confirmed("x"), seconds=0.2)
    assert verdict.status == "inconclusive" and verdict.evidence["failure"] == "timeout"
    combined = claims_module._combine(slow, Verdict.confirmed("numbers agree", max_rel_error=0.0))
    assert combined.status == "inconclusive"
