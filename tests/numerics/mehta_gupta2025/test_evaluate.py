"""Numbers for Mehta & Gupta: parameter counts, allocations, critical scales, the step-count model."""

from __future__ import annotations

import math

import mpmath
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from iclverify.numerics.mehta_gupta2025 import evaluate as nmg
from iclverify.runtime.errors import ParameterError


@pytest.mark.parametrize("d", [8, 64, 96])
def test_block_count_matches_torch_transformer_layer(d):
    """Independent count: torch's encoder layer (QKV + out projection, 4d MLP, two LayerNorms)."""
    torch = pytest.importorskip("torch")
    layer = torch.nn.TransformerEncoderLayer(d_model=d, nhead=1, dim_feedforward=4 * d)
    assert (
        sum(p.numel() for p in layer.parameters()) == nmg.transformer_param_count(1, d).per_block == 12 * d * d + 13 * d
    )


def test_table3_counts():
    deep, wide = nmg.transformer_param_count(64, 31250), nmg.transformer_param_count(4, 500000)
    assert deep.N == wide.N == 2_000_000
    assert (deep.blocks_leading, wide.blocks_leading) == (750_000_000_000, 12_000_000_000_000)
    assert deep.total > deep.blocks_leading and deep.total / deep.blocks_leading - 1 < 1e-4


def test_critical_scale_values():
    assert int(nmg.critical_scale_value(20, 2).exact) == 40**6  # ≈ 4.1e9, the summary's "≈ 4×10^9"
    c = nmg.critical_scale_value("2", "1/3")
    assert not c.is_integer and c.value == pytest.approx((2 / 3) ** (8 / 3), rel=1e-25)
    assert nmg.critical_scale_value(5, 0).value == 0
    with pytest.raises(ParameterError):
        nmg.critical_scale_value(0, 1)


@given(a=st.floats(0.2, 3), b=st.floats(0.2, 3), ratio=st.floats(0.1, 10), logN=st.floats(3, 9))
def test_allocation_value_is_the_minimum(a, b, ratio, logN):
    N = 10**logN
    v = nmg.allocation_value(repr(N), a=repr(a), b=repr(b), ratio=repr(ratio))
    L = float(v.L_star)
    res = minimize_scalar(
        lambda x: ratio * math.exp(-a * x) + (N * math.exp(-x)) ** -b,
        bracket=(math.log(L) - 1, math.log(L) + 1),
        tol=1e-12,
    )
    assert math.exp(res.x) == pytest.approx(L, rel=1e-5)
    assert float(v.N) == pytest.approx(N, rel=1e-20)


def test_allocation_parameter_budget_and_stated_pair():
    v = nmg.allocation_value(10**9, budget="12ld2")
    assert float(v.P_leading) == pytest.approx(1e9, rel=1e-25)
    assert (str(v.exponent_L), str(v.exponent_d), v.stated_pair) == ("1/2", "1/4", False)
    assert nmg.allocation_value(10**6).stated_pair and not nmg.allocation_value(10**6, b=1).stated_pair
    with pytest.raises(ParameterError):
        nmg.allocation_value(10**6, budget="P")


def test_steps_model_closed_form_and_slope():
    """b = 1 has u = log(kappa sqrt(N)/B); finite differences of log L* reproduce the derived slope."""
    for N in (10**4, 10**8):
        r = nmg.steps_model_optimum(N, b=1, kappa=2, B="0.5")
        assert r.u == pytest.approx(mpmath.log(2 * mpmath.sqrt(N) / mpmath.mpf("0.5")), rel=1e-25)
    for b in (0.5, 2, 5):
        r1, r2 = nmg.steps_model_optimum(10**8, b=b), nmg.steps_model_optimum(10**8 * 1.0001, b=b)
        fd = (mpmath.log(r2.L_star) - mpmath.log(r1.L_star)) / mpmath.log(1.0001)
        assert float(fd) == pytest.approx(float(r1.slope), abs=1e-4)
        assert r1.slope > 0.5 and r1.beats_boundary


def test_steps_model_without_minimum():
    assert nmg.steps_model_optimum(10, b="0.5", B=100) is None


def test_configurations_cover_the_summary():
    rows = {r["name"]: r for r in nmg.configurations()}
    assert rows["tab3_deep"]["eta_eff"] == rows["tab3_wide"]["eta_eff"] == pytest.approx(2e6**-0.5)
    assert {"sweep N=1e+05", "sweep N=1e+06", "sweep N=1e+07"} <= set(rows)


@pytest.mark.parametrize("bad", [{"L": 0, "d": 4}, {"L": 2, "d": 1.5}, {"L": True, "d": 4}])
def test_param_count_rejects_bad_shapes(bad):
    with pytest.raises(ParameterError):
        nmg.transformer_param_count(**bad)
