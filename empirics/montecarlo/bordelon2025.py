r"""Finite-D Monte Carlo of the reduced-Γ L-step model (Bordelon et al. 2025): ISO and RRS.

ISO (:mod:`iclverify.theory.bordelon2025.iso`): a context is :math:`X \in \mathbb R^{P\times D}` with
:math:`N(0,1)` entries, :math:`\hat\Sigma = X^\top X/P`, :math:`w \sim N(0, I/D)`, no noise, and
:math:`\Gamma = \gamma I`. The loss of one context, averaged over the query and (exactly) over :math:`w`, is
:math:`\frac1D\sum_i (1 - \gamma\lambda_i/L)^{2L}` over the eigenvalues :math:`\lambda_i` of :math:`\hat\Sigma`
(Rao–Blackwellised: only :math:`\hat\Sigma` is sampled). One batched ``eigvalsh`` per context gives every
:math:`L` at once: cost :math:`O(nD^3 + nD^2P)` for :math:`n` contexts, plus :math:`O(nD|\mathcal L|)` for the
depths — independent of :math:`L` except for that last term. :func:`iso_finite_size` extrapolates the mean
in :math:`1/D` at the step :math:`\gamma = L\alpha/(1+\alpha)` (the realised :math:`\alpha = P/D`).

RRS (:mod:`iclverify.theory.bordelon2025.rrs`): rotations are irrelevant for :math:`\Gamma = \gamma I` (the
loss is invariant), so a context is :math:`X = G\Lambda^{1/2}`, :math:`G` with :math:`N(0,1)` entries,
:math:`\Lambda = \operatorname{diag}(k^{-\nu})_{k\le D}` and :math:`w_k = \xi_k\,k^{(\nu-1-\nu\beta)/2}`,
:math:`\xi \sim N(0, I)`. :func:`rrs_context_losses` gives :math:`r^\top\Lambda r` per context for the
residual :math:`r = (I - \eta\hat\Sigma)^L w` at ``L`` steps of size ``eta`` (one sampled w), or, averaged over w
exactly, for the minimum-norm interpolant :math:`r = (I - \hat\Sigma^+\hat\Sigma)w` (``L=None``: gradient flow
run to convergence). Cost :math:`O(nDPL)`, or :math:`O(nDP^2)` for the min-norm limit.

>>> r = iso_context_losses(d=16, alpha=2.0, Ls=(1, 4), contexts=64, seed=0)
>>> r["loss"].shape, bool((r["loss"][:, 1] < r["loss"][:, 0]).all())
((64, 2), True)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from iclverify.numerics.stats.intervals import extrapolate_inverse_d, mean_ci
from iclverify.runtime.errors import ParameterError
from iclverify.runtime.seeding import rng

__all__ = ["iso_context_losses", "iso_eigenvalues", "iso_finite_size", "optimal_schedules", "rrs_context_losses"]

CHUNK = 512  # contexts per batched eigendecomposition


def _int(name: str, value: object, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ParameterError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def _depths(Ls: Sequence[int]) -> np.ndarray:
    out = np.array([_int("L", L) for L in Ls], dtype=int)
    if out.size == 0:
        raise ParameterError("give at least one depth L")
    return out


def iso_eigenvalues(*, d: int, alpha: float, contexts: int, seed: int) -> tuple[np.ndarray, int]:
    """Eigenvalues (contexts × d) of :math:`\\hat\\Sigma = X^\top X/P` and ``P`` (stream ``bordelon2025-iso``)."""
    d, n = _int("d", d), _int("contexts", contexts)
    if not np.isfinite(alpha) or alpha <= 0:
        raise ParameterError(f"alpha must be a finite number > 0, got {alpha!r}")
    P = max(1, round(alpha * d))
    g = rng(seed, "bordelon2025-iso", d, P)
    out = np.empty((n, d))
    for start in range(0, n, CHUNK):
        m = min(CHUNK, n - start)
        X = g.standard_normal((m, P, d))
        out[start : start + m] = np.linalg.eigvalsh(np.matmul(X.transpose(0, 2, 1), X) / P)
    return out, P


def optimal_schedules(eigs: np.ndarray, L: int) -> dict[str, Any]:
    r"""The finite-D optimum of the mean loss :math:`\frac1D\sum_i\prod_\ell(1-\eta_\ell\lambda_i)^2` over one
    shared step (``shared``, bounded Brent) and over per-layer steps (``per_layer``, Nelder–Mead from the shared
    optimum; it can only be lower). Returns both losses and steps."""
    import scipy.optimize

    L = _int("L", L)

    def mean_loss(etas: np.ndarray) -> float:
        prod = np.ones_like(eigs)
        for e in etas:
            prod = prod * (1 - e * eigs)
        return float((prod**2).mean())

    shared = scipy.optimize.minimize_scalar(
        lambda e: mean_loss(np.full(L, e)), bounds=(1e-6, 2 / max(float(eigs.mean()), 1e-12)), method="bounded"
    )
    if L == 1:
        return {
            "shared": float(shared.fun),
            "shared_eta": float(shared.x),
            "per_layer": float(shared.fun),
            "per_layer_eta": [float(shared.x)],
        }
    res = scipy.optimize.minimize(
        mean_loss,
        np.full(L, shared.x) * np.linspace(0.8, 1.2, L),
        method="Nelder-Mead",
        options={"xatol": 1e-8, "fatol": 1e-12, "maxiter": 4000 * L},
    )
    per = min(float(res.fun), float(shared.fun))
    return {
        "shared": float(shared.fun),
        "shared_eta": float(shared.x),
        "per_layer": per,
        "per_layer_eta": sorted(float(e) for e in res.x),
    }


def iso_context_losses(
    *, d: int, alpha: float, Ls: Sequence[int], contexts: int, seed: int, eta: float | None = None
) -> dict[str, Any]:
    r"""Per-context ISO losses (``contexts`` × ``len(Ls)``) at per-step size ``eta`` (default
    :math:`\alpha_{\rm real}/(1+\alpha_{\rm real})`, :math:`\alpha_{\rm real} = P/D`,
    :math:`P = \max(1, \mathrm{round}(\alpha D))`)."""
    depths = _depths(Ls)
    lam, P = iso_eigenvalues(d=d, alpha=alpha, contexts=contexts, seed=seed)
    a_real = P / d
    step = a_real / (1 + a_real) if eta is None else float(eta)
    base = 1 - step * lam
    out = np.column_stack([(base ** (2 * L)).mean(axis=1) for L in depths])
    return {"loss": out, "P": P, "alpha_realised": a_real, "eta": step, "Ls": depths.tolist(), "d": d, "seed": seed}


def iso_finite_size(
    *, alpha: float, Ls: Sequence[int], ds: Sequence[int], contexts: Sequence[int] | int, seed: int
) -> list[dict[str, Any]]:
    r"""Per depth: the mean loss with its interval at each ``d`` and the :math:`1/d` extrapolation (95%).

    The realised :math:`\alpha = P/D` may differ between the ``ds``; pick ``alpha·d`` integral to avoid it.
    """
    counts = [contexts] * len(ds) if isinstance(contexts, (int, np.integer)) else list(contexts)
    runs = [iso_context_losses(d=d, alpha=alpha, Ls=Ls, contexts=n, seed=seed) for d, n in zip(ds, counts)]
    rows = []
    for j, L in enumerate(runs[0]["Ls"]):
        cis = [mean_ci(r["loss"][:, j]) for r in runs]
        fit = extrapolate_inverse_d(
            [r["d"] for r in runs], [c.mean for c in cis], [c.se for c in cis], dof=min(counts) - 1
        )
        rows.append(
            {
                "L": L,
                "per_d": [{"d": r["d"], "P": r["P"], **c.as_dict()} for r, c in zip(runs, cis)],
                "limit": fit.limit,
                "limit_low": fit.low,
                "limit_high": fit.high,
                "slope": fit.slope,
                "p_value": fit.p_value,
            }
        )
    return rows


def rrs_context_losses(
    *, d: int, P: int, nu: float, beta: float, contexts: int, seed: int, L: int | None = None, eta: float = 1.0
) -> np.ndarray:
    r"""Per-context RRS losses :math:`r^\top\Lambda r` (see the module docstring); ``L=None`` is the min-norm limit."""
    d, P, n = _int("d", d), _int("P", P), _int("contexts", contexts)
    if nu <= 1 or beta <= 0:
        raise ParameterError(f"need nu > 1 and beta > 0, got nu={nu!r}, beta={beta!r}")
    kk = np.arange(1, d + 1, dtype=float)
    lam = kk**-nu
    scale = kk ** ((nu - 1 - nu * beta) / 2)
    if L is None and d <= P:
        raise ParameterError(f"the min-norm limit needs P < D, got P={P}, D={d}")
    g = rng(seed, "bordelon2025-rrs", d, P)
    out = np.empty(n)
    S = scale**2  # E w_k²
    for i in range(n):
        X = g.standard_normal((P, d)) * np.sqrt(lam)
        if L is None:
            # r = (I − Π)w, Π = Xᵀ(XXᵀ)⁻¹X, averaged over w exactly: E rᵀΛr = tr(ΛS) − 2 tr(G⁻¹XΛSXᵀ)
            # + tr(G⁻¹XΛXᵀ G⁻¹XSXᵀ), G = XXᵀ — O(P²D), no sampling noise from w
            G = X @ X.T
            A = np.linalg.solve(G, (X * (lam * S)) @ X.T)
            B = np.linalg.solve(G, (X * lam) @ X.T)
            C = np.linalg.solve(G, (X * S) @ X.T)
            out[i] = float(lam @ S - 2 * np.trace(A) + np.einsum("ij,ji->", B, C))
            continue
        w = g.standard_normal(d) * scale
        r = w.copy()
        for _ in range(_int("L", L)):
            r = r - eta * (X.T @ (X @ r)) / P
        out[i] = float(r @ (lam * r))
    return out
