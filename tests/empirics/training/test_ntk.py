"""The empirical NTK Gram matrix: exact on a linear model, equal to an independent per-input autograd
computation on a nonlinear one, the same for an ensemble member as for the standalone model with its
weights, and bit-reproducible in float64."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from iclverify.empirics.training import ntk  # noqa: E402
from iclverify.empirics.training.ensemble import EnsembleConfig, build_ensemble  # noqa: E402
from iclverify.empirics.training.models import LinearAttention  # noqa: E402
from iclverify.runtime.errors import ParameterError  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.mark.parametrize(("n", "p"), [(1, 1), (3, 5), (7, 4)])
def test_linear_model_ntk_is_X_Xt_exactly(n, p):
    g = torch.Generator().manual_seed(n * 10 + p)
    X = torch.randn(n, p, generator=g, dtype=torch.float64)
    lin = torch.nn.Linear(p, 1, bias=False).double()
    fn, theta = ntk.model_function(lin)
    assert torch.equal(ntk.ntk_gram(fn, theta, X, chunk=2), X @ X.T)


def test_nonlinear_model_matches_per_input_autograd():
    g = torch.Generator().manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 6), torch.nn.Tanh(), torch.nn.Linear(6, 1)).double()
    X = torch.randn(5, 3, generator=g, dtype=torch.float64)
    fn, theta = ntk.model_function(net)
    H = ntk.ntk_gram(fn, theta, X, chunk=3)
    rows = []
    for x in X:  # the reference: one backward pass per input, parameters flattened in the module's order
        out = net(x[None]).sum()
        rows.append(torch.cat([gr.reshape(-1) for gr in torch.autograd.grad(out, list(net.parameters()))]))
    J = torch.stack(rows)
    torch.testing.assert_close(H, J @ J.T, rtol=1e-13, atol=1e-13)
    s = ntk.spectrum(H)
    assert 0 < s["lambda_min"] <= s["trace_over_n"] <= s["lambda_max"]


def test_ensemble_member_equals_standalone_linear_attention():
    """A member of the stacked linear-attention ensemble has the NTK of a LinearAttention with its weights (the
    two parametrise the same function with differently laid out parameters; an NTK does not see the layout)."""
    cfg = EnsembleConfig(model="lsa", layers=2, d=3, ell=5, seeds=(4, 9), dtype="float64")
    ens = build_ensemble(cfg)
    g = torch.Generator().manual_seed(1)
    x, y = torch.randn(6, 6, 3, generator=g, dtype=torch.float64), torch.randn(6, 5, generator=g, dtype=torch.float64)
    for e in range(2):
        fn, theta = ntk.member_function(ens, e)
        H_member = ntk.ntk_gram(fn, theta, x, y)
        single = LinearAttention(3, 2, scaling="mehta-gupta").double()
        single.set_layer_weights(ens.member_weights(e))
        fs, ts = ntk.model_function(single)
        torch.testing.assert_close(H_member, ntk.ntk_gram(fs, ts, x, y), rtol=1e-12, atol=1e-12)
        with torch.no_grad():
            torch.testing.assert_close(fn(theta, x[0], y[0]), single(x[:1], y[:1])[0])


def test_float64_ntk_is_bit_reproducible_from_the_seed():
    cfg = EnsembleConfig(model="gpt", layers=1, width=4, seeds=(3,), dtype="float64")
    g = torch.Generator().manual_seed(2)
    x, y = torch.randn(4, 9, 4, generator=g, dtype=torch.float64), torch.randn(4, 8, generator=g, dtype=torch.float64)
    first, second = (ntk.ntk_gram(*ntk.member_function(build_ensemble(cfg), 0), x, y) for _ in range(2))
    assert torch.equal(first, second)
    other = ntk.ntk_gram(*ntk.member_function(build_ensemble(cfg.replace(seeds=(4,))), 0), x, y)
    assert not torch.equal(first, other)  # another seed, another initialisation, another kernel


def test_spectrum_of_a_known_matrix_and_bad_input():
    s = ntk.spectrum(torch.diag(torch.tensor([4.0, 1.0, 2.0], dtype=torch.float64)))
    assert (s["lambda_min"], s["lambda_max"], s["condition"], s["n"]) == (1.0, 4.0, 4.0, 3)
    assert ntk.spectrum(torch.zeros(2, 2))["condition"] == float("inf")
    with pytest.raises(ParameterError, match="square"):
        ntk.spectrum(torch.zeros(2, 3))
    ens = build_ensemble(EnsembleConfig(model="lsa", d=2, ell=3, seeds=(0,), dtype="float64"))
    with pytest.raises(ParameterError, match="member"):
        ntk.member_function(ens, 1)
    fn, theta = ntk.member_function(ens, 0)
    with pytest.raises(ParameterError, match="same number"):
        ntk.ntk_gram(fn, theta, torch.zeros(2, 4, 2, dtype=torch.float64), torch.zeros(3, 3, dtype=torch.float64))


def test_fan_in_scales_give_the_kernel_of_the_reparametrised_network():
    """gram(J, 1/fan_in) is the NTK in ω of the same network written W = ω/√fan_in: computed here directly."""
    cfg = EnsembleConfig(model="gpt", layers=1, width=4, seeds=(5,), dtype="float64")
    fn, theta = ntk.member_function(build_ensemble(cfg), 0)
    scales = ntk.fan_in_scales(theta)
    assert scales["params.w_in"] == 1 / 5 and scales["params.w_2"] == 1 / 16 and scales["params.w_out"] == 1 / 4
    assert len(scales) == 6 and "params.b_1" not in scales
    sigma = {k: scales.get(k, 1.0) ** 0.5 for k in theta}

    def in_omega(omega, x, y):
        return fn({k: v * sigma[k] for k, v in omega.items()}, x, y)

    omega = {k: v / sigma[k] for k, v in theta.items()}
    g = torch.Generator().manual_seed(3)
    x, y = torch.randn(5, 9, 4, generator=g, dtype=torch.float64), torch.randn(5, 8, generator=g, dtype=torch.float64)
    J = ntk.jacobian(fn, theta, x, y)
    torch.testing.assert_close(ntk.gram(J, scales), ntk.ntk_gram(in_omega, omega, x, y), rtol=1e-12, atol=1e-12)
    with pytest.raises(ParameterError, match="does not have"):
        ntk.gram(J, {"nope": 1.0})
