r"""R.measured-gap and T1.bound-measured: each rule on synthetic measurements with a known law, and the real
checks' code path at tiny sizes.

The sweep runners (``data_sweep``, ``size_sweep``, and ``shape_rows`` for T1's N axis) are replaced by
generators of rows whose gap, excess or error follow a known power law times multiplicative noise (a fixed
standard normal per model); the real fits, rules, guards and evidence run unchanged. A law slower than the
bound allows is refuted (a false statement fed to the check), one at or faster than the bound is consistent
("confirmed", said as consistency only), and heavy noise leaves the verdict inconclusive.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("torch")

from iclverify.empirics.experiments import generalisation as gen
from iclverify.empirics.experiments import mg_protocol
from iclverify.numerics.mehta_gupta2025.evaluate import transformer_param_count
from iclverify.proofs.framework.claims import CheckContext
from iclverify.proofs.framework.registry import get_claim
from iclverify.proofs.mehta_gupta2025 import generalisation as G
from iclverify.proofs.mehta_gupta2025 import trained as T
from iclverify.runtime.cache import ResultCache

pytestmark = pytest.mark.usefixtures("one_torch_thread")

SEEDS = 6  # >= MIN_SEEDS: the seed guard does not apply
CONTEXTS = (2048, 2560, 3072, 4096, 5120, 6144)
SHAPES = ((1, 8), (2, 8), (3, 8), (4, 8))


def _ctx(level: str = "quick", cache=None) -> CheckContext:
    return CheckContext(level=level, seed=0, cache=cache, device="cpu")


def _z(*key: float) -> float:
    return float(np.random.default_rng([int(abs(k)) for k in key]).standard_normal())


def _row(L: int, width: int, seed: int, contexts, **values) -> dict:
    return {
        "L": L,
        "D": width,
        "N": L * width,
        "params": transformer_param_count(L, width, d_in=5).total,
        "seed": seed,
        "contexts": contexts,
        "test_mse": 0.5,
        "train_mse": 0.45,
        "gap": 0.05,
        "epochs": None if contexts is None else 12288 / contexts,
    } | values


@pytest.fixture
def fake(monkeypatch):
    """Install synthetic runners: ``gap(L, D_ctx)``, ``excess(D_ctx)`` laws with noise ``sigma``."""

    def install(*, gap=lambda L, D: 0.05, excess=lambda D: 0.05, sigma=0.02, seeds=SEEDS, size_law=None):
        setup = dict(seeds=seeds, data_shape=(2, 8), contexts=CONTEXTS, size_shapes=SHAPES, size_contexts=4096)
        monkeypatch.setitem(G.SETUPS, "quick", setup)
        monkeypatch.setitem(G.N_BOOT, "quick", 400)

        def noisy(value, *key):
            return value * float(np.exp(sigma * _z(*key)))

        def data_sweep(protocol, shape, contexts, *, seeds, online=True, device="auto", cache=None, progress=None):
            L, w = shape
            rows = []
            for D in contexts:
                for s in seeds:
                    g = noisy(gap(L, D), L, D, s, 1)
                    rows.append(_row(L, w, s, D, gap=g, excess=noisy(excess(D), D, s, 2) if online else None))
            if online:
                rows += [_row(L, w, s, None, gap=None) for s in seeds]
            return rows

        def size_sweep(protocol, shapes, contexts, *, seeds, device="auto", cache=None, progress=None):
            return [
                _row(L, w, s, contexts, gap=noisy(gap(L, contexts), L, contexts, s, 1))
                for L, w in shapes
                for s in seeds
            ]

        monkeypatch.setattr(gen, "data_sweep", data_sweep)
        monkeypatch.setattr(gen, "size_sweep", size_sweep)
        if size_law is not None:  # T1's N axis: T1b's online rows
            monkeypatch.setitem(
                T.SETUPS["quick"], "size", dict(depths={"linear": (1, 2, 4, 8, 16, 32)}, ratio=4, seeds=seeds)
            )

            def shape_rows(protocol, shapes, *, seeds, device="auto", cache=None, progress=None, **task):
                return [
                    _row(L, w, s, None, test_mse=noisy(size_law(L * w), L, w, s, 3)) for L, w in shapes for s in seeds
                ]

            monkeypatch.setattr(mg_protocol, "shape_rows", shape_rows)

    return install


# ---------------------------------------------------------------------------------------------------
# the rule


def test_rate_rule_cases():
    bound = -0.5
    cases = {
        (-1.2, -0.8): "confirmed",  # significantly faster than the bound
        (-0.7, -0.3): "confirmed",  # holds the bound, narrow
        (-0.3, -0.1): "refuted",  # significantly slower
        (-1.0, -0.2): "inconclusive",  # holds it, too wide
    }
    for interval, status in cases.items():
        v = G.rate_rule("s", estimate=sum(interval) / 2, interval=interval, bound=bound, max_width=0.5)
        assert v.status == status, (interval, v.reason)
    grow = G.rate_rule("s", estimate=1.5, interval=(1.2, 1.8), bound=0.68, max_width=0.5, growth=True)
    assert grow.status == "refuted" and "grows significantly faster" in grow.reason


def test_rademacher_slope_is_the_bounds_local_rate():
    for shapes in ([(1, 8), (2, 8)], [(1, 100), (2, 100)]):
        (L1, d), (L2, _) = shapes
        N1, N2 = L1 * d, L2 * d
        expected = 0.5 * (1 + np.log(np.log(N2) / np.log(N1)) / np.log(N2 / N1))
        assert G.rademacher_slope(shapes) == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------------------------------------------
# R.measured-gap


def test_gap_falling_like_D_to_the_minus_0_2_is_refuted(fake):
    fake(gap=lambda L, D: 0.1 * L * (D / 2048) ** -0.2)
    v = G.check_gap(_ctx())
    assert v.status == "refuted", v.reason
    assert v.evidence["data_axis"]["status"] == "refuted" and "falls significantly slower" in v.reason
    assert v.evidence["data_axis"]["fit"]["ci"][0] > -0.5


@pytest.mark.parametrize("rate", [-0.5, -1.0])
def test_gap_falling_like_D_to_the_minus_half_or_faster_is_consistent_only(fake, rate):
    fake(gap=lambda L, D: 0.1 * L**0.5 * (D / 2048) ** rate, sigma=0.01)
    v = G.check_gap(_ctx())
    assert v.status == "confirmed", v.reason
    assert "consistent with the bound's rates only" in v.reason and v.evidence["consistency_only"] is True
    lo, hi = v.evidence["data_axis"]["fit"]["ci"]
    assert lo <= rate <= hi


def test_gap_growing_faster_than_sqrt_N_log_N_is_refuted(fake):
    fake(gap=lambda L, D: 0.01 * L**1.5 * (D / 2048) ** -1.0)  # N = 8 L: gap ∝ N^1.5 at fixed D
    v = G.check_gap(_ctx())
    assert v.status == "refuted" and v.evidence["size_axis"]["status"] == "refuted", v.reason
    assert v.evidence["data_axis"]["status"] == "confirmed"
    assert v.evidence["size_axis"]["bound_slope"] == pytest.approx(G.rademacher_slope(SHAPES))


def test_a_gap_that_vanishes_at_large_D_is_fitted_where_it_is_resolved(fake):
    # exactly 0 (in noise) beyond D = 4096: those points are not resolved and are left out of the fit
    fake(gap=lambda L, D: 0.1 * L**0.5 * (D / 2048) ** -1.0 if D <= 4096 else 0.0, sigma=0.01)
    v = G.check_gap(_ctx())
    fit = v.evidence["data_axis"]["fit"]
    assert fit["used"] == [2048.0, 2560.0, 3072.0, 4096.0] and v.status == "confirmed", v.reason


def test_gap_with_heavy_noise_is_inconclusive(fake):
    fake(gap=lambda L, D: 0.1 * L**0.5 * (D / 2048) ** -0.5, sigma=0.5)
    v = G.check_gap(_ctx())
    assert v.status == "inconclusive" and "would be" not in v.reason, v.reason


def test_gap_seed_guard(fake):
    fake(gap=lambda L, D: 0.1 * L**0.5 * (D / 2048) ** -1.0, sigma=0.01, seeds=T.MIN_SEEDS - 1)
    v = G.check_gap(_ctx())
    assert v.status == "inconclusive" and v.evidence["rule_status"] == "confirmed", v.reason


def test_points_below_the_parameter_count_are_not_fitted(fake):
    fake(gap=lambda L, D: 0.1 * (D / 2048) ** -1.0, sigma=0.01)
    G.SETUPS["quick"]["contexts"] = (512, 1024, *CONTEXTS)  # P = 1817 for (2, 8)
    v = G.check_gap(_ctx())
    assert v.evidence["data_axis"]["fit"]["used"][0] == 2048.0 and v.evidence["data_axis"]["fit"]["min_x"] == 1817


# ---------------------------------------------------------------------------------------------------
# T1.bound-measured


def test_error_falling_slower_than_N_to_the_minus_alpha_is_refuted(fake):
    fake(excess=lambda D: 0.05 * (D / 2048) ** -1.0, size_law=lambda N: 0.1 + N**-0.1, sigma=0.01)
    v = G.check_bound(_ctx())
    assert v.status == "refuted" and v.evidence["size_axis"]["status"] == "refuted", v.reason
    assert v.evidence["size_axis"]["interval"][1] < 0.25 and v.evidence["alpha"] == 0.25


def test_excess_falling_slower_than_D_to_the_minus_alpha_is_refuted(fake):
    fake(excess=lambda D: 0.05 * (D / 2048) ** -0.1, size_law=lambda N: 0.1 + N**-0.5, sigma=0.005)
    v = G.check_bound(_ctx())
    assert v.status == "refuted" and v.evidence["data_axis"]["status"] == "refuted", v.reason
    assert v.evidence["size_axis"]["status"] == "confirmed"


def test_error_at_or_faster_than_the_bounds_rates_is_consistent_only(fake):
    fake(excess=lambda D: 0.05 * (D / 2048) ** -1.0, size_law=lambda N: 0.1 + N**-0.5, sigma=0.01)
    v = G.check_bound(_ctx())
    assert v.status == "confirmed" and "consistent with the bound's rates only" in v.reason, v.reason
    assert v.evidence["size_axis"]["interval"][0] >= 0.25


# ---------------------------------------------------------------------------------------------------
# the real checks at tiny sizes


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setattr(G, "PROTOCOL", dict(steps=8, batch_size=8, lr=0.01, test_contexts=40))
    monkeypatch.setitem(
        G.SETUPS,
        "quick",
        dict(seeds=2, data_shape=(1, 4), contexts=(300, 400, 600), size_shapes=((1, 4), (2, 4)), size_contexts=600),
    )
    monkeypatch.setitem(G.N_BOOT, "quick", 50)
    monkeypatch.setitem(T.SETUPS["quick"], "gpt", dict(steps=5, lr=3e-3, test_contexts=40))
    monkeypatch.setitem(T.SETUPS["quick"], "size", dict(depths={"linear": (1, 2, 3)}, ratio=4, s=1, seeds=2))
    monkeypatch.setitem(T.N_BOOT, "quick", 50)


@pytest.mark.parametrize("claim_id", ["mehta-gupta.R.measured-gap", "mehta-gupta.T1.bound-measured"])
def test_real_checks_reach_a_verdict_and_replay_from_the_cache(tiny, tmp_path, claim_id):
    claim = get_claim(claim_id)
    assert claim.random and claim.layers == ("trained",)
    first = claim.check(_ctx(cache=ResultCache(tmp_path)))
    assert first.status == "inconclusive"  # two seeds: at best the seed guard's "would be"
    assert "seeds 2" in first.reason and first.evidence["seeds"] == [0, 1]
    assert json.loads(json.dumps(first.evidence)) == first.evidence
    cache = ResultCache(tmp_path)
    again = claim.check(_ctx(cache=cache))
    assert again.evidence == first.evidence and cache.stats()["misses"] == 0


def test_the_level_grids_lie_in_the_stated_regime_and_quick_is_a_subset_of_full():
    steps, batch = G.PROTOCOL["steps"], G.PROTOCOL["batch_size"]
    for level, s in G.SETUPS.items():
        P = transformer_param_count(*s["data_shape"], d_in=5).total
        assert all(P <= D <= steps * batch / G.MIN_EPOCHS for D in s["contexts"]), level
        assert s["size_contexts"] <= steps * batch / G.MIN_EPOCHS
        assert all(transformer_param_count(L, w, d_in=5).total <= s["size_contexts"] for L, w in s["size_shapes"])
        assert s["seeds"] >= T.MIN_SEEDS
    quick, full = G.SETUPS["quick"], G.SETUPS["full"]
    assert set(quick["contexts"]) <= set(full["contexts"]) and set(quick["size_shapes"]) <= set(full["size_shapes"])
    assert quick["data_shape"] == full["data_shape"] and quick["size_contexts"] == full["size_contexts"]
