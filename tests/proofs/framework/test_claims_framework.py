"""Claim and verdict types, the registry and the runner."""

from __future__ import annotations

import pytest

from iclverify.proofs.framework.claims import CheckContext, Claim, Verdict
from iclverify.proofs.framework.evidence import agreement, interval_rule
from iclverify.proofs.framework.registry import all_claims, get_claim, select
from iclverify.proofs.framework.runner import run_claims
from iclverify.runtime.errors import UnknownNameError


def _claim(check, cid="demo.x"):
    return Claim(
        id=cid,
        paper="demo",
        title="t",
        where="-",
        provenance="stated",
        statement_tex="",
        layers=("numeric",),
        check=check,
    )


def test_only_confirmed_verdicts_carry_conditions():
    assert Verdict.confirmed("ok", condition="b = 2a").label == "confirmed if b = 2a"
    with pytest.raises(ValueError):
        Verdict(status="refuted", reason="no", condition="b = 2a")


def test_claim_ids_are_prefixed_by_their_paper():
    with pytest.raises(ValueError, match="must start with"):
        _claim(lambda ctx: Verdict.confirmed("x"), cid="other.x")


def test_runner_turns_exceptions_into_error_outcomes():
    def boom(ctx):
        raise ZeroDivisionError("oops")

    outcomes = run_claims([_claim(boom), _claim(lambda ctx: Verdict.refuted("no"), "demo.y")], CheckContext(seed=5))
    assert [o.label for o in outcomes] == ["error", "refuted"]
    assert "ZeroDivisionError" in outcomes[0].error and outcomes[1].to_json()["seed"] == 5


def test_registered_claims_are_well_formed():
    for claim in all_claims():
        assert claim.statement_tex.strip() and claim.where.strip() and claim.title.strip()
        assert get_claim(claim.id) is claim


def test_unknown_claim_suggests_neighbours():
    with pytest.raises(UnknownNameError, match="unknown claim id"):
        get_claim("no.such.claim")
    with pytest.raises(UnknownNameError, match="unknown paper"):
        select(paper="nobody2099")


def test_agreement_reports_worst_point():
    rows = [("a", 1.0, 1.0), ("b", 2.0, 2.2), ("c", 3.0, 3.0)]
    verdict = agreement("x", rows, rtol=0.05)
    assert verdict.status == "refuted" and verdict.evidence["worst_point"] == "b"


@pytest.mark.parametrize(
    ("interval", "expected"),
    [((0.1, 0.3), "confirmed"), ((0.3, 0.4), "refuted"), ((-1.0, 1.0), "inconclusive")],
)
def test_interval_rule(interval, expected):
    assert (
        interval_rule("a", estimate=sum(interval) / 2, interval=interval, predicted=0.25, max_width=0.5).status
        == expected
    )


# which code role a layer needs: a claim checked symbolically names its theory, and so on
ROLE_OF_LAYER = {"symbolic": "theory", "numeric": "numerics", "montecarlo": "empirics"}


def _resolve(path: str):
    import importlib

    module_name, _, qualname = path.partition(":")
    obj = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize("claim", all_claims(), ids=lambda c: c.id)
def test_every_claim_links_its_layers_and_rule(claim):
    """One hop from a claim to its code: a verdict rule in proofs/, and the code of each layer it is checked in;
    every link resolves to the callable it names."""
    paths = claim.code_paths()
    assert "rule" in claim.code, f"{claim.id} names no verdict rule"
    if paths["check"].startswith("iclverify."):  # built in (a plugin keeps its rules in its own package)
        assert paths["rule"].startswith("iclverify.proofs."), paths["rule"]
    missing = [ROLE_OF_LAYER[layer] for layer in claim.layers if ROLE_OF_LAYER.get(layer, "rule") not in claim.code]
    assert not missing, f"{claim.id} (layers {claim.layers}) lacks code for {missing}"
    for role, path in paths.items():
        target = claim.check if role == "check" else claim.code[role]  # type: ignore[index]
        resolved = _resolve(path)
        assert resolved is getattr(target, "func", target), (claim.id, role, path)
