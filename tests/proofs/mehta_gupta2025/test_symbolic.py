"""Mehta & Gupta claims: every check runs to a verdict, provenance is labelled, and the verdicts are the ones
the computations support (each asserted against an independent expectation stated here)."""

from __future__ import annotations

import json

import pytest
import sympy as sp

from iclverify.proofs.framework.claims import CheckContext
from iclverify.proofs.framework.registry import select
from iclverify.proofs.framework.runner import run_claims
from iclverify.proofs.mehta_gupta2025 import symbolic, trained

EXPECTED = {
    # stated claims that hold only under a condition the verdict names
    "A.allocation": ("confirmed", "b = 2a"),
    "T2.gd-construction": ("confirmed", "linear attention"),
    "T2.gradient-identity": ("confirmed", "1/n"),
    "T2.eta-scaling": ("confirmed", "fixed"),
    "M2.mechanism": ("confirmed", "assumption"),
    # derived facts
    "A.exponents": ("confirmed", None),
    "A.shape": ("confirmed", None),
    "A.multiplicative": ("confirmed", None),
    "A.product-terms": ("confirmed", None),
    "T1.exponent": ("confirmed", None),
    "T1.halving": ("confirmed", None),
    "P3.critical-scale": ("confirmed", None),
    "P3.k-dependence": ("confirmed", None),
    "T2.eta-shape": ("confirmed", None),
    "Tab3.equal-budget": ("confirmed", None),
    # reconstructions the computations refute
    "A.true-parameter-budget": ("refuted", None),
    "P3.sharpness": ("refuted", None),
    "T2.steps-allocation": ("refuted", None),
    "T1.solvable-model": ("refuted", None),
    # bounds evaluated but not provable, necessity not decided
    "T1.bound": ("inconclusive", None),
    "R.rademacher": ("inconclusive", None),
    "NTK.eigenvalue": ("inconclusive", None),
    "T2.depth-k": ("inconclusive", None),
}


@pytest.fixture(scope="module")
def outcomes():
    """The symbolic and numeric claims only: the trained ones train models (minutes) and are tested, at tiny
    sizes, in test_mehta_gupta2025_trained.py."""
    return {
        o.claim.id.removeprefix("mehta-gupta."): o
        for o in run_claims(symbolic.CLAIMS, CheckContext(level="quick", seed=0))
    }


def test_every_check_reaches_a_verdict(outcomes):
    errors = {cid: o.error for cid, o in outcomes.items() if o.verdict is None}
    assert not errors


@pytest.mark.parametrize("cid", sorted(EXPECTED))
def test_verdicts(outcomes, cid):
    status, condition = EXPECTED[cid]
    v = outcomes[cid].verdict
    assert v.status == status, v.reason
    if condition is None:
        assert v.condition is None
    else:
        assert condition in v.condition and v.label.startswith("confirmed if ")


def test_refuted_reconstructions_are_labelled_as_ours(outcomes):
    for cid, o in outcomes.items():
        if o.verdict.status == "refuted":
            assert o.claim.provenance == "reconstructed", cid


def test_provenance_and_ids(outcomes):
    assert set(outcomes) == set(EXPECTED)
    assert len(symbolic.CLAIMS) == len(EXPECTED)
    for cid, o in outcomes.items():
        assert o.claim.provenance in ("stated", "reconstructed")
        assert ("reconstructed" in o.claim.where) == (o.claim.provenance == "reconstructed"), cid
        assert "trained" not in o.claim.layers, cid


def test_trained_claims_are_registered_under_the_paper():
    """The registry holds the symbolic and the trained claims of the paper, and nothing else."""
    from iclverify.proofs.mehta_gupta2025 import generalisation, k_steps, ntk

    registered = {c.id for c in select(paper="mehta-gupta")}
    symbolic_ids = {c.id for c in symbolic.CLAIMS}
    trained_ids = {c.id for c in trained.CLAIMS}
    measured_ids = {c.id for m in (generalisation, k_steps, ntk) for c in m.CLAIMS}
    assert not symbolic_ids & trained_ids and not measured_ids & (symbolic_ids | trained_ids)
    assert registered == symbolic_ids | trained_ids | measured_ids
    assert {i.removeprefix("mehta-gupta.") for i in measured_ids} == {
        "NTK.measured",
        "R.measured-gap",
        "T1.bound-measured",
        "T2.depth-k-measured",
    }
    assert {i.removeprefix("mehta-gupta.") for i in trained_ids} == {
        "T1b.measured-exponent",
        "T2.eta-measured",
        "A.measured-allocation",
        "Tab3.depth-beats-width",
        "P3.sigmoid",
    }
    for c in trained.CLAIMS:
        assert c.paper == "mehta-gupta" and c.layers == ("trained",) and c.random and c.provenance == "stated", c.id
        assert c.check.__module__ == trained.__name__, c.id


