"""The torch models: what each computes, checked against independent formulas and the other layers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

from iclverify.empirics.montecarlo.features import context_features, predict  # noqa: E402
from iclverify.empirics.montecarlo.sampling import sample_contexts  # noqa: E402
from iclverify.empirics.training.gd_construction import gd_layers, gd_predict, implied_step  # noqa: E402
from iclverify.empirics.training.models import (  # noqa: E402
    MODEL_NAMES,
    GammaModel,
    LinearAttention,
    build_model,
    initialise,
    parameter_count,
    tokens,
)
from iclverify.runtime.errors import ParameterError  # noqa: E402
from iclverify.runtime.seeding import rng, torch_generator  # noqa: E402

F64 = torch.float64  # exact comparisons run in double precision


def _batch(seed: int, *, b: int = 5, ell: int = 6, d: int = 4):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(b, ell + 1, d, generator=g, dtype=F64), torch.randn(b, ell, generator=g, dtype=F64)


def _model(name: str, d: int, layers: int = 1, seed: int = 0):
    return initialise(build_model(name, d, layers=layers).double(), torch_generator(seed, "init"))


def test_tokens_put_a_zero_label_on_the_query():
    x, y = _batch(0)
    z = tokens(x, y)
    assert z.shape == (5, 7, 5)
    assert torch.equal(z[:, :-1, -1], y) and torch.equal(z[:, :, :-1], x)
    assert torch.count_nonzero(z[:, -1, -1]) == 0


@settings(deadline=None, max_examples=15)
@given(
    st.sampled_from([("gamma", 1), ("linear", 1), ("linear", 3), ("softmax", 1), ("transformer", 2)]),
    st.integers(0, 2**16),
)
def test_no_model_depends_on_the_order_of_the_context(arch, seed):
    name, layers = arch
    model = _model(name, 4, layers, seed)
    x, y = _batch(seed)
    perm = torch.randperm(6, generator=torch.Generator().manual_seed(seed + 1))
    x2 = torch.cat([x[:, perm], x[:, -1:]], dim=1)
    with torch.no_grad():
        assert torch.allclose(model(x, y), model(x2, y[:, perm]), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_models_read_the_query(name):
    model = _model(name, 4, 1, 3)
    if name == "gamma":
        torch.nn.init.normal_(model.gamma, generator=torch.Generator().manual_seed(1))  # Γ starts at 0
    x, y = _batch(1)
    x2 = x.clone()
    x2[:, -1] += 1.0
    with torch.no_grad():
        assert not torch.allclose(model(x, y), model(x2, y))


def test_gamma_model_agrees_with_the_monte_carlo_layer():
    d, ell = 5, 7
    ctx = sample_contexts(rng(0, "t"), d=d, ell=ell, n=9, rho=0.1)
    gamma = rng(1, "g").standard_normal((d, d + 1))
    model = GammaModel(d).double()
    model.gamma.data = torch.tensor(gamma)
    ours = model(torch.tensor(ctx.x), torch.tensor(ctx.y[:, :-1])).detach().numpy()
    np.testing.assert_allclose(ours, predict(gamma, context_features(ctx)), rtol=1e-12, atol=1e-12)


@settings(deadline=None, max_examples=25)
@given(st.integers(0, 2**16), st.integers(2, 6))
def test_one_layer_linear_attention_is_its_effective_gamma_plus_a_label_free_term(seed, d):
    """ŷ = ⟨Γ_eff, H_Z⟩ − (1/ℓ) v_xᵀ (Σ x_i x_iᵀ) A_xx x_q, an independent expansion of the bilinear form."""
    model = _model("linear", d, 1, seed)
    x, y = _batch(seed, d=d)
    ell = y.shape[1]
    layer = model.layers[0]
    a = layer.key.weight.T @ layer.query.weight
    v_x = layer.value.weight[d, :d]
    label_free = -torch.einsum("d,bid,bie,ef,bf->b", v_x, x[:, :-1], x[:, :-1], a[:d, :d], x[:, -1]) / ell
    reduced = GammaModel(d).double()
    reduced.gamma.data = model.effective_gamma()
    with torch.no_grad():
        assert torch.allclose(model(x, y), reduced(x, y) + label_free, rtol=1e-10, atol=1e-12)
        layer.value.weight[d, :d] = 0.0  # v_x = 0: exactly the Γ model
        reduced.gamma.data = model.effective_gamma()
        assert torch.allclose(model(x, y), reduced(x, y), rtol=1e-10, atol=1e-12)


def test_linear_attention_with_weights_from_gamma_is_the_gamma_model():
    """The paper's reduction, through the Monte Carlo layer's weights (its read-out is +y, ours −y)."""
    from iclverify.empirics.training.attention_check import weights_from_gamma

    d = 4
    gamma = rng(2, "g").standard_normal((d, d + 1))
    wq, wk, wv = weights_from_gamma(gamma)
    model = LinearAttention(d).double()
    model.set_layer_weights([{"K": wk, "Q": wq, "V": -wv}])
    reduced = GammaModel(d).double()
    reduced.gamma.data = torch.tensor(gamma)
    x, y = _batch(4, d=d)
    with torch.no_grad():
        assert torch.allclose(model(x, y), reduced(x, y), rtol=1e-12, atol=1e-12)
    assert np.allclose(model.effective_gamma().numpy(), gamma)


@pytest.mark.parametrize("layers", [1, 2, 4])
def test_stacked_linear_attention_runs_the_gd_construction(layers):
    """With the Mehta–Gupta scales, weights from gd_construction make the forward pass L GD steps."""
    d, etas = 3, [0.4, 0.3, 0.2, 0.1][:layers]
    model = build_model("linear", d, layers=layers, scaling="mehta-gupta").double()
    built = gd_layers(d_x=d, etas=etas, attn_scale=model.attn_scale, residual_scale=model.residual_scale)
    model.set_layer_weights([{"K": lay.W_K, "Q": lay.W_Q, "V": lay.W_V} for lay in built])
    x, y = _batch(5, d=d, ell=12)
    with torch.no_grad():
        ours = model(x, y).numpy()
    np.testing.assert_allclose(
        ours, gd_predict(x[:, :-1].numpy(), y.numpy(), x[:, -1].numpy(), etas), rtol=1e-10, atol=1e-12
    )
    for w, eta in zip(model.layer_weights(), etas):
        step = implied_step(
            W_K=w["K"], W_Q=w["Q"], W_V=w["V"], d_x=d, attn_scale=model.attn_scale, residual_scale=model.residual_scale
        )
        assert step.eta == pytest.approx(eta, rel=1e-12)
    states = model.states(x, y)
    assert len(states) == layers + 1 and torch.allclose(-states[-1][:, -1, -1], model(x, y))


def test_mehta_gupta_scales():
    model = build_model("linear", 15, layers=4, scaling="mehta-gupta")
    assert model.attn_scale == pytest.approx(1 / 4) and model.residual_scale == pytest.approx(1 / 2)


@pytest.mark.parametrize(
    "name,layers,count",
    [
        ("gamma", 1, lambda w: (w - 1) * w),
        ("linear", 2, lambda w: 2 * 3 * w * w),
        ("softmax", 1, lambda w: 3 * w * w + w),
        ("transformer", 3, lambda w: 3 * (3 * w * w + 2 * (w * w + w) + 4 * w) + 2 * w + w),
    ],
)
def test_parameter_counts(name, layers, count):
    d = 7
    assert parameter_count(build_model(name, d, layers=layers)) == count(d + 1)


def test_initialisation_is_reproducible_and_seeded():
    a = initialise(build_model("transformer", 4, layers=2), torch_generator(0, "init"))
    b = initialise(build_model("transformer", 4, layers=2), torch_generator(0, "init"))
    c = initialise(build_model("transformer", 4, layers=2), torch_generator(1, "init"))
    sa, sb, sc = a.state_dict(), b.state_dict(), c.state_dict()
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert not all(torch.equal(sa[k], sc[k]) for k in sa)
    w = a.blocks[0].attn.query.weight.detach()
    assert float(w.std()) == pytest.approx(1 / math.sqrt(5), rel=0.5)


@pytest.mark.parametrize(
    "args,match",
    [
        (("bert", 4), "model must be one of"),
        (("linear", 0), "d must be"),
        (("linear", 4, {"layers": 0}), "layers must be"),
        (("gamma", 4, {"layers": 2}), "exactly one layer"),
        (("softmax", 4, {"scaling": "mehta-gupta"}), "linear model only"),
        (("linear", 4, {"scaling": "huge"}), "scaling must be"),
    ],
)
def test_bad_models_are_refused(args, match):
    kwargs = args[2] if len(args) > 2 else {}
    with pytest.raises(ParameterError, match=match):
        build_model(args[0], args[1], **kwargs)


def test_set_layer_weights_checks_the_depth():
    with pytest.raises(ParameterError, match="the model has 2"):
        LinearAttention(3, 2).set_layer_weights([{"K": np.eye(4), "Q": np.eye(4), "V": np.eye(4)}])
    with pytest.raises(ParameterError, match="one layer"):
        LinearAttention(3, 2).effective_gamma()
