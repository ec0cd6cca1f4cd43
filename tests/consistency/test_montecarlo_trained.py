"""Monte Carlo <-> trained models: the Monte Carlo layer's ridge solution Gamma* is the minimiser of the very
objective the torch training loop optimises (same data, matched ridge), at random small problems.

Two certificates that do not depend on how far an optimiser got: (i) the gradient of the training objective
vanishes at Gamma*; (ii) the objective is (2 lam/d)-strongly convex, so a trained Gamma lies within
|grad f(Gamma)| / (2 lam/d) of the minimiser, and Gamma* must be inside that ball.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

from iclverify.empirics.montecarlo.reduced_model import RidgeGamma, context_features  # noqa: E402
from iclverify.empirics.training.models import GammaModel  # noqa: E402
from iclverify.empirics.training.train import TrainConfig, draw_samples, train_model  # noqa: E402


def _objective_gradient(
    gamma: np.ndarray, cfg: TrainConfig, x: torch.Tensor, y: torch.Tensor, target: torch.Tensor
) -> np.ndarray:
    """Gradient of mean (yhat - y)^2 + (lam/d) |Gamma|^2, the loss train() minimises for the Gamma model."""
    model = GammaModel(cfg.d).double()
    with torch.no_grad():
        model.gamma.copy_(torch.as_tensor(gamma))
    loss = torch.mean((model(x, y) - target) ** 2) + (cfg.ridge / cfg.d) * (model.gamma**2).sum()
    loss.backward()
    return model.gamma.grad.numpy()


@settings(max_examples=4, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    d=st.integers(3, 5),
    tau=st.sampled_from([0.5, 2.0, 6.0]),
    kappa=st.sampled_from([0.5, 2.0, float("inf")]),
    lam=st.sampled_from([1e-2, 1e-1]),
    seed=st.integers(0, 1000),
)
def test_gamma_star_minimises_the_training_objective(d, tau, kappa, lam, seed):
    cfg = TrainConfig(
        model="gamma",
        d=d,
        tau=tau,
        kappa=kappa,
        alpha=1.0,
        rho=0.01,
        ridge=lam,
        lr=3e-2,
        lr_schedule="cosine",
        batch_fraction=1.0,
        weight_decay=0.0,
        steps=600,
        dtype="float64",
        test_contexts=200,
        seed=seed,
    )
    where = f"at d={d}, tau={tau}, kappa={kappa}, lambda={lam}, seed={seed}"
    train = draw_samples(cfg).train
    x, y = torch.as_tensor(train.x, dtype=torch.float64), torch.as_tensor(train.y, dtype=torch.float64)
    ctx, target = y[:, :-1], y[:, -1]
    star = RidgeGamma(lam=lam).fit(context_features(train)).gamma_

    scale = np.linalg.norm(_objective_gradient(np.zeros_like(star), cfg, x, ctx, target))
    at_star = np.linalg.norm(_objective_gradient(star, cfg, x, ctx, target))
    note(f"|grad f(Gamma*)| / |grad f(0)| = {at_star / scale:.2e}")
    assert at_star <= 1e-8 * scale, (
        f"{where}: Gamma* is not a stationary point of the training objective ({at_star / scale:.2e})"
    )

    model, _ = train_model(cfg, device="cpu")
    trained = model.gamma.detach().numpy()
    radius = np.linalg.norm(_objective_gradient(trained, cfg, x, ctx, target)) / (2 * lam / d)
    distance = np.linalg.norm(trained - star)
    note(f"|Gamma_trained - Gamma*| = {distance:.3e} <= certified radius {radius:.3e}")
    assert distance <= radius * (1 + 1e-9), (
        f"{where}: the trained Gamma is {distance:.3e} from Gamma*, but strong convexity puts the minimiser within "
        f"{radius:.3e} of it: Gamma* is not the minimiser of the trained objective"
    )
