r"""The Mehta & Gupta trained-model claims: each rule on synthetic data with a known answer, and every check's
code path at tiny sizes.

Rules. The training runners a check calls (``shape_rows``, ``transition_rows``, ``eta_rows``) are replaced
by synthetic generators that build each model's error (or step, or score) from a known law plus
multiplicative noise; everything after them — the experiment's fits (the real bootstrap fitters), the
check's rule, its guards and its evidence — runs unchanged (replacing the ``*_experiment`` functions instead
would skip the fits the rules rest on). The expected verdict follows from the law:
the prediction holds and the noise is small (confirmed), the law has another exponent (refuted), or the
noise is so large that the interval is wider than the rule allows (inconclusive).

Code paths. The real checks with tiny ``SETUPS`` (few steps, 2 seeds): they must reach a verdict, record
their seeds and scale, give JSON evidence, and give the same evidence again from the cache.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

pytest.importorskip("torch")

from iclverify.empirics.experiments import (
    eta_measurement,
    mg_protocol,
    transition,
)
from iclverify.numerics.mehta_gupta2025.evaluate import transformer_param_count
from iclverify.numerics.stats.logistic_fit import logistic
from iclverify.proofs.framework.claims import CheckContext
from iclverify.proofs.framework.registry import get_claim
from iclverify.proofs.mehta_gupta2025 import trained as T

SEEDS_OK = T.MIN_SEEDS + 1  # enough seeds that the seed guard does not apply


def _ctx(cache=None, seed: int = 0) -> CheckContext:
    return CheckContext(level="quick", seed=seed, cache=cache, device="cpu")


def _noise(*key: int) -> float:
    """A standard normal draw fixed by ``key`` (one per synthetic model)."""
    return float(np.random.default_rng([abs(int(k)) for k in key]).standard_normal())


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # conftest: one torch thread for the whole module


@pytest.fixture
def few_boot(monkeypatch):
    monkeypatch.setitem(T.N_BOOT, "quick", 100)


def _fake_shape_rows(monkeypatch, mse):
    """``shape_rows`` replaced: model (L, D, seed) on ``task`` gets test MSE ``mse(L, D, task, seed)``."""

    def shape_rows(protocol, shapes, *, seeds, device="auto", cache=None, progress=None, **task):
        name = task.get("task", "linear")
        rows = []
        for L, D in shapes:
            params = transformer_param_count(L, D, d_in=protocol.d + 1)
            for s in seeds:
                rows.append(
                    {
                        "L": L,
                        "D": D,
                        "N": L * D,
                        "params": params.total,
                        "params_12LD2": params.blocks_leading,
                        "task": name,
                        "seed": s,
                        "test_mse": float(mse(L, D, name, s)),
                        "test_se": 0.0,
                        "success": 0.5,
                        "baselines": {"zero": 1.01, "least-squares": 0.5, "ridge": 0.05},
                        "baseline_success": {"zero": 0.3, "least-squares": 0.6, "ridge": 0.9},
                        "initial_test_mse": 1.5,
                        "final_loss": 0.1,
                        "seconds": 0.0,
                    }
                )
        return rows

    monkeypatch.setattr(mg_protocol, "shape_rows", shape_rows)


# ---------------------------------------------------------------------------------------------------
# T1b: the size exponent, through FloorPowerLawFit


SIZE_DEPTHS = (1, 2, 4, 8, 16, 32)  # N = 4 L^2 from 4 to 4096: three decades


def _size_check(
    monkeypatch,
    exponents: dict[str, float],
    sigma: float,
    seeds: int = SEEDS_OK,
    floor: float = 0.1,
    depths=SIZE_DEPTHS,
):
    monkeypatch.setitem(
        T.SETUPS["quick"], "size", dict(depths={t: depths for t in exponents}, ratio=4, s=1, seeds=seeds)
    )
    codes = {"linear": 1, "sparse-linear": 2}
    _fake_shape_rows(
        monkeypatch,
        lambda L, D, task, s: (floor + (L * D) ** -exponents[task]) * math.exp(sigma * _noise(L, D, codes[task], s)),
    )
    return T.check_size_exponent(_ctx())


def test_exponent_rule_confirms_the_predicted_quarter(monkeypatch, few_boot):
    v = _size_check(monkeypatch, {"linear": 0.25, "sparse-linear": 0.25}, sigma=0.01)
    assert v.status == "confirmed", v.reason
    for task in ("linear", "sparse-linear"):
        t = v.evidence["tasks"][task]
        lo, hi = t["interval"]
        assert lo <= 0.25 <= hi and hi - lo <= T.EXPONENT_MAX_WIDTH and t["status"] == "confirmed"
        assert abs(t["floor"] - 0.1) < 0.02  # the floor the data were built with
        assert t["N_range"] == [4, 4 * 32**2] and t["N_decades"] == pytest.approx(math.log10(1024))


def test_exponent_rule_refutes_when_either_task_has_another_exponent(monkeypatch, few_boot):
    v = _size_check(monkeypatch, {"linear": 0.25, "sparse-linear": 0.5}, sigma=0.01)
    assert v.status == "refuted", v.reason
    assert v.evidence["tasks"]["linear"]["status"] == "confirmed"
    assert v.evidence["tasks"]["sparse-linear"]["status"] == "refuted"
    assert (
        not v.evidence["tasks"]["sparse-linear"]["interval"][0]
        <= 0.25
        <= v.evidence["tasks"]["sparse-linear"]["interval"][1]
    )


def test_exponent_rule_is_inconclusive_when_noise_widens_the_interval(monkeypatch, few_boot):
    # a pure power law (no floor to confound the exponent) over little more than a decade, 15 % noise
    v = _size_check(monkeypatch, {"linear": 0.25}, sigma=0.15, floor=0.0, depths=(1, 2, 3, 4))
    lo, hi = v.evidence["tasks"]["linear"]["interval"]
    assert v.status == "inconclusive" and lo <= 0.25 <= hi and hi - lo > T.EXPONENT_MAX_WIDTH, v.reason
    assert "would be" not in v.reason  # the rule itself, not a guard, left it open


def test_exponent_rule_seed_guard(monkeypatch, few_boot):
    v = _size_check(monkeypatch, {"linear": 0.25}, sigma=0.01, seeds=T.MIN_SEEDS - 1)
    assert v.status == "inconclusive" and v.evidence["rule_status"] == "confirmed"
    assert "would be confirmed" in v.reason and f"only {T.MIN_SEEDS - 1} seeds" in v.reason


# ---------------------------------------------------------------------------------------------------
# T2: the per-layer step, through LogLogFit on (L, d)


ETA_CELLS = [(L, d) for L in (1, 2, 4, 8) for d in (4, 8, 16)]


def _eta_check(monkeypatch, p_L: float, p_d: float, sigma: float, seeds: int = SEEDS_OK, negative: int = 0):
    """Models whose mean step is 0.8 L^p_L (d+1)^p_d times log-normal noise; ``negative`` of them with a
    negative step (left out of the log fit, which the guard must say)."""
    monkeypatch.setitem(
        T.SETUPS["quick"], "eta", dict(cells=ETA_CELLS, seeds=seeds, steps=10, lr=0.01, test_contexts=100)
    )

    def eta_rows(configs, *, device="auto", cache=None, progress=None):
        rows = []
        for cfg in configs:
            L, d = cfg.layers, cfg.d
            for s in cfg.seeds:
                eta = 0.8 * L**p_L * (d + 1) ** p_d * math.exp(sigma * _noise(L, d, s))
                if len(rows) < negative:
                    eta = -eta
                rows.append(
                    {
                        "L": L,
                        "d": d,
                        "width": d + 1,
                        "ell": cfg.ell,
                        "seed": s,
                        "eta": eta,
                        "eta_fitted": eta * 1.01,
                        "eta_layers": [eta] * L,
                        "eta_fitted_layers": [eta] * L,
                        "distance": 0.1,
                        "anisotropy": 0.1,
                        "test_mse": 0.1,
                        "ridge": 0.05,
                        "initial_test_mse": 1.0,
                        "steps": cfg.steps,
                        "structure": cfg.structure,
                    }
                )
        return rows

    monkeypatch.setattr(eta_measurement, "eta_rows", eta_rows)
    monkeypatch.setattr(
        eta_measurement, "gd_optimal_step", lambda L, d, **kw: {"L": L, "d": d, "eta": 0.5, "error": 0.1}
    )
    return T.check_eta(_ctx())


def test_eta_rule_confirms_steps_scaling_as_one_over_root_Ld(monkeypatch, few_boot):
    v = _eta_check(monkeypatch, -0.5, -0.5, sigma=0.03)
    assert v.status == "confirmed", v.reason
    for name in ("slope_L", "slope_d"):
        lo, hi = v.evidence[name]["interval"]
        assert lo <= -0.5 <= hi and hi - lo <= T.ETA_MAX_WIDTH
    # the parametrisation's own step is exactly 1/sqrt(L d) (measured from real forward passes)
    assert v.evidence["parametrisation"]["p_L"] == pytest.approx(-0.5, abs=1e-9)
    assert v.evidence["parametrisation"]["p_d"] == pytest.approx(-0.5, abs=1e-9)
    assert len(v.evidence["models"]) == len(ETA_CELLS) * SEEDS_OK


def test_eta_rule_refutes_a_step_that_falls_as_one_over_L(monkeypatch, few_boot):
    v = _eta_check(monkeypatch, -1.0, -0.5, sigma=0.03)
    assert v.status == "refuted", v.reason
    assert v.evidence["slope_L"]["status"] == "refuted" and v.evidence["slope_d"]["status"] == "confirmed"
    assert v.evidence["slope_L"]["estimate"] == pytest.approx(-1.0, abs=0.05)


def test_eta_rule_is_inconclusive_when_the_steps_are_noisy(monkeypatch, few_boot):
    v = _eta_check(monkeypatch, -0.5, -0.5, sigma=1.0)
    assert v.status == "inconclusive", v.reason
    widths = [v.evidence[n]["interval"][1] - v.evidence[n]["interval"][0] for n in ("slope_L", "slope_d")]
    assert max(widths) > T.ETA_MAX_WIDTH and "would be" not in v.reason


def test_eta_rule_says_when_models_were_left_out_and_seed_guard(monkeypatch, few_boot):
    v = _eta_check(monkeypatch, -0.5, -0.5, sigma=0.03, negative=2)
    assert v.status == "inconclusive" and v.evidence["rule_status"] == "confirmed"
    assert "2 models with a non-positive mean step" in v.reason
    v = _eta_check(monkeypatch, -1.0, -0.5, sigma=0.03, seeds=3)
    assert v.status == "inconclusive" and "would be refuted" in v.reason and "only 3 seeds" in v.reason


# ---------------------------------------------------------------------------------------------------
# A: the optimal depth, through locate_optimum / optimum_scaling


ALLOC_BUDGETS = {64: (1, 2, 4, 8, 16), 512: (1, 2, 4, 8, 16, 32, 64, 128), 4096: (1, 4, 16, 64, 256, 1024)}


def _alloc_check(monkeypatch, s: float, c: float, sigma: float, seeds: int = SEEDS_OK, budgets=ALLOC_BUDGETS):
    """Errors log-quadratic in log L around L*(N) = c N^s at every budget (exact vertex of the rule's parabola)."""
    monkeypatch.setitem(T.SETUPS["quick"], "allocation", dict(budgets=budgets, fixed_params=(16, 32), seeds=seeds))

    def mse(L, D, task, seed):
        N = L * D
        return 0.2 * math.exp(0.2 * (math.log(L) - math.log(c * N**s)) ** 2 + sigma * _noise(L, D, seed))

    _fake_shape_rows(monkeypatch, mse)
    return T.check_allocation(_ctx())


def test_allocation_rule_confirms_L_star_growing_as_N_to_two_thirds(monkeypatch, few_boot):
    v = _alloc_check(monkeypatch, 2 / 3, 0.25, sigma=0.02)
    assert v.status == "confirmed", v.reason
    lo, hi = v.evidence["interval"]
    assert lo <= 2 / 3 <= hi and hi - lo <= T.ALLOCATION_MAX_WIDTH
    for N, o in v.evidence["optima"].items():  # each budget's vertex near the L* the data were built with
        assert o["L_star"] == pytest.approx(0.25 * int(N) ** (2 / 3), rel=0.1) and not o["edge"]
    assert set(v.evidence["fixed_parameter_budget"]) == {str(12 * 16**2), str(12 * 32**2)}


def test_allocation_rule_refutes_L_star_growing_as_N_to_one_third(monkeypatch, few_boot):
    v = _alloc_check(monkeypatch, 1 / 3, 0.5, sigma=0.02)
    assert v.status == "refuted", v.reason
    assert v.evidence["slope"] == pytest.approx(1 / 3, abs=0.05)


def test_allocation_rule_is_inconclusive_for_noisy_errors(monkeypatch, few_boot):
    v = _alloc_check(monkeypatch, 2 / 3, 0.25, sigma=0.6)
    lo, hi = v.evidence["interval"]
    assert v.status == "inconclusive" and lo <= 2 / 3 <= hi and hi - lo > T.ALLOCATION_MAX_WIDTH, v.reason


def test_allocation_rule_an_optimum_on_the_grid_edge_is_only_a_bound(monkeypatch, few_boot):
    # at N = 4096 the grid stops at L = 16, below L* = 64: the minimum sits on the edge (the other budgets' do not)
    budgets = {**ALLOC_BUDGETS, 4096: (1, 4, 16)}
    v = _alloc_check(monkeypatch, 2 / 3, 0.25, sigma=0.02, budgets=budgets)
    assert (
        v.status == "inconclusive"
        and v.evidence["optima"]["4096"]["edge"]
        and v.evidence["optima"]["4096"]["L_star"] == pytest.approx(16)
    )
    assert not v.evidence["optima"]["64"]["edge"] and not v.evidence["optima"]["512"]["edge"]
    assert "the best shape is on the edge of the grid at N = 4096 (L* only bounded)" in v.reason
    assert f"would be {v.evidence['rule_status']}" in v.reason


def test_allocation_rule_seed_guard(monkeypatch, few_boot):
    v = _alloc_check(monkeypatch, 2 / 3, 0.25, sigma=0.02, seeds=T.MIN_SEEDS - 1)
    assert v.status == "inconclusive" and v.evidence["rule_status"] == "confirmed" and "would be confirmed" in v.reason


# ---------------------------------------------------------------------------------------------------
# Tab3: the ratio MSE(wide)/MSE(deep)


def _tab3_check(monkeypatch, ratio: float, sigma: float, seeds: int = SEEDS_OK, balanced: bool = False):
    """Deep models' MSE 0.05, wide ones' 0.05·ratio, times log-normal noise; ``balanced``: the same symmetric
    spread (−σ … σ over the seeds) for both shapes, so the ratio of the seed means is ``ratio`` exactly."""
    monkeypatch.setitem(
        T.SETUPS["quick"], "allocation", dict(budgets={16: (1, 2, 4), 256: (1, 2, 4)}, fixed_params=(16,), seeds=seeds)
    )
    monkeypatch.setitem(T.SETUPS["quick"], "tab3", dict(D0s=(16,)))  # budget 256 = 16 * 1 * 16: (16, 16) vs (1, 256)

    def mse(L, D, task, s):
        z = (2 * s / (seeds - 1) - 1) if balanced else _noise(L, D, s)
        return 0.05 * (ratio if L == 1 else 1.0) * math.exp(sigma * z)

    _fake_shape_rows(monkeypatch, mse)
    return T.check_tab3(_ctx())


def test_tab3_rule_confirms_a_fourfold_ratio(monkeypatch, few_boot):
    v = _tab3_check(monkeypatch, 4.0, sigma=0.05)
    lo, hi = v.evidence["interval"]
    assert v.status == "confirmed" and lo <= 4 <= hi and hi / lo <= T.TAB3_MAX_SPAN, v.reason
    assert v.evidence["deep"]["shape"] == [16, 16] and v.evidence["wide"]["shape"] == [1, 256]
    assert v.evidence["direction"] == "deep beats wide"
    assert v.evidence["params"] == {
        "deep": transformer_param_count(16, 16, d_in=5).total,
        "wide": transformer_param_count(1, 256, d_in=5).total,
    }


def test_tab3_rule_a_ratio_that_moves_with_N_decides_nothing(monkeypatch, few_boot):
    """R = 0.5 at N = 64 and 8 at N = 256 (what the CPU sweeps measure): each budget alone would refute 4×,
    but the ratio has not settled, so its value at the summary's N = 2e6 is not determined."""
    monkeypatch.setitem(T.SETUPS["quick"], "allocation", dict(budgets={16: (1, 2, 4)}, fixed_params=(16,), seeds=5))
    monkeypatch.setitem(T.SETUPS["quick"], "tab3", dict(D0s=(4, 16)))

    def mse(L, D, task, s):
        ratio = {64: 0.5, 256: 8.0}[D] if L == 1 else 1.0
        return 0.05 * ratio * math.exp(0.05 * _noise(L, D, s))

    _fake_shape_rows(monkeypatch, mse)
    v = T.check_tab3(_ctx())
    assert v.status == "inconclusive" and "still changes with N" in v.reason
    assert [b["N"] for b in v.evidence["by_budget"]] == [64, 256]
    assert v.evidence["by_budget"][0]["ratio"] < 1 < 4 < v.evidence["by_budget"][1]["ratio"]
    assert v.evidence["direction"] == "deep beats wide"


def test_tab3_rule_refutes_equal_errors(monkeypatch, few_boot):
    v = _tab3_check(monkeypatch, 1.0, sigma=0.05)
    assert v.status == "refuted" and v.evidence["direction"] == "neither shape is better within the interval", v.reason
    v = _tab3_check(monkeypatch, 0.25, sigma=0.05)
    assert v.status == "refuted" and v.evidence["direction"] == "wide beats deep"


def test_tab3_rule_is_inconclusive_when_the_interval_spans_too_much(monkeypatch, few_boot):
    v = _tab3_check(monkeypatch, 4.0, sigma=0.8)
    lo, hi = v.evidence["interval"]
    assert v.status == "inconclusive" and lo <= 4 <= hi and hi / lo > T.TAB3_MAX_SPAN, v.reason


def test_tab3_rule_seed_guard_says_what_the_verdict_would_have_been(monkeypatch, few_boot):
    v = _tab3_check(monkeypatch, 4.0, sigma=0.05, seeds=3, balanced=True)
    assert v.evidence["ratio"] == pytest.approx(4.0, rel=1e-12)
    assert v.status == "inconclusive" and v.evidence["rule_status"] == "confirmed"
    assert "would be confirmed" in v.reason and "only 3 seeds per point (< 5)" in v.reason
    v = _tab3_check(monkeypatch, 1.0, sigma=0.05, seeds=3, balanced=True)
    assert v.status == "inconclusive" and v.evidence["rule_status"] == "refuted" and "would be refuted" in v.reason
    # with enough seeds the same data decide
    assert _tab3_check(monkeypatch, 4.0, sigma=0.05, seeds=SEEDS_OK, balanced=True).status == "confirmed"


# ---------------------------------------------------------------------------------------------------
# P3: the transition, through fit_transition at each (h, k); the per-h verdicts combined


P3_WIDTHS = tuple(2**j for j in range(1, 13))  # N = 2 .. 4096 at L = 1
P3_HS = (1, 2)


def _p3_check(
    monkeypatch,
    slope: float | dict[int, float],
    width_mse: float | dict[int, float],
    width_success: float = 0.1,
    sigma: float = 0.02,
    offset: float | dict[int, float] = 0.0,
    seeds: int = SEEDS_OK,
    height: float = 1.0,
):
    """Scores logistic in log10 N around log10 N_c = log10 16 + offset + slope (log10 k - log10 2) at each h
    (a number: the same at h = 1 and h = 2; a dict: per h)."""

    def at(value, h):
        return value[h] if isinstance(value, dict) else value

    monkeypatch.setitem(
        T.SETUPS["quick"],
        "transition",
        dict(
            steps=10,
            lr=0.01,
            L=1,
            seeds=seeds,
            hs=P3_HS,
            ks={h: (2, 4) for h in P3_HS},
            widths={h: P3_WIDTHS for h in P3_HS},
        ),
    )

    def transition_rows(protocol, *, k, h, shapes, seeds, device="auto", cache=None, progress=None):
        centre = math.log10(16) + at(offset, h) + at(slope, h) * (math.log10(k) - math.log10(2))
        rows = []
        for L, D in shapes:
            x = math.log10(L * D)
            for s in seeds:
                rows.append(
                    {
                        "L": L,
                        "D": D,
                        "N": L * D,
                        "seed": s,
                        "k": k,
                        "h": h,
                        "score_mse": float(logistic(x, 0.95 * height, centre, at(width_mse, h)))
                        + sigma * _noise(L, D, s, k, h, 1),
                        "score_success": float(logistic(x, 0.9 * height, centre, width_success))
                        + sigma * _noise(L, D, s, k, h, 2),
                    }
                )
        return rows

    monkeypatch.setattr(transition, "transition_rows", transition_rows)
    return T.check_transition(_ctx())


@pytest.fixture
def p3_boot(monkeypatch):
    monkeypatch.setitem(T.N_BOOT, "quick", 60)


RIGHT = {1: 4.0, 2: 6.0}  # 2(h+1)


def test_transition_rule_confirms_sharp_transitions_at_k_to_the_2h_plus_2_at_both_h(monkeypatch, p3_boot):
    v = _p3_check(monkeypatch, slope=RIGHT, width_mse=0.1)
    assert v.status == "confirmed", v.reason
    for h, predicted in RIGHT.items():
        ph = v.evidence["per_h"][str(h)]
        lo, hi = ph["interval"]
        assert ph["status"] == "confirmed" and ph["predicted"] == predicted and lo <= predicted <= hi
        assert hi - lo <= T.P3_MAX_WIDTH and ph["measured"] == pytest.approx(predicted, abs=0.3)
        assert ph["sharpness"] == "sharp in both metrics" and f"h = {h}: N_c ∝ k^" in v.reason
        for k in (2, 4):
            pk = ph["per_k"][str(k)]
            assert pk["predicted_N_c_unit_prefactor"] == (k * h) ** predicted
            assert pk["continuous"]["rise_10_90_decades"] == pytest.approx(0.1 * 2 * math.log(9), rel=0.2)
    for k in (2, 4):  # h = 1 built with unit prefactor
        assert v.evidence["per_h"]["1"]["per_k"][str(k)]["log10_measured_over_predicted"] == pytest.approx(0, abs=0.05)
    diff = v.evidence["between_h"]["difference"]
    assert diff["predicted"] == 2 and diff["contains_predicted"] and diff["differs_from_0"], diff
    assert diff["measured"] == pytest.approx(2.0, abs=0.4) and "changes with h" in v.reason


@pytest.mark.parametrize("wrong_h", [1, 2])
def test_transition_rule_a_false_exponent_at_either_h_refutes_the_claim(monkeypatch, p3_boot, wrong_h):
    """N_c ∝ k at one h (the other h as predicted): that h is refuted, and so is the claim."""
    v = _p3_check(monkeypatch, slope={**RIGHT, wrong_h: 1.0}, width_mse=0.1)
    other = 3 - wrong_h
    assert v.status == "refuted", v.reason
    assert v.evidence["per_h"][str(wrong_h)]["status"] == "refuted"
    assert v.evidence["per_h"][str(other)]["status"] == "confirmed"
    assert v.evidence["per_h"][str(wrong_h)]["measured"] == pytest.approx(1.0, abs=0.2)
    assert f"refuted at h = {wrong_h}: " in v.reason and f"confirmed at h = {other}: " in v.reason


def test_transition_rule_the_same_exponent_at_both_h_is_refuted_and_shows_no_change_with_h(monkeypatch, p3_boot):
    """The slope 4 at both h: right at h = 1, wrong at h = 2 (predicted 6); the difference is 0, not 2."""
    v = _p3_check(monkeypatch, slope=4.0, width_mse=0.1)
    assert v.status == "refuted" and v.evidence["per_h"]["2"]["status"] == "refuted", v.reason
    diff = v.evidence["between_h"]["difference"]
    assert not diff["differs_from_0"] and not diff["contains_predicted"] and "does not measurably change" in v.reason


def test_transition_rule_confirmed_at_one_h_only_is_inconclusive(monkeypatch, p3_boot):
    """Right exponents, but the continuous metric is gradual at h = 2: h = 2 is inconclusive, so is the claim."""
    v = _p3_check(monkeypatch, slope=RIGHT, width_mse={1: 0.1, 2: 0.4}, sigma=0.005)
    assert v.status == "inconclusive", v.reason
    one, two = v.evidence["per_h"]["1"], v.evidence["per_h"]["2"]
    assert one["status"] == "confirmed" and two["status"] == "inconclusive"
    lo, hi = two["interval"]
    assert lo <= 6 <= hi and hi - lo <= T.P3_MAX_WIDTH  # the slope alone would confirm
    assert two["sharpness"] == "sharp only in the thresholded metric"
    assert all(not s["continuous"] and s["thresholded"] for s in two["sharp"].values())


def test_transition_rule_seed_guard(monkeypatch, p3_boot):
    v = _p3_check(monkeypatch, slope=RIGHT, width_mse=0.1, seeds=T.MIN_SEEDS - 2)
    assert v.status == "inconclusive" and v.evidence["rule_status"] in ("confirmed", "refuted")
    assert f"would be {v.evidence['rule_status']}" in v.reason
    assert f"only {T.MIN_SEEDS - 2} seeds" in v.reason and v.evidence["seeds"] == list(range(T.MIN_SEEDS - 2))


def test_transition_rule_a_transition_outside_the_sweep_is_not_located(monkeypatch, p3_boot):
    # h = 2 centres at 10^4.7 and 10^6.5, beyond the largest N = 4096; h = 1 as predicted
    v = _p3_check(monkeypatch, slope=RIGHT, width_mse=0.1, offset={1: 0.0, 2: 3.5})
    assert v.status == "inconclusive", v.reason
    two = v.evidence["per_h"]["2"]
    assert two["status"] == "inconclusive" and any("h = 2" in g and "not located" in g for g in two["guards"])
    assert v.evidence["per_h"]["1"]["status"] == "confirmed"


def test_transition_rule_a_refutation_at_one_h_stands_when_the_other_h_is_not_located(monkeypatch, p3_boot):
    v = _p3_check(monkeypatch, slope={1: 1.0, 2: 6.0}, width_mse=0.1, offset={1: 0.0, 2: 3.5})
    assert v.status == "refuted", v.reason
    assert v.evidence["per_h"]["2"]["status"] == "inconclusive" and v.evidence["per_h"]["1"]["status"] == "refuted"


def test_transition_rule_a_low_rise_is_not_a_transition(monkeypatch, p3_boot):
    """Scores that rise to 0.15 (what the foot of a transition beyond the sweep looks like): the slope and
    sharpness alone would confirm, but the rule demands the rise reach MIN_HEIGHT."""
    v = _p3_check(monkeypatch, slope=RIGHT, width_mse=0.1, sigma=0.002, height=0.15 / 0.95)
    assert v.status == "inconclusive", v.reason
    for h in P3_HS:
        ph = v.evidence["per_h"][str(h)]
        assert ph["status"] == "inconclusive" and ph["rule_status"] == "confirmed", ph["reason"]
        assert any("rises only to 0.15" in g for g in ph["guards"]), ph["guards"]
    assert v.evidence["min_height"] == T.MIN_HEIGHT


def test_transition_evidence_feeds_the_forest_plot_one_row_per_h_and_the_difference(monkeypatch, p3_boot):
    from iclverify.report.forest import quantities

    v = _p3_check(monkeypatch, slope={1: 1.0, 2: 6.0}, width_mse=0.1)
    rows = {q.label: q for q in quantities("mehta-gupta.P3.sigmoid", v.status, dict(v.evidence))}
    assert set(rows) == {"per_h.1", "per_h.2", "between_h.difference"}
    assert (rows["per_h.1"].predicted, rows["per_h.2"].predicted, rows["between_h.difference"].predicted) == (4, 6, 2)
    assert rows["per_h.1"].interval is not None and rows["per_h.1"].measured == pytest.approx(1.0, abs=0.2)


# ---------------------------------------------------------------------------------------------------
# every check's real code path at tiny sizes


@pytest.fixture
def tiny(monkeypatch):
    quick = T.SETUPS["quick"]
    monkeypatch.setitem(
        quick, "eta", dict(cells=[(1, 2), (2, 2), (1, 3), (2, 3)], seeds=2, steps=40, lr=0.02, test_contexts=128)
    )
    monkeypatch.setitem(quick, "gpt", dict(steps=8, lr=0.01, test_contexts=128, batch_size=16))
    monkeypatch.setitem(
        quick, "size", dict(depths={"linear": (1, 2, 3), "sparse-linear": (1, 2, 3)}, ratio=2, s=1, seeds=2)
    )
    monkeypatch.setitem(quick, "allocation", dict(budgets={16: (1, 2, 4), 32: (1, 2, 4)}, fixed_params=(16,), seeds=2))
    monkeypatch.setitem(quick, "tab3", dict(D0s=(2,)))
    monkeypatch.setitem(
        quick,
        "transition",
        dict(
            steps=8,
            lr=0.01,
            L=1,
            seeds=2,
            hs=(1, 2),
            ks={1: (2, 4), 2: (2, 3)},
            widths={1: (2, 3, 4, 8), 2: (2, 4, 6, 8)},
        ),
    )
    monkeypatch.setitem(T.N_BOOT, "quick", 20)


def _sizes_recorded(claim: str, ev: dict) -> None:
    """What each check's evidence must say about the sizes it ran, derived from the tiny setup."""
    if claim.endswith("T1b.measured-exponent"):
        for task in ("linear", "sparse-linear"):
            t = ev["tasks"][task]
            assert t["N_range"] == [2, 2 * 3**2] and len(t["points"]) == 3 * 2
            assert {p["params"] for p in t["points"]} == {
                transformer_param_count(L, 2 * L, d_in=5).total for L in (1, 2, 3)
            }
    elif claim.endswith("T2.eta-measured"):
        assert len(ev["models"]) == 4 * 2 and {(m["L"], m["d"]) for m in ev["models"]} == {
            (1, 2),
            (2, 2),
            (1, 3),
            (2, 3),
        }
        assert ev["parametrisation"]["p_L"] == pytest.approx(-0.5, abs=1e-9) and ev["parametrisation"][
            "p_d"
        ] == pytest.approx(-0.5, abs=1e-9)
    elif claim.endswith("A.measured-allocation"):
        assert set(ev["optima"]) == {"16", "32"} and set(ev["mean_mse"]["16"]) == {"1x16", "2x8", "4x4"}
        assert ev["fixed_parameter_budget"][str(12 * 16**2)]["shapes"] == [[1, 16], [4, 8], [16, 4]]
    elif claim.endswith("Tab3.depth-beats-width"):
        assert ev["deep"]["shape"] == [16, 2] and ev["wide"]["shape"] == [1, 32] and len(ev["deep"]["mse"]) == 2
    elif claim.endswith("P3.sigmoid"):
        one, two = ev["per_h"]["1"], ev["per_h"]["2"]
        assert set(one["per_k"]) == {"2", "4"} and set(two["per_k"]) == {"2", "3"}
        assert [one["per_k"][k]["predicted_N_c_unit_prefactor"] for k in ("2", "4")] == [16, 256]
        assert [two["per_k"][k]["predicted_N_c_unit_prefactor"] for k in ("2", "3")] == [4**6, 6**6]
        assert set(one["per_k"]["2"]["mean_scores_mse_success"]) == {"2", "3", "4", "8"}
        assert set(two["per_k"]["3"]["mean_scores_mse_success"]) == {"2", "4", "6", "8"}
        assert (one["predicted"], two["predicted"], ev["between_h"]["difference"]["predicted"]) == (4, 6, 2)
    else:
        raise AssertionError(f"no size expectations for {claim}")


@pytest.mark.parametrize("claim", [c.id for c in T.CLAIMS])
def test_every_check_runs_and_is_served_again_from_the_cache(tiny, cache, monkeypatch, claim):
    check = get_claim(claim).check
    verdict = check(_ctx(cache))
    assert verdict.reason
    ev = dict(verdict.evidence)
    text = json.dumps(ev, sort_keys=True)  # JSON-serialisable as it stands
    assert ev["seeds"] == [0, 1]
    assert "out of reach on CPU" in ev["scale"] and "out of reach on CPU" in verdict.reason
    # 2 seeds per point: below MIN_SEEDS, so nothing can be decided
    assert verdict.status == "inconclusive"
    assert any("only 2 seeds" in g for g in ev["guards"])
    _sizes_recorded(claim, ev)

    from iclverify.empirics.training import ensemble

    def no_training(*args, **kwargs):
        raise AssertionError("trained again although every ensemble is in the cache")

    monkeypatch.setattr(ensemble, "_train", no_training)
    again = check(_ctx(cache))
    assert again.status == verdict.status and again.reason == verdict.reason
    assert json.dumps(dict(again.evidence), sort_keys=True) == text
