r"""In-context task families for the Mehta & Gupta experiments: linear, sparse linear, depth-h trees.

A context is ℓ demonstrations (x_i, y_i) and a query x_q with x ~ N(0, I_d) (unit-variance coordinates,
the convention of a transformer's 1/√d attention scaling); the model sees ``x`` (n, ℓ+1, d) and the ℓ
labels ``y`` (n, ℓ) and predicts ``target`` (n,), the query's label. Each context draws its own task:

* ``linear`` — y = ⟨w, x⟩ + √ρ ε with w ~ N(0, I_d/d) (so E y² = 1 + ρ). Equal in law to Lu et al.'s
  data with Gaussian tasks (x' = x/√d, w' = √d w), so the errors of
  :mod:`iclverify.empirics.montecarlo.baselines` apply unchanged.
* ``sparse-linear`` — the same with w supported on ``s`` coordinates drawn uniformly, nonzeros N(0, 1/s).
* ``tree`` — a complete binary decision tree of depth h: level j splits on the sign of x_j, so the leaf of
  x is the h-bit pattern (x_0 > 0, …, x_{h−1} > 0); leaf values v ∈ {±1}^{2^h} are drawn uniformly per
  context and y = v_{leaf(x)} + √ρ ε. An in-context learner must match the query's h nested features
  against the demonstrations' (the hierarchy depth h of MG-P3); the split features are fixed across tasks.

:meth:`Task.baselines` gives each context's squared error of the reference estimators on the same
contexts: least squares (minimum norm) and Bayes ridge (posterior mean for w ~ N(0, I/d), λ = ρ d) for the
linear families; the Bayes-optimal predictor E[v_leaf | context] (tanh(Σ y_j/ρ) over the query leaf's
demonstrations, sign(Σ y_j) at ρ = 0, 0 when the leaf has none) for trees; and the zero predictor.

>>> import torch
>>> t = Task(name="tree", d=3, ell=4, h=1, rho=0.0)
>>> b = t.sample(torch.Generator().manual_seed(0), 5)
>>> tuple(b.x.shape), tuple(b.y.shape), tuple(b.target.shape), sorted(set(b.target.abs().tolist()))
((5, 5, 3), (5, 4), (5,), [1.0])
>>> t.bayes_floor()  # P(no demonstration in the query's leaf) = (1 - 2^-h)^ℓ
0.0625
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from iclverify.empirics.montecarlo import baselines
from iclverify.runtime.device import require_torch
from iclverify.runtime.errors import ParameterError

__all__ = ["TASKS", "Batch", "ConditionedTask", "Task", "success_rate", "tokens"]

TASKS = ("linear", "sparse-linear", "tree")
SUCCESS_MARGIN = 0.5  # a prediction "succeeds" when |ŷ − y| < 0.5 (for ±1 labels: on the right side, by a margin)


def tokens(x: Any, y: Any) -> Any:
    """The token rows Z (…, ℓ+1, d+1) of contexts x (…, ℓ+1, d) with labels y (…, ℓ): (x_i, y_i) for the ℓ
    demonstrations and (x_q, 0) for the query — numpy arrays or torch tensors (the one place tokens are built;
    column layouts are its transpose).

    >>> tokens(np.array([[[1.0, 2.0], [3.0, 4.0]]]), np.array([[5.0]])).tolist()
    [[[1.0, 2.0, 5.0], [3.0, 4.0, 0.0]]]
    """
    if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        labels = np.concatenate([y, np.zeros((*y.shape[:-1], 1))], axis=-1)
        return np.concatenate([x, labels[..., None]], axis=-1)
    torch = require_torch()
    labels = torch.cat([y, y.new_zeros((*y.shape[:-1], 1))], dim=-1)
    return torch.cat([x, labels.unsqueeze(-1)], dim=-1)


def _int(name: str, value: object, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ParameterError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


@dataclasses.dataclass(frozen=True)
class Batch:
    """Contexts: ``x`` (n, ℓ+1, d), the ℓ context labels ``y`` (n, ℓ), the query label ``target`` (n,), and
    each context's task ``task`` (w (n, d), or the leaf values (n, 2^h))."""

    x: Any
    y: Any
    target: Any
    task: Any

    def __len__(self) -> int:
        return int(self.x.shape[0])


