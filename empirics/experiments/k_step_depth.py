r"""Depth needed for k-step optimisation: trained L-layer linear attention against k steps of gradient descent.

Mehta & Gupta's Theorem 2 (as summarised) says that k-step optimisation needs L = Θ(k) layers. Sufficiency
is exact (:mod:`iclverify.empirics.training.gd_construction`: k GD-form layers are k GD steps); this module
measures *necessity* — how many layers a trained model needs to do as well as k steps.

**Task** (:class:`~iclverify.empirics.training.tasks.ConditionedTask`): linear regression in dimension d with
ℓ demonstrations, inputs of covariance :math:`Q\Lambda Q^\top` (geometric spectrum of condition number κ,
:math:`\operatorname{tr}\Lambda = d`), a fresh Haar rotation Q per context, w ~ N(0, I/d), no label noise.
Ill-conditioning makes every extra GD step count; the rotation leaves gradient descent unchanged (it is
rotation-equivariant) but denies the model a fixed preconditioner, so the comparison is about optimisation
*in context*, not about a whitening learned into the weights.

**GD reference** :math:`e_{GD}(k)` (:func:`gd_reference`). k steps of GD on
:math:`\frac1{2n}\sum_i (y_i - w^\top x_i)^2` from w = 0 with steps :math:`\eta_1, \dots, \eta_k` leave the
residual :math:`w - w_k = p(\hat\Sigma)\,w`, :math:`p(\lambda) = \prod_j (1 - \eta_j\lambda) = 1 - \lambda q(\lambda)`,
so a context's error, averaged exactly over w and the query (Rao–Blackwellised), is

.. math:: e(p) = \frac1d \sum_i p(\lambda_i)^2\, c_i, \qquad c_i = u_i^\top \Sigma u_i,

with :math:`(\lambda_i, u_i)` the eigenpairs of :math:`\hat\Sigma = X^\top X/n` and Σ the context's covariance
(taken unrotated: rotating X and Σ together changes no λ_i, c_i). The error is quadratic in the coefficients
of q, so the *best* k-step schedule is a weighted least-squares problem (one QR of a Chebyshev basis on
[0, λ_max] serves every k). Its p is the kernel polynomial of the measure :math:`\lambda c\,d\mu`, with real
roots inside the spectrum, and the steps are :math:`\eta_j = 1/\text{root}_j` (:func:`schedule_steps`;
:func:`~iclverify.empirics.training.gd_construction.gd_predict` with them reproduces the residual). The schedule
is fitted on one sample of contexts and its error measured on an independent one, so :math:`e_{GD}(k)` is the
unbiased error of an explicit GD schedule, with a standard error.

**Trained models** (:func:`train_depth`): :class:`~iclverify.empirics.training.ensemble.EnsembleLSA` (``full``
structure: K, Q, V all trained, so tokens' x-parts are updated too; ``mehta-gupta`` scaling), one member per
seed, trained by the one engine (:func:`~iclverify.empirics.training.engine.fit`, AdamW, warm-up then 1/t-decaying
learning rate — :meth:`KStepSetup.lr_at`, which does not depend on the step cap, so a shorter cap only truncates
the same run — per-member clipping) on fresh contexts every step (stream ``(seed, "k-step-train", step)``)
until the engine's :class:`~iclverify.empirics.training.engine.StopRule` convergence rule stops it or the
step cap is reached; test MSE on the seed's own test contexts (stream ``(seed, "k-step-test")``). Results
are cached by configuration.

**Effective steps** (:func:`effective_steps`): the error of a model read on the GD scale —
:math:`k_{\rm eff}` with :math:`e_{GD}(k_{\rm eff})` equal to the error, :math:`\log e_{GD}` interpolated linearly
between integer k (:math:`k_{\rm eff} = 0` for the zero predictor). :func:`depth_fit` turns the trained
errors at several depths into the envelope of the best model with at most L layers (an (L+1)-layer model
contains every L-layer one: a layer with V = 0 is the identity), its :math:`k_{\rm eff}(L)`, the slope q of
:math:`\log k_{\rm eff}` on :math:`\log L`, and :math:`s = 1/q`, the slope of :math:`\log L_{\rm needed}` on
:math:`\log k`, with a percentile bootstrap over seeds.

>>> ref = np.array([1.0, 0.5, 0.25, 0.125])            # e_GD(k) for k = 0, 1, 2, 3
>>> float(effective_steps(0.25, ref)), round(float(effective_steps(0.35355339, ref)), 6)
(2.0, 1.5)
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from iclverify.empirics.training.tasks import ConditionedTask
from iclverify.runtime.cache import ResultCache
from iclverify.runtime.errors import ParameterError
from iclverify.runtime.seeding import rng
from iclverify.runtime.sweep import Progress

__all__ = [
    "NAMESPACE",
    "DepthFit",
    "GDReference",
    "KStepSetup",
    "depth_fit",
    "effective_steps",
    "gd_reference",
    "k_step_rows",
    "l_needed",
    "schedule_steps",
    "train_depth",
]

NAMESPACE = "k-step-depth"
SCHEMA = 1
CHUNK = 4096


@dataclasses.dataclass(frozen=True, kw_only=True)
class KStepSetup:
    """Task (``d``, ``ell``, ``kappa``, ``rotate``), model (``structure``, ``scaling``, ``init_scale``) and training
    (``lr`` with ``warmup``/``decay`` steps — :meth:`lr_at`, ``batch_size``, ``clip``; the step cap ``max_steps`` and
    the engine's convergence rule ``window``/``rtol``)."""

    d: int = 4
    ell: int = 16
    kappa: float = 10.0
    rotate: bool = True
    structure: str = "full"
    scaling: str = "mehta-gupta"
    init_scale: float = 0.5
    lr: float = 0.01
    batch_size: int = 64
    max_steps: int = 3000
    warmup: int = 50
    decay: int = 500
    clip: float = 1.0
    window: int = 250
    rtol: float = 0.02
    dtype: str = "float32"
    test_contexts: int = 4000

    def __post_init__(self) -> None:
        _ = self.task  # validates the task fields
        for name in ("warmup", "decay"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ParameterError(f"{name} must be a positive integer (steps), got {v!r}")

    @property
    def task(self) -> ConditionedTask:
        return ConditionedTask(d=self.d, ell=self.ell, kappa=self.kappa, rho=0.0, rotate=self.rotate)

    def lr_at(self, step: int) -> float:
        """Linear warm-up over ``warmup`` steps, then lr/(1 + step/``decay``) — independent of ``max_steps``.

        >>> s = KStepSetup(lr=0.01, warmup=10, decay=100)
        >>> s.lr_at(0), round(s.lr_at(100), 12)
        (0.001, 0.005)
        """
        return self.lr * min(1.0, (step + 1) / max(1, self.warmup)) / (1 + step / self.decay)

    def ensemble_config(self, L: int, seeds: Sequence[int]) -> Any:
        """The model and the stop rule in the engine's configuration (its task fields and learning-rate schedule
        are not used here)."""
        from iclverify.empirics.training.ensemble import EnsembleConfig

        return EnsembleConfig(
            model="lsa",
            layers=L,
            d=self.d,
            ell=self.ell,
            rho=0.0,
            scaling=self.scaling,
            structure=self.structure,
            steps=self.max_steps,
            batch_size=self.batch_size,
            lr=self.lr,
            clip=self.clip,
            init_scale=self.init_scale,
            dtype=self.dtype,
            test_contexts=self.test_contexts,
            seeds=tuple(seeds),
            converge_window=self.window,
            converge_rtol=self.rtol,
        )

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# ---------------------------------------------------------------------------------------------------
# the GD reference


def _spectral_measure(task: ConditionedTask, contexts: int, g: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues λ (contexts, d) of Σ̂ and weights c/d (c_i = u_iᵀ Λ u_i) of unrotated contexts."""
    lam_all, w_all = [], []
    s = task.spectrum()
    for start in range(0, contexts, CHUNK):
        m = min(CHUNK, contexts - start)
        X = g.standard_normal((m, task.ell, task.d)) * np.sqrt(s)
        lam, U = np.linalg.eigh(np.matmul(X.transpose(0, 2, 1), X) / task.ell)
        lam_all.append(lam)
        w_all.append(np.einsum("mia,i,mia->ma", U, s, U) / task.d)
    return np.concatenate(lam_all), np.concatenate(w_all)


@dataclasses.dataclass(frozen=True, kw_only=True)
class GDReference:
    """e_GD(k) for k = 0..k_max (``errors``, with standard errors ``se``) of the best k-step schedules, the
    Chebyshev coefficients of each schedule's q on ``[0, lam_hi]`` (``coefficients[k]``, k ≥ 1), and the
    schedule fitted on the first sample (``in_sample``)."""

    errors: np.ndarray
    se: np.ndarray
    in_sample: np.ndarray
    coefficients: list[np.ndarray]
    lam_hi: float
    contexts: int
    seed: int

    @property
    def k_max(self) -> int:
        return len(self.errors) - 1

    def to_json(self) -> dict[str, Any]:
        return {
            "errors": self.errors.tolist(),
            "se": self.se.tolist(),
            "in_sample": self.in_sample.tolist(),
            "contexts": self.contexts,
            "seed": self.seed,
        }


def gd_reference(task: ConditionedTask, *, k_max: int, contexts: int, seed: int) -> GDReference:
    r"""The best schedule of every k ≤ ``k_max`` on ``contexts`` contexts (stream ``(seed, "k-step-fit")``) and
    its error on as many independent ones (``(seed, "k-step-eval")``); module docstring for the formula.

    >>> ref = gd_reference(ConditionedTask(d=3, ell=12, kappa=5.0), k_max=3, contexts=2000, seed=0)
    >>> bool(np.all(np.diff(ref.in_sample) < 0)), bool(abs(ref.errors[0] - 1) < 0.05)
    (True, True)
    """
    if task.rho != 0:
        raise ParameterError("the GD reference is derived for noise-free labels (rho = 0)")
    if isinstance(k_max, bool) or not isinstance(k_max, int) or k_max < 1:
        raise ParameterError(f"k_max must be a positive integer, got {k_max!r}")
    lam_a, w_a = _spectral_measure(task, contexts, rng(seed, "k-step-fit", task.d, task.ell))
    lam_b, w_b = _spectral_measure(task, contexts, rng(seed, "k-step-eval", task.d, task.ell))
    lam_hi = float(max(lam_a.max(), lam_b.max()))

    def basis(lam: np.ndarray) -> np.ndarray:  # columns λ T_j(2λ/λ_hi − 1), j < k_max
        t = 2 * lam.ravel() / lam_hi - 1
        return lam.ravel()[:, None] * np.polynomial.chebyshev.chebvander(t, k_max - 1)

    root_w = np.sqrt(w_a.ravel() / contexts)
    A = root_w[:, None] * basis(lam_a)
    Q, R = np.linalg.qr(A)
    proj = Q.T @ root_w
    total = float(root_w @ root_w)
    in_sample = np.concatenate([[total], total - np.cumsum(proj**2)])
    B = basis(lam_b)
    per_context = [w_b.sum(axis=1)]
    coefficients: list[np.ndarray] = [np.zeros(0)]
    for k in range(1, k_max + 1):
        coef = np.linalg.solve(R[:k, :k], proj[:k])
        coefficients.append(coef)
        p = 1 - B[:, :k] @ coef
        per_context.append((w_b.ravel() * p**2).reshape(w_b.shape).sum(axis=1))
    values = np.array(per_context)  # (k_max + 1, contexts)
    return GDReference(
        errors=values.mean(axis=1),
        se=values.std(axis=1, ddof=1) / math.sqrt(contexts),
        in_sample=np.maximum(in_sample, 0.0),
        coefficients=coefficients,
        lam_hi=lam_hi,
        contexts=contexts,
        seed=seed,
    )


def schedule_steps(reference: GDReference, k: int) -> list[float]:
    """The k step sizes of the best k-step schedule: the reciprocals of the roots of p (ascending steps).

    >>> ref = gd_reference(ConditionedTask(d=3, ell=12, kappa=5.0), k_max=2, contexts=500, seed=0)
    >>> len(schedule_steps(ref, 2)), all(e > 0 for e in schedule_steps(ref, 2))
    (2, True)
    """
    if not 1 <= k <= reference.k_max:
        raise ParameterError(f"k must be in 1..{reference.k_max}, got {k!r}")
    q = np.polynomial.Chebyshev(reference.coefficients[k], domain=[0.0, reference.lam_hi])
    p = np.polynomial.Polynomial([1.0]) - np.polynomial.Polynomial([0.0, 1.0]) * q.convert(
        kind=np.polynomial.Polynomial
    )
    roots = p.roots()
    if np.any(np.abs(roots.imag) > 1e-8 * np.abs(roots)) or np.any(roots.real <= 0):
        raise ParameterError(f"the best {k}-step polynomial has roots {roots} (not positive reals)")
    return sorted(float(1 / r) for r in roots.real)


# ---------------------------------------------------------------------------------------------------
# reading errors on the GD scale


def effective_steps(error: float, reference: np.ndarray) -> float:
    """k_eff with e_GD(k_eff) = ``error``: log e_GD interpolated linearly between integer k (the running minimum
    of ``reference``, so that sampling noise cannot make it rise); 0 at or above e_GD(0), ``k_max`` below
    e_GD(k_max) (censored: read it as a lower bound)."""
    ref = np.minimum.accumulate(np.asarray(reference, dtype=float))
    if not np.isfinite(error) or error >= ref[0]:
        return 0.0
    if error <= ref[-1]:
        return float(len(ref) - 1)
    k = int(np.argmax(ref < error)) - 1  # ref[k] >= error > ref[k + 1]
    lo, hi = math.log(ref[k]), math.log(ref[k + 1])
    return k + (lo - math.log(error)) / (lo - hi) if lo > hi else float(k)


def _envelope(errors: np.ndarray) -> np.ndarray:
    """Best error with at most L layers: the minimum over seeds, then the running minimum over depth (errors are
    finite or +inf: a diverged model)."""
    return np.minimum.accumulate(errors.min(axis=1))


@dataclasses.dataclass(frozen=True, kw_only=True)
class DepthFit:
    """k_eff per depth (``k_eff``, from the ``envelope`` of best errors), the slope ``q`` of log k_eff on log L over
    ``fit_depths`` and ``s = 1/q`` (slope of log L_needed on log k), with percentile intervals from a bootstrap
    over seeds (``q_interval``; ``s_interval`` = [1/q_hi, 1/q_lo], ∞ where q_lo ≤ 0); ``censored``: depths whose
    k_eff is beyond the reference's k_max; ``inherited``: depths none of whose own models beats the shallower
    depths (their envelope is a shallower model's: training did not use the depth), unless those are censored;
    ``diverged``: models per
    depth with a non-finite error (counted as failed)."""

    depths: list[int]
    fit_depths: list[int]
    envelope: list[float]
    k_eff: list[float]
    k_eff_interval: list[tuple[float, float]]
    q: float
    q_interval: tuple[float, float]
    s: float
    s_interval: tuple[float, float]
    censored: list[int]
    inherited: list[int]
    diverged: list[int]
    n_boot: int
    confidence: float

    def to_json(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in dataclasses.asdict(self).items()}


def _slope(logL: np.ndarray, k_eff: np.ndarray) -> float:
    if np.any(k_eff <= 0):
        return 0.0
    x = logL - logL.mean()
    y = np.log(k_eff)
    return float(x @ (y - y.mean()) / (x @ x))


def _inverse(q: float) -> float:
    return 1 / q if q > 0 else math.inf


def depth_fit(
    depths: Sequence[int],
    errors: Any,
    reference: np.ndarray,
    *,
    fit_depths: Sequence[int],
    n_boot: int,
    seed: int,
    confidence: float = 0.95,
    errors_se: Any = None,
) -> DepthFit:
    """Fit of k_eff against L (see :class:`DepthFit`); ``errors`` is (depth, seed) trained test MSEs.

    ``errors_se`` (same shape): each error's standard error over its test contexts. The best of a few seeds
    is an extreme value, and the bootstrap of a minimum cannot see the test-set noise that makes it
    optimistic, so each replicate also redraws every error as e + se·N(0, 1) (floored at e/10).

    >>> ref = 0.7 ** np.arange(41)                     # e_GD(k) = 0.7^k: k_eff = log e / log 0.7
    >>> errs = np.array([[0.7 ** (2 * L) * (1 + 0.01 * j) for j in range(5)] for L in (1, 2, 4)])
    >>> f = depth_fit([1, 2, 4], errs, ref, fit_depths=[1, 2, 4], n_boot=50, seed=0)
    >>> [round(k, 3) for k in f.k_eff], round(f.s, 3)       # two steps per layer: L_needed = k/2, slope 1
    ([2.0, 4.0, 8.0], 1.0)
    """
    depths = [int(L) for L in depths]
    E = np.asarray(errors, dtype=float)
    if E.ndim != 2 or E.shape[0] != len(depths) or E.shape[1] < 1:
        raise ParameterError(f"errors must be (depth, seed) with {len(depths)} depths, got shape {E.shape}")
    if sorted(depths) != depths or len(set(depths)) != len(depths) or depths[0] < 1:
        raise ParameterError(f"depths must be increasing positive integers, got {depths}")
    idx = [depths.index(L) for L in fit_depths if L in depths]
    if len(idx) < 2 or len(idx) != len(fit_depths):
        raise ParameterError(f"fit_depths must be at least two of the depths {depths}, got {list(fit_depths)}")
    diverged = [int(n) for n in (~np.isfinite(E)).sum(axis=1)]
    E = np.where(np.isfinite(E), E, np.inf)
    ref = np.asarray(reference, dtype=float)
    logL = np.log(np.array([depths[i] for i in idx], dtype=float))

    def keff(err: np.ndarray) -> np.ndarray:
        return np.array([effective_steps(e, ref) for e in _envelope(err)])

    SE = np.zeros_like(E) if errors_se is None else np.asarray(errors_se, dtype=float)
    if SE.shape != E.shape or np.any(SE < 0):
        raise ParameterError(f"errors_se must be non-negative with the shape of errors {E.shape}")
    SE = np.where(np.isfinite(SE) & np.isfinite(E), SE, 0.0)
    point = keff(E)
    g = rng(seed, "k-step-bootstrap")
    S = E.shape[1]

    def replicate() -> np.ndarray:
        pick = g.integers(0, S, S)
        drawn = E[:, pick] + SE[:, pick] * g.standard_normal((E.shape[0], S))
        return keff(np.maximum(drawn, E[:, pick] / 10))

    boot_k = np.array([replicate() for _ in range(n_boot)])
    boot_q = np.array([_slope(logL, b[idx]) for b in boot_k])
    tail = (1 - confidence) / 2
    q_lo, q_hi = (float(v) for v in np.quantile(boot_q, [tail, 1 - tail]))
    q = _slope(logL, point[idx])
    k_lo, k_hi = np.quantile(boot_k, [tail, 1 - tail], axis=0)
    envelope = _envelope(E)
    own = E.min(axis=1)
    inherited = [  # not counted where the shallower depths are already beyond the reference (censored)
        L for i, L in enumerate(depths) if i > 0 and not own[i] < envelope[i - 1] and point[i - 1] < len(ref) - 1
    ]
    return DepthFit(
        depths=depths,
        fit_depths=[depths[i] for i in idx],
        envelope=envelope.tolist(),
        k_eff=point.tolist(),
        k_eff_interval=[(float(a), float(b)) for a, b in zip(k_lo, k_hi)],
        q=q,
        q_interval=(q_lo, q_hi),
        s=_inverse(q),
        s_interval=(_inverse(q_hi), _inverse(q_lo)),
        censored=[L for L, k in zip(depths, point) if k >= len(ref) - 1],
        inherited=inherited,
        diverged=diverged,
        n_boot=n_boot,
        confidence=confidence,
    )


def l_needed(depths: Sequence[int], envelope: Sequence[float], target: float) -> int | None:
    """The smallest depth whose envelope error is at most ``target`` (None: no depth of the grid reaches it).

    >>> l_needed([1, 2, 4], [0.5, 0.2, 0.1], 0.25), l_needed([1, 2, 4], [0.5, 0.2, 0.1], 0.05)
    (2, None)
    """
    for L, e in zip(depths, envelope):
        if e <= target:
            return int(L)
    return None


# ---------------------------------------------------------------------------------------------------
# training


def _sample(  # noqa: PLR0917 - the stream's name parts follow as positionals
    task: ConditionedTask, seeds: Sequence[int], stream: str, n: int, dtype: Any, device: Any, *extra: int
) -> tuple[Any, ...]:
    """Each member's ``n`` contexts from its own stream, stacked: x (E, n, ℓ+1, d), y (E, n, ℓ), target (E, n)."""
    import torch

    from iclverify.runtime.seeding import torch_generator

    parts = [task.sample(torch_generator(s, stream, *extra), n, dtype=dtype) for s in seeds]
    return tuple(torch.stack([getattr(b, f) for b in parts]).to(device) for f in ("x", "y", "target"))


def train_depth(
    setup: KStepSetup,
    L: int,
    seeds: Sequence[int],
    *,
    device: str = "auto",
    cache: ResultCache | None = None,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Train one ensemble of L-layer models (one member per seed) or read it from ``cache``; per member:
    ``seed``, ``test_mse``, ``test_se``, ``initial_test_mse``, ``steps``, ``converged``, ``seconds``.

    >>> rows = train_depth(KStepSetup(d=2, ell=4, max_steps=20, window=0, rtol=0.0, test_contexts=100), 1, (0, 1),
    ...                    device="cpu")
    >>> [r["seed"] for r in rows], [r["steps"] for r in rows]
    ([0, 1], [20, 20])
    """
    import torch

    from iclverify.empirics.training.engine import fit
    from iclverify.empirics.training.ensemble import build_ensemble, evaluate
    from iclverify.empirics.training.train import torch_threads
    from iclverify.runtime.device import pick_device

    cfg = setup.ensemble_config(L, seeds)  # validates L, seeds, schedule and stop rule
    key = {"setup": setup.to_dict(), "L": L, "seeds": list(cfg.seeds)}
    if cache is not None and (hit := cache.get(NAMESPACE, key, schema=SCHEMA)) is not None:
        return list(hit["members"])
    dev = pick_device(device)
    start = time.process_time()
    task, E = setup.task, len(cfg.seeds)
    dtype = getattr(torch, setup.dtype)
    with torch_threads(1 if dev.type == "cpu" else None):
        model = build_ensemble(cfg).to(dev)
        params = dict(model.named_parameters())
        tx, ty, tt = _sample(task, cfg.seeds, "k-step-test", setup.test_contexts, dtype, dev)
        initial = ((evaluate(model, tx, ty) - tt) ** 2).double().mean(dim=1).cpu().tolist()

        def losses(step: int) -> Any:
            x, y, target = _sample(task, cfg.seeds, "k-step-train", setup.batch_size, dtype, dev, step)
            return ((model(x, y) - target) ** 2).mean(dim=1)

        def after_step(st: Any) -> None:
            if progress is not None and (st.step % max(1, setup.max_steps // 20) == 0 or not any(st.active)):
                progress(f"k-step depth: training L={L} ×{E}", st.step, setup.max_steps)

        st = fit(
            params,
            losses,
            lr=lambda step: torch.full((E,), setup.lr_at(step), dtype=torch.float64),
            stop=[cfg.stop_rule] * E,
            clip=setup.clip,
            after_step=after_step,
        )
        err = ((evaluate(model, tx, ty) - tt) ** 2).double().cpu().numpy()
    seconds = time.process_time() - start
    members = [
        {
            "seed": s,
            "L": L,
            "test_mse": float(err[e].mean()),
            "test_se": float(err[e].std(ddof=1) / math.sqrt(err.shape[1])),
            "initial_test_mse": initial[e],
            "steps": st.stopped_at[e],
            "converged": bool(st.converged[e]),
            "stop_rule": cfg.stop_rule.describe(),
            "cpu_seconds": seconds,
            "device": str(dev),
        }
        for e, s in enumerate(cfg.seeds)
    ]
    if cache is not None:
        members = list(cache.put(NAMESPACE, key, {"members": members}, schema=SCHEMA)["members"])
    return members


def _paired_gd(setup: KStepSetup, reference: GDReference, seed: int, ks: Sequence[int]) -> dict[str, float]:
    """Explicit GD (gd_construction.gd_predict with each best schedule) on the seed's own test contexts."""
    from iclverify.empirics.training.gd_construction import gd_predict

    x, y, target = (t[0].numpy() for t in _sample(setup.task, [seed], "k-step-test", setup.test_contexts, None, "cpu"))
    out = {}
    for k in ks:
        pred = gd_predict(x[:, :-1], y, x[:, -1], schedule_steps(reference, k))
        out[str(k)] = float(np.mean((pred - target) ** 2))
    return out


def k_step_rows(
    setup: KStepSetup,
    depths: Sequence[int],
    seeds: Sequence[int],
    *,
    k_max: int,
    reference_contexts: int,
    paired_ks: Sequence[int] = (),
    seed: int = 0,
    device: str = "auto",
    cache: ResultCache | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The GD reference, and every depth's trained members: ``{"reference": GDReference, "members": {L: [...]},
    "errors": (depth, seed) test MSEs, "errors_se": their standard errors, "paired_gd": {seed: {k: error}}}``."""
    reference = gd_reference(setup.task, k_max=k_max, contexts=reference_contexts, seed=seed)
    members: dict[int, list[dict[str, Any]]] = {}
    for i, L in enumerate(depths):
        if progress is not None:
            progress("k-step depth", i, len(depths))
        members[L] = train_depth(setup, L, seeds, device=device, cache=cache, progress=progress)
    errors = np.array([[float(m["test_mse"]) for m in members[L]] for L in depths])  # a diverged model: nan
    errors_se = np.array([[float(m["test_se"]) for m in members[L]] for L in depths])
    paired = {str(s): _paired_gd(setup, reference, s, paired_ks) for s in seeds} if paired_ks else {}
    return {"reference": reference, "members": members, "errors": errors, "errors_se": errors_se, "paired_gd": paired}
