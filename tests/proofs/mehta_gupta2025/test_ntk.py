r"""MG-NTK measured: the rule on synthetic λ_min with a known law, and the real check's code path at tiny sizes.

The sweep runner ``ntk_rows`` is replaced by a generator of λ_min = c·D^s·e^{σ z} (z a fixed standard normal per
model); the real fit, rule, guards and evidence run unchanged. The expected verdict follows from the law:
s = 1 with small noise is consistent with λ_min ≥ c·d (confirmed at the full level, inconclusive at the quick
level, which has no trained phase), s = 0.3 refutes it (a false statement), large noise is inconclusive.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("torch")

from iclverify.empirics.experiments import ntk_width
from iclverify.proofs.framework.claims import CheckContext
from iclverify.proofs.framework.registry import get_claim
from iclverify.proofs.mehta_gupta2025 import ntk as N
from iclverify.proofs.mehta_gupta2025 import trained as T

pytestmark = pytest.mark.usefixtures("one_torch_thread")
CLAIM_ID = "mehta-gupta.NTK.measured"


def _noise(*key: int) -> float:
    return float(np.random.default_rng([abs(int(k)) for k in key]).standard_normal())


def _fake(monkeypatch, law, *, sigma=0.05):
    """``ntk_rows`` replaced: model (phase, D, seed) gets λ_min = law(phase, D) · exp(σ z)."""

    def ntk_rows(protocol, shapes, *, seeds, phases, contexts, device="auto", cache=None, progress=None, **kw):
        return [
            {
                "phase": phase,
                "L": L,
                "D": D,
                "seed": seed,
                "params": 12 * L * D * D,
                "lambda_min": (lam := law(phase, D) * float(np.exp(sigma * _noise(D, seed, len(phase))))),
                "lambda_max": 100 * lam,
                "trace_over_n": 10 * lam,
                "condition": 100.0,
                "n": contexts,
                "seconds": 0.0,
            }
            for phase in phases
            for L, D in shapes
            for seed in seeds
        ]

    monkeypatch.setattr(ntk_width, "ntk_rows", ntk_rows)
    monkeypatch.setitem(N.N_BOOT, "quick", 300)
    monkeypatch.setitem(N.N_BOOT, "full", 300)


def _check(level="full", seed=0):
    return get_claim(CLAIM_ID).check(CheckContext(level=level, seed=seed, device="cpu"))


def test_linear_growth_is_consistent_only(monkeypatch):
    _fake(monkeypatch, lambda phase, D: 0.3 * D)
    v = _check()
    assert v.status == "confirmed", v.reason
    assert "consistent" in v.reason and "never proved" in v.reason
    assert "standard" in v.evidence["parametrisation"]
    slopes = v.evidence["slopes"]
    assert set(slopes) == {"init", "trained"}
    assert all(s["interval"][0] < 1 < s["interval"][1] for s in slopes.values())
    json.dumps(v.evidence)


def test_faster_growth_is_consistent_too(monkeypatch):
    _fake(monkeypatch, lambda phase, D: 0.01 * D**1.5)
    assert _check().status == "confirmed"


def test_sublinear_growth_refutes_the_bound(monkeypatch):
    _fake(monkeypatch, lambda phase, D: 2.0 * D**0.3)
    v = _check()
    assert v.status == "refuted", v.reason
    assert all(s["status"] == "refuted" for s in v.evidence["slopes"].values())
    assert "slower than d" in v.reason


def test_a_refutation_after_training_alone_refutes(monkeypatch):
    _fake(monkeypatch, lambda phase, D: 0.3 * D if phase == "init" else 5.0 * D**0.2)
    v = _check()
    assert v.status == "refuted"
    assert v.evidence["slopes"]["init"]["status"] == "confirmed"


def test_noisy_measurements_are_inconclusive(monkeypatch):
    _fake(monkeypatch, lambda phase, D: 0.3 * D, sigma=1.5)
    v = _check()
    assert v.status == "inconclusive", v.reason


def test_quick_level_can_refute_but_not_confirm(monkeypatch):
    _fake(monkeypatch, lambda phase, D: 0.3 * D)
    v = _check("quick")
    assert v.status == "inconclusive" and "full level only" in v.reason
    assert set(v.evidence["slopes"]) == {"init"}
    _fake(monkeypatch, lambda phase, D: 2.0 * D**0.3)
    assert _check("quick").status == "refuted"


def test_guards_few_seeds_and_unresolved_eigenvalues(monkeypatch):
    _fake(monkeypatch, lambda phase, D: 0.3 * D)
    monkeypatch.setitem(N.SETUPS, "full", {**N.SETUPS["full"], "seeds": N.MIN_SEEDS - 1})
    v = _check()
    assert v.status == "inconclusive" and v.evidence["rule_status"] == "confirmed"
    monkeypatch.setitem(N.SETUPS, "full", {**N.SETUPS["full"], "seeds": N.MIN_SEEDS})
    _fake(monkeypatch, lambda phase, D: 0.3 * D if D > 8 else -1e-18)
    v = _check()
    assert v.status == "inconclusive" and "not resolved" in v.reason


def test_rule_tables():
    assert N.slope_status((0.76, 1.3)) == "confirmed"
    assert N.slope_status((0.74, 1.3)) == "inconclusive"
    assert N.slope_status((0.2, 0.999)) == "refuted"
    assert N.slope_status((float("nan"), 1.0)) == "inconclusive"
    assert N.ntk_status({"init": "confirmed", "trained": "inconclusive"}) == "inconclusive"
    assert N.ntk_status({"init": "inconclusive", "trained": "refuted"}) == "refuted"


def test_claim_is_registered_with_its_code():
    claim = get_claim(CLAIM_ID)
    assert claim.layers == ("trained",) and claim.random
    paths = claim.code_paths()
    assert paths["empirics"].endswith("ntk_width:ntk_rows")
    assert paths["rule"].endswith("ntk:slope_status") and paths["theory"].endswith("formulas:ntk_lower_bound")


def test_real_check_at_tiny_sizes(monkeypatch, cache):
    """The real sweep (2 widths, 2 seeds, a few steps): a verdict with JSON evidence, the same from the cache."""
    monkeypatch.setitem(T.SETUPS["full"], "gpt", dict(steps=10, lr=3e-3, test_contexts=50))
    monkeypatch.setitem(N.SETUPS, "full", dict(L=1, widths=(4, 8), phases=N.PHASES, seeds=2, contexts=6))
    monkeypatch.setitem(N.N_BOOT, "full", 100)
    ctx = CheckContext(level="full", seed=3, cache=cache, device="cpu")
    v = get_claim(CLAIM_ID).check(ctx)
    assert v.status == "inconclusive"  # 2 seeds: the seed guard (or too few points for an interval)
    rows = v.evidence["models"]
    assert {(r["phase"], r["D"], r["seed"]) for r in rows} == {
        (p, D, s) for p in ("init", "trained") for D in (4, 8) for s in (3, 4)
    }
    assert v.evidence["seeds"] == [3, 4]
    assert set(v.evidence["ntk_parametrisation"]) == {"init", "trained"}  # the GPT rows carry both kernels
    assert all(r["ntkp_trace_over_n"] < r["trace_over_n"] for r in rows)  # every weight block scaled down
    again = get_claim(CLAIM_ID).check(ctx)
    assert json.dumps(again.evidence, sort_keys=True) == json.dumps(v.evidence, sort_keys=True)