@dataclasses.dataclass(frozen=True, kw_only=True)
class Task:
    """One task family at input dimension ``d`` and context length ``ell`` (see the module docstring)."""

    name: str = "linear"
    d: int = 4
    ell: int = 8
    rho: float = 0.01
    s: int = 1  # nonzeros of a sparse task
    h: int = 1  # depth of a tree

    def __post_init__(self) -> None:
        if self.name not in TASKS:
            raise ParameterError(f"task must be one of {', '.join(TASKS)}, got {self.name!r}")
        _int("d", self.d, 1)
        _int("ell", self.ell, 1)
        _int("s", self.s, 1)
        _int("h", self.h, 1)
        try:
            rho = float(self.rho)
        except (TypeError, ValueError):
            raise ParameterError(f"rho must be a number >= 0, got {self.rho!r}") from None
        if not math.isfinite(rho) or rho < 0:
            raise ParameterError(f"rho must be a finite number >= 0, got {self.rho!r}")
        object.__setattr__(self, "rho", rho)
        if self.name == "sparse-linear" and self.s > self.d:
            raise ParameterError(f"a sparse task needs s <= d, got s = {self.s}, d = {self.d}")
        if self.name == "tree" and self.h > self.d:
            raise ParameterError(
                f"a depth-h tree splits on h coordinates: needs h <= d, got h = {self.h}, d = {self.d}"
            )

    @property
    def trivial_error(self) -> float:
        """Mean squared error of the zero predictor: E y² = 1 + ρ for every family."""
        return 1.0 + self.rho

    def bayes_floor(self) -> float | None:
        r"""The tree task's Bayes error at ρ = 0, :math:`(1 - 2^{-h})^\ell` (exact); ``None`` otherwise."""
        if self.name != "tree" or self.rho != 0:
            return None
        return (1.0 - 2.0 ** (-self.h)) ** self.ell

    def sample(self, generator: Any, n: int, *, dtype: Any = None) -> Batch:
        """``n`` contexts drawn with the torch ``generator`` (on the CPU), as tensors of ``dtype``."""
        torch = require_torch()
        n = _int("n", n, 1)
        dtype = dtype or torch.float64
        g, d, ell = generator, self.d, self.ell
        x = torch.randn(n, ell + 1, d, generator=g, dtype=dtype)
        if self.name == "tree":
            leaves = 2**self.h
            values = torch.randint(0, 2, (n, leaves), generator=g).to(dtype) * 2 - 1
            labels = torch.gather(values, 1, self.leaf(x))
            task = values
        else:
            if self.name == "linear":
                w = torch.randn(n, d, generator=g, dtype=dtype) / math.sqrt(d)
            else:
                support = torch.rand(n, d, generator=g).argsort(dim=1)[:, : self.s]
                w = torch.zeros(n, d, dtype=dtype).scatter_(
                    1, support, torch.randn(n, self.s, generator=g, dtype=dtype) / math.sqrt(self.s)
                )
            labels = torch.einsum("nid,nd->ni", x, w)
            task = w
        noise = torch.randn(n, ell + 1, generator=g, dtype=dtype)
        if self.rho > 0:
            labels = labels + math.sqrt(self.rho) * noise
        return Batch(x, labels[:, :-1].contiguous(), labels[:, -1].contiguous(), task)

    def leaf(self, x: Any) -> Any:
        """Leaf index (…, ℓ+1) of every token: Σ_j [x_j > 0] 2^j over the h split coordinates."""
        torch = require_torch()
        bits = (x[..., : self.h] > 0).long()
        return (bits * (2 ** torch.arange(self.h))).sum(-1)

    def baselines(self, batch: Batch) -> dict[str, np.ndarray]:
        """Per-context squared errors (numpy float64) of the reference predictors on ``batch``."""
        x = batch.x.detach().cpu().double().numpy()
        y = batch.y.detach().cpu().double().numpy()
        target = batch.target.detach().cpu().double().numpy()
        out = {"zero": target**2}
        if self.name == "tree":
            leaf = self.leaf(batch.x).cpu().numpy()
            same = leaf[:, :-1] == leaf[:, -1:]
            total = (y * same).sum(axis=1)
            pred = np.tanh(total / self.rho) if self.rho > 0 else np.sign(total)
            out["bayes"] = (pred - target) ** 2
            return out
        ctx = x[:, :-1]
        gram, xty = baselines.stats_from_tokens(ctx, y)
        xq = x[:, -1]
        w_ls = baselines.least_squares_estimate(gram, xty)
        out["least-squares"] = (np.einsum("nd,nd->n", w_ls, xq) - target) ** 2
        if self.rho > 0:  # (G + ρ d I)⁻¹ b = (G/d + ρ I)⁻¹ (b/d): Lu et al.'s Bayes ridge in our units
            w_r = baselines.ridge_estimate(gram / self.d, xty / self.d, rho=self.rho)
            out["ridge"] = (np.einsum("nd,nd->n", w_r, xq) - target) ** 2
        return out

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True, kw_only=True)
class ConditionedTask:
    r"""Linear regression with an ill-conditioned input covariance (not one of :data:`TASKS`: it has its own
    parameters, and the k-step depth experiment samples it directly).

    Inputs :math:`x = Q\,\Lambda^{1/2} g`, :math:`g \sim N(0, I_d)`, with the geometric spectrum
    :math:`\lambda_j \propto \kappa^{-j/(d-1)}`, :math:`j = 0, \dots, d-1` (condition number :math:`\kappa`),
    scaled to :math:`\operatorname{tr}\Lambda = d` (unit-variance coordinates on average, as :class:`Task`);
    :math:`Q` is a Haar-random rotation drawn afresh for every context when ``rotate`` (so no fixed
    preconditioner can whiten the inputs; the covariance is :math:`\Lambda` itself otherwise). Labels
    :math:`y = \langle w, x\rangle + \sqrt\rho\,\varepsilon`, :math:`w \sim N(0, I_d/d)` per context, so
    :math:`E y^2 = 1 + \rho`. The rotation changes no property of gradient descent on the context (it is
    rotation-equivariant and w is isotropic), only what a fixed set of weights can exploit.

    >>> t = ConditionedTask(d=3, ell=5, kappa=4.0)
    >>> [round(v, 6) for v in t.spectrum().tolist()]  # 4^0, 4^-1/2, 4^-1, scaled to sum 3
    [1.714286, 0.857143, 0.428571]
    >>> import torch
    >>> b = t.sample(torch.Generator().manual_seed(0), 2)
    >>> tuple(b.x.shape), tuple(b.y.shape), tuple(b.target.shape), tuple(b.task.shape)
    ((2, 6, 3), (2, 5), (2,), (2, 3))
    """

    d: int = 4
    ell: int = 16
    kappa: float = 10.0
    rho: float = 0.0
    rotate: bool = True

    def __post_init__(self) -> None:
        _int("d", self.d, 2)
        _int("ell", self.ell, 1)
        for name, low in (("kappa", 1.0), ("rho", 0.0)):
            try:
                value = float(getattr(self, name))
            except (TypeError, ValueError):
                raise ParameterError(f"{name} must be a number >= {low:g}, got {getattr(self, name)!r}") from None
            if not math.isfinite(value) or value < low:
                raise ParameterError(f"{name} must be a finite number >= {low:g}, got {getattr(self, name)!r}")
            object.__setattr__(self, name, value)
        if not isinstance(self.rotate, bool):
            raise ParameterError(f"rotate must be True or False, got {self.rotate!r}")

    def spectrum(self) -> np.ndarray:
        """The covariance eigenvalues, largest first, summing to d."""
        lam = self.kappa ** (-np.arange(self.d) / (self.d - 1))
        return lam * (self.d / lam.sum())

    @property
    def trivial_error(self) -> float:
        """Mean squared error of the zero predictor: E y² = 1 + ρ."""
        return 1.0 + self.rho

    def sample(self, generator: Any, n: int, *, dtype: Any = None) -> Batch:
        """``n`` contexts drawn with the torch ``generator`` (on the CPU), as tensors of ``dtype``."""
        torch = require_torch()
        n = _int("n", n, 1)
        dtype = dtype or torch.float64
        g, d, ell = generator, self.d, self.ell
        scale = torch.as_tensor(np.sqrt(self.spectrum()), dtype=torch.float64)
        x = torch.randn(n, ell + 1, d, generator=g, dtype=torch.float64) * scale
        if self.rotate:  # Haar rotation: QR of a Gaussian matrix with the signs of R's diagonal moved into Q
            q, r = torch.linalg.qr(torch.randn(n, d, d, generator=g, dtype=torch.float64))
            q = q * torch.sign(torch.diagonal(r, dim1=-2, dim2=-1)).unsqueeze(-2)
            x = x @ q.transpose(-1, -2)
        w = torch.randn(n, d, generator=g, dtype=torch.float64) / math.sqrt(d)
        labels = torch.einsum("nid,nd->ni", x, w)
        if self.rho > 0:
            labels = labels + math.sqrt(self.rho) * torch.randn(n, ell + 1, generator=g, dtype=torch.float64)
        x, labels, w = x.to(dtype), labels.to(dtype), w.to(dtype)
        return Batch(x, labels[:, :-1].contiguous(), labels[:, -1].contiguous(), w)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def success_rate(prediction: Any, target: Any, *, margin: float = SUCCESS_MARGIN) -> float:
    """The thresholded metric: the fraction of contexts with |ŷ − y| < ``margin``.

    >>> success_rate(np.array([0.9, -0.2, 0.6]), np.array([1.0, 1.0, 1.0]))
    0.6666666666666666
    """
    p, t = np.asarray(prediction, dtype=float), np.asarray(target, dtype=float)
    return float(np.mean(np.abs(p - t) < margin))