def test_evidence_is_json_and_records_the_seed(outcomes):
    for o in outcomes.values():
        json.dumps(o.to_json())
    assert outcomes["A.allocation"].verdict.evidence["seed"] == 0
    assert outcomes["A.allocation"].verdict.evidence["max_rel_error_numeric_vs_closed_form"] < 1e-6
    assert outcomes["T2.gd-construction"].verdict.evidence["max_rel_error"] < 1e-12


def test_derivations_attached_to_claims_build():
    for claim in symbolic.CLAIMS:
        if claim.derivation is not None:
            der = claim.derivation()
            assert der.steps and any(s.how == "symbolic" for s in der.steps), claim.id


CTX = CheckContext(level="quick", seed=0)
BY_ID = {c.id.removeprefix("mehta-gupta."): c for c in symbolic.CLAIMS}


def test_every_check_has_a_false_statement():
    assert set(symbolic.FALSE_STATEMENTS) == set(BY_ID)


@pytest.mark.parametrize("cid", sorted(symbolic.FALSE_STATEMENTS))
def test_a_false_statement_is_refuted(cid):
    """Each check, fed a wrong exponent, limit, allocation, sign or tolerance target, says refuted, with the
    statement it was given and what it computed in the evidence."""
    statement = symbolic.FALSE_STATEMENTS[cid]
    verdict = BY_ID[cid].check(CTX, **statement)
    assert verdict.status == "refuted", verdict.reason
    assert verdict.evidence and json.dumps({k: str(v) for k, v in verdict.evidence.items()})


# statements the computations support, for the claims whose own statement is refuted: the rule can confirm
TRUE_STATEMENTS = {
    "A.true-parameter-budget": ({"stated": (sp.Rational(2, 3), sp.Rational(1, 6))}, "b = 4a"),
    "T1.solvable-model": ({"stated_slope": -1}, None),
    "P3.sharpness": ({"max_decades": 8.0}, None),
    "T2.steps-allocation": ({"stated_slope": sp.Rational(1, 2)}, None),
}


@pytest.mark.parametrize("cid", sorted(TRUE_STATEMENTS))
def test_a_true_statement_is_confirmed(cid):
    statement, condition = TRUE_STATEMENTS[cid]
    verdict = BY_ID[cid].check(CTX, **statement)
    assert verdict.status == "confirmed", verdict.reason
    assert (condition is None and verdict.condition is None) or condition in verdict.condition


def test_allocation_evidence_names_the_derived_and_stated_exponents():
    v = BY_ID["A.allocation"].check(CTX)
    assert v.evidence["derived_exponent_L"] == "b/(a + b)" and v.evidence["stated_exponent_L"] == "2/3"
    assert v.evidence["solution"] == "b = 2a"
    refuted = BY_ID["A.true-parameter-budget"].check(CTX)
    assert refuted.evidence["stated_pair_budget_exponent"] == "4/3"


def test_refutation_by_counterexample_names_the_point():
    v = BY_ID["T1.halving"].check(CTX, **symbolic.FALSE_STATEMENTS["T1.halving"])
    point = v.evidence["counterexample"]["point"]
    h = sp.Rational(point["h"])
    assert 2 ** (2 * (h + 1)) != 2 ** (h + 1)  # the named point really separates the two


def test_a_failed_sympy_step_makes_a_symbolic_check_inconclusive(monkeypatch):
    from iclverify.theory.derivation import DerivationError

    def broken():
        raise DerivationError("SymPy could not prove: demo")

    monkeypatch.setattr(symbolic.talloc, "multiplicative_error", broken)
    v = symbolic.check_multiplicative(CTX)
    assert v.status == "inconclusive" and "demo" in v.reason


@pytest.mark.parametrize(
    ("cid", "status"),
    [("T1.bound", "inconclusive"), ("R.rademacher", "inconclusive"), ("NTK.eigenvalue", "inconclusive")],
)
def test_bounds_are_never_confirmed(outcomes, cid, status):
    """A bound with unknown constants: its form can be refuted (above), never confirmed."""
    v = outcomes[cid].verdict
    assert v.status == status and v.evidence["direction"] in ("decreasing", "increasing")
