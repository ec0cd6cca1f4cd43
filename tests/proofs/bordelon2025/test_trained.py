"""The caption claim's rule on hand-made rows (the training itself is tested in empirics/experiments)."""

from __future__ import annotations

from iclverify.proofs.bordelon2025 import trained


def _row(trained_loss, shared, per_layer, half=0.005):
    return {
        "alpha": 2.0,
        "L": 2,
        "trained": trained_loss,
        "trained_low": trained_loss - half,
        "trained_high": trained_loss + half,
        "gd_shared_mc": shared,
        "gd_per_layer_mc": per_layer,
    }


def test_rule_confirms_agreement_and_refutes_a_beaten_prediction():
    assert trained.judge_caption([_row(0.21, 0.218, 0.176)]).status == "confirmed"
    v = trained.judge_caption([_row(0.17, 0.218, 0.176)])
    assert v.status == "refuted" and "per-layer" in v.reason
    assert trained.judge_caption([_row(0.17, 0.218, 0.176)], reference="gd_per_layer_mc").status == "confirmed"
    assert trained.judge_caption([_row(0.30, 0.218, 0.176)]).status == "inconclusive"


def test_claim_links_its_code_without_importing_torch():
    (claim,) = trained.CLAIMS
    assert claim.paper == "bordelon2025" and claim.provenance == "stated" and claim.random
    link = claim.code["empirics"]
    assert (link.__module__, link.__qualname__) == (trained.EXPERIMENT, "run_point")
