r"""RRS at infinite context in float64: the optimal-step loss against depth, and the training-time dynamics.

:math:`\mathcal L_\infty(L) = \min_{0<\eta\le 2}\sum_{k\le K} k^{-1-\nu\beta}(1-\eta k^{-\nu})^{2L}`
(:mod:`iclverify.theory.bordelon2025.rrs`; :math:`K` modes, the tail beyond :math:`K` added as the integral
:math:`\int_K^\infty k^{-1-\nu\beta}dk = K^{-\nu\beta}/(\nu\beta)`, whose modes no step reaches when
:math:`2\eta L K^{-\nu} \ll 1`). The minimisation over :math:`\eta` is bounded (scipy's Brent) — each term is
convex in :math:`\eta`, so the minimiser is unique. :func:`local_exponents` gives
:math:`-\Delta\log\mathcal L/\Delta\log L` between neighbours.

:func:`gamma_flow` trains the only parameter RRS leaves (:math:`\Gamma = \gamma I`) by gradient descent on the
population loss at fixed :math:`L` and returns the loss gap to the optimum against the step :math:`t`.

>>> from mpmath import zeta                 # L = 1, ν = 2, β = 1: min_η ζ(3) − 2ηζ(5) + η²ζ(7)
>>> abs(rrs_loss(1, nu=2.0, beta=1.0).loss - float(zeta(3) - zeta(5) ** 2 / zeta(7))) < 1e-8
True
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.optimize

from iclverify.numerics.bordelon2025.iso import check_depth
from iclverify.runtime.errors import ParameterError

__all__ = ["RRSLoss", "compute_optimal_shape", "gamma_flow", "local_exponents", "rrs_loss", "spectrum"]


def _positive(name: str, value: float, low: float = 0.0) -> float:
    v = float(value)
    if not np.isfinite(v) or v <= low:
        raise ParameterError(f"{name} must be a finite number > {low:g}, got {value!r}")
    return v


def spectrum(nu: float, beta: float, modes: int) -> tuple[np.ndarray, np.ndarray]:
    r"""Eigenvalues :math:`\lambda_k = k^{-\nu}` and weights :math:`p_k = \lambda_k\bar w_k^2 = k^{-1-\nu\beta}`.

    >>> lam, p = spectrum(2.0, 1.0, 3)
    >>> lam.round(4).tolist(), p.round(4).tolist()
    ([1.0, 0.25, 0.1111], [1.0, 0.125, 0.037])
    """
    nu, beta = _positive("nu", nu, 1.0), _positive("beta", beta)
    kk = np.arange(1, int(modes) + 1, dtype=float)
    return kk**-nu, kk ** (-1 - nu * beta)


def _loss_at(eta: float, lam: np.ndarray, p: np.ndarray, L: int, tail: float) -> float:
    return float(np.dot(p, (1 - eta * lam) ** (2 * L)) + tail)


@dataclasses.dataclass(frozen=True, kw_only=True)
class RRSLoss:
    """The optimal loss at infinite context and its per-step size ``eta`` (= γ*/L)."""

    L: int
    nu: float
    beta: float
    loss: float
    eta: float


def rrs_loss(L: int, *, nu: float, beta: float, modes: int = 20_000) -> RRSLoss:
    r""":math:`\mathcal L_\infty(L)` and its minimiser :math:`\eta^*` (bounded Brent on :math:`(0, 2)`; cached).

    ``modes`` :math:`K` must leave the modes past it unreached: :math:`4LK^{-\nu} \ll 1` (20 000 modes: L up
    to ~4000 at ν = 1.5).
    """
    return _rrs_loss(check_depth(L), float(nu), float(beta), int(modes))


@lru_cache(maxsize=4096)
def _rrs_loss(L: int, nu: float, beta: float, modes: int) -> RRSLoss:
    lam, p = spectrum(nu, beta, modes)
    tail = float(modes) ** (-nu * beta) / (nu * beta)
    res = scipy.optimize.minimize_scalar(
        _loss_at, bounds=(1e-9, 2.0), args=(lam, p, L, tail), method="bounded", options={"xatol": 1e-12}
    )
    return RRSLoss(L=L, nu=float(nu), beta=float(beta), loss=float(res.fun), eta=float(res.x))


def local_exponents(Ls: Any, losses: Any) -> np.ndarray:
    r""":math:`-\Delta\log\mathcal L/\Delta\log L` between consecutive depths.

    >>> local_exponents([1, 2, 4], [1.0, 0.5, 0.25]).tolist()
    [1.0, 1.0]
    """
    x, y = np.log(np.asarray(Ls, dtype=float)), np.log(np.asarray(losses, dtype=float))
    return -np.diff(y) / np.diff(x)


def _curvatures(gammas: np.ndarray, lam: np.ndarray, p: np.ndarray, L: int) -> np.ndarray:
    r""":math:`\mathcal L''(\gamma) = \frac{2L(2L-1)}{L^2}\sum_k p_k\lambda_k^2(1-\gamma\lambda_k/L)^{2L-2}` on
    a grid."""
    return np.array(
        [(2 * L) * (2 * L - 1) / L**2 * float(np.dot(p * lam**2, (1 - g * lam / L) ** (2 * L - 2))) for g in gammas]
    )


def gamma_flow(
    L: int, *, nu: float, beta: float, horizon: float = 30.0, max_steps: int = 20_000, modes: int = 5_000
) -> dict[str, Any]:
    r"""Gradient descent on :math:`\gamma` (from 0) for the RRS population loss at depth ``L``.

    The step is :math:`1/\max\mathcal L''` over :math:`[0, 1.1\gamma^*]` (so the iterates rise monotonically to
    :math:`\gamma^*` without overshoot); the condition number :math:`\kappa = \max\mathcal L''/\mathcal L''(\gamma^*)`
    sets the time scale, and the run lasts ``horizon``·κ steps (at most ``max_steps``). Returns ``t``, ``gap``
    :math:`\mathcal L(\gamma_t) - \min_\gamma\mathcal L` (float64; the tail past ``modes`` cancels), ``kappa``.
    """
    L = check_depth(L)
    lam, p = spectrum(nu, beta, modes)
    best = rrs_loss(L, nu=nu, beta=beta, modes=modes)
    g_star = best.eta * L
    floor = float(np.dot(p, (1 - g_star * lam / L) ** (2 * L)))
    curv = _curvatures(np.linspace(0, 1.1 * g_star, 45), lam, p, L)
    c_star = float(_curvatures(np.array([g_star]), lam, p, L)[0])
    lr = 1.0 / float(curv.max())
    kappa = float(curv.max()) / c_star
    steps = int(min(max_steps, max(100, horizon * kappa)))
    gamma = 0.0
    gaps = np.empty(steps)
    for i in range(steps):
        grad = float(np.dot(p, -2 * lam * (1 - gamma * lam / L) ** (2 * L - 1)))
        gamma -= lr * grad
        gaps[i] = float(np.dot(p, (1 - gamma * lam / L) ** (2 * L))) - floor
    return {
        "t": np.arange(1, steps + 1),
        "gap": gaps,
        "gamma_star": g_star,
        "gamma_final": gamma,
        "lr": lr,
        "kappa": kappa,
        "capped": steps >= max_steps,
    }


def compute_optimal_shape(nu: float, beta: float, budgets: tuple[int, ...] = tuple(range(8, 21))) -> dict[str, Any]:
    r"""Optimal shape under :math:`LN = C = 2^e` (``budgets`` the e) of :math:`N^{-\nu\beta} + \mathcal L_\infty(L)`,
    the depth term measured (:func:`rrs_loss` on 25 depths :math:`2^{j/2}`, 1…4096), the width term the
    summaries'. Returns the fitted exponents of :math:`L^*` in :math:`C` and in :math:`N^*` (interior optima only).
    """
    Ls = np.unique(np.round(np.logspace(0, 12, 25, base=2)).astype(int))
    depth = np.array([rrs_loss(int(L), nu=nu, beta=beta).loss for L in Ls])
    stars = []
    for e in budgets:
        C = 2.0**e
        i = int(np.argmin(depth + (C / Ls) ** (-nu * beta)))
        if 0 < i < len(Ls) - 1:
            stars.append((C, float(Ls[i]), C / float(Ls[i])))
    if len(stars) < 3:
        raise ParameterError(f"too few interior optima ({len(stars)}) to fit the shape at nu={nu}, beta={beta}")
    C_, L_, N_ = np.log(np.array(stars)).T
    return {
        "L_vs_C": float(np.polyfit(C_, L_, 1)[0]),
        "L_vs_N": float(np.polyfit(N_, L_, 1)[0]),
        "points": len(stars),
        "optima": stars,
    }
