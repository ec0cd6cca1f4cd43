r"""Training protocols of the trained-model experiments (Lu et al. Figs. 5 and 6) at each level.

A :class:`Protocol` is everything in a :class:`~iclverify.empirics.training.train.TrainConfig` except the point of
a sweep (model, d, τ, κ, seed). Two levels:

* ``full`` — the paper's protocol (§5): AdamW, lr 1e-4, weight decay 1e-4, minibatches of 0.1 P,
  constant learning rate, 10 000 epochs (10⁵ steps), the paper's sizes d ∈ {20, 40, 80}. Hours of GPU time.
* ``quick`` — the same model and data at d ≤ 8, trained full-batch with a cosine-decayed learning rate
  (lr 3e-2 for linear attention, 1e-2 for softmax models) for 600–1000 steps, which reaches the float32
  floor of the training loss wherever the model can interpolate within minutes of CPU. The larger rate
  and the schedule replace the paper's 10⁵ small steps; every verdict states which protocol it used.

>>> p = protocol("quick", "linear")
>>> c = p.config(model="linear", layers=1, d=8, tau=1.0, seed=3)
>>> (c.steps, c.lr, c.lr_schedule, c.batch_fraction, c.n_train, c.ell)
(1000, 0.03, 'cosine', 1.0, 64, 8)
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from iclverify.empirics.training.train import TrainConfig
from iclverify.runtime.errors import ParameterError

__all__ = ["FIG5_MODELS", "ModelSpec", "Protocol", "protocol"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ModelSpec:
    """An architecture of the paper's Fig. 5: ``model`` and ``layers`` as :func:`build_model` takes them."""

    key: str
    label: str
    model: str
    layers: int


FIG5_MODELS = (
    ModelSpec(key="linear", label="full linear attention", model="linear", layers=1),
    ModelSpec(key="softmax", label="softmax attention (1 block)", model="softmax", layers=1),
    ModelSpec(key="two-blocks", label="2 blocks (softmax + MLP)", model="transformer", layers=2),
    ModelSpec(key="three-blocks", label="3 blocks (softmax + MLP)", model="transformer", layers=3),
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Protocol:
    """How runs are trained; :meth:`config` adds the point of the sweep."""

    level: str
    steps: int
    lr: float
    lr_schedule: str
    batch_fraction: float
    weight_decay: float = 1e-4
    alpha: float = 1.0
    rho: float = 0.01
    dtype: str = "float32"
    test_contexts: int = 2000

    def config(
        self, *, model: str, layers: int, d: int, tau: float, kappa: float = math.inf, seed: int, **extra: Any
    ) -> TrainConfig:
        return TrainConfig(
            model=model,
            layers=layers,
            d=d,
            alpha=self.alpha,
            tau=tau,
            kappa=kappa,
            rho=self.rho,
            steps=self.steps,
            batch_fraction=self.batch_fraction,
            lr=self.lr,
            lr_schedule=self.lr_schedule,
            weight_decay=self.weight_decay,
            dtype=self.dtype,
            test_contexts=self.test_contexts,
            seed=seed,
            **extra,
        )

    def describe(self) -> dict[str, Any]:
        """The protocol as evidence (JSON-able)."""
        return dataclasses.asdict(self)


_QUICK: dict[str, dict[str, Any]] = {
    "linear": dict(steps=1000, lr=3e-2),
    "softmax": dict(steps=1000, lr=1e-2),
    "transformer": dict(steps=600, lr=1e-2),
}


def protocol(level: str, model: str) -> Protocol:
    """The protocol of ``model`` (``linear``, ``softmax``, ``transformer``, ``gamma``) at ``level``."""
    if level == "full":
        return Protocol(
            level="full", steps=100_000, lr=1e-4, lr_schedule="constant", batch_fraction=0.1, test_contexts=10_000
        )
    if level != "quick":
        raise ParameterError(f"level must be quick or full, got {level!r}")
    settings = _QUICK.get(model, _QUICK["linear"])
    return Protocol(level="quick", lr_schedule="cosine", batch_fraction=1.0, **settings)
