r"""Features of the reduced linear-attention model: :math:`H_Z = x_{\ell+1} \otimes u`.

For a context with tokens :math:`x_1,\dots,x_\ell` (labels :math:`y_i`) and query :math:`x_{\ell+1}`,

.. math:: u = \Big[\tfrac{d}{\ell}\textstyle\sum_{i\le\ell} y_i x_i,\ \tfrac1\ell \sum_{i\le\ell} y_i^2\Big]
          \in \mathbb R^{d+1},
          \qquad H_Z = x_{\ell+1} u^\top \in \mathbb R^{d\times(d+1)},\qquad \hat y = \langle\Gamma, H_Z\rangle
          = x_{\ell+1}^\top\Gamma u.

Only ``x_query`` and ``u`` are stored (``n (2d+1)`` numbers); :meth:`ContextFeatures.h` builds the
``(n, d(d+1))`` matrix of ``vec H_Z`` (row-major, matching ``gamma.ravel()``) for dense reference solves.

>>> from iclverify.empirics.montecarlo.sampling import sample_contexts
>>> from iclverify.runtime.seeding import rng
>>> c = sample_contexts(rng(0, "c"), d=3, ell=4, n=2, rho=0.1)
>>> f = context_features(c)
>>> f.u.shape, f.h().shape
((2, 4), (2, 12))
>>> g = rng(0, "g").standard_normal((3, 4))
>>> bool(np.allclose(f.h() @ g.ravel(), predict(g, f)))
True
"""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt

from iclverify.empirics.montecarlo.sampling import Contexts
from iclverify.runtime.errors import ParameterError

Floats = npt.NDArray[np.float64]

__all__ = ["ContextFeatures", "check_gamma", "context_features", "context_summary", "predict"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ContextFeatures:
    """Per-context query ``x_query (n, d)``, summary ``u (n, d+1)``, query label ``y (n,)``, task ``w (n, d)``.

    ``task_index`` is the index into the pretraining task set (``None`` for fresh tasks); ``ell`` the
    context length the summaries were built from.
    """

    x_query: np.ndarray
    u: np.ndarray
    y: np.ndarray
    w: np.ndarray
    task_index: np.ndarray | None
    ell: int
    rho: float

    @property
    def n(self) -> int:
        return self.x_query.shape[0]

    @property
    def d(self) -> int:
        return self.x_query.shape[1]

    def h(self) -> np.ndarray:
        """``(n, d(d+1))`` rows ``vec H_Z = x_query ⊗ u`` (dense: only for small ``d``)."""
        return (self.x_query[:, :, None] * self.u[:, None, :]).reshape(self.n, -1)

    def H(self, i: int) -> np.ndarray:
        """The ``d × (d+1)`` matrix ``H_Z`` of context ``i``."""
        return np.outer(self.x_query[i], self.u[i])

    def subset(self, index: np.ndarray | slice) -> ContextFeatures:
        """The features of some contexts."""
        ti = None if self.task_index is None else self.task_index[index]
        return dataclasses.replace(
            self, x_query=self.x_query[index], u=self.u[index], y=self.y[index], w=self.w[index], task_index=ti
        )


def context_summary(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    r"""``u = [(d/ℓ) Σ y_i x_i, (1/ℓ) Σ y_i²]`` of labelled tokens ``x (n, ℓ, d)``, ``y (n, ℓ)``.

    >>> context_summary(np.array([[[1.0, 0.0], [0.0, 2.0]]]), np.array([[1.0, 3.0]])).tolist()
    [[1.0, 6.0, 5.0]]
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.ndim != 3 or y.shape != x.shape[:2]:
        raise ParameterError(f"tokens must be x (n, ell, d) and y (n, ell); got {x.shape} and {y.shape}")
    n, ell, d = x.shape
    u = np.empty((n, d + 1))
    u[:, :d] = np.einsum("ni,nid->nd", y, x) * (d / ell)
    u[:, d] = (y * y).sum(axis=1) / ell
    return u


def context_features(contexts: Contexts) -> ContextFeatures:
    """Features of explicit contexts (the last token of each context is the query)."""
    c = contexts
    return ContextFeatures(
        x_query=c.x[:, -1, :].copy(),
        u=context_summary(c.x[:, :-1, :], c.y[:, :-1]),
        y=c.y[:, -1].copy(),
        w=c.w,
        task_index=c.task_index,
        ell=c.ell,
        rho=c.rho,
    )


def check_gamma(gamma: npt.ArrayLike, d: int) -> Floats:
    """``gamma`` as a float ``(d, d+1)`` array (the reduced model's parameter at dimension ``d``).

    >>> check_gamma(np.zeros((2, 3)), 2).shape
    (2, 3)
    """
    g = np.asarray(gamma, dtype=float)
    if g.shape != (d, d + 1):
        raise ParameterError(f"Gamma must have shape ({d}, {d + 1}), got {g.shape}")
    return g


def predict(gamma: npt.ArrayLike, features: ContextFeatures) -> Floats:
    r""":math:`\hat y_\mu = x_\mu^\top \Gamma u_\mu` for every context, in :math:`O(n d^2)`."""
    gamma = check_gamma(gamma, features.d)
    return np.einsum("nj,nj->n", features.x_query @ gamma, features.u)
