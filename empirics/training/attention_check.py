r"""Linear self-attention reduces to :math:`\hat y = \langle\Gamma, H_Z\rangle`.

Tokens :math:`z_i = (x_i, y_i) \in \mathbb R^{d+1}` for :math:`i \le \ell` and the query
:math:`z_{\ell+1} = (x_{\ell+1}, 0)`, stacked as columns of :math:`Z`. One linear-attention layer with a
residual connection, every token attending to the :math:`\ell` context tokens:

.. math:: f(Z) = Z + \frac1\ell\, W_V Z_{\le\ell}\,\big(Z_{\le\ell}^\top W_K^\top W_Q Z\big),\qquad
          \hat y = f(Z)_{d+1,\ \ell+1}.

With :math:`v^\top` the last row of :math:`W_V` and :math:`M = W_K^\top W_Q`, the read-out is
:math:`\hat y = \frac1\ell\sum_i (v^\top z_i)(z_i^\top M z_{\ell+1})`. Taking :math:`v = e_{d+1}`, :math:`W_K = I`
and :math:`W_Q = M` with :math:`M_{1:d,1:d} = d\,\Gamma_{:,1:d}^\top`, :math:`M_{d+1,1:d} = \Gamma_{:,d+1}^\top`
(the last column of :math:`M` meets the query's zero label and is free) gives

.. math:: \hat y = x_{\ell+1}^\top\Big[\Gamma_{:,1:d}\,\tfrac d\ell\textstyle\sum_i y_ix_i
          + \Gamma_{:,d+1}\,\tfrac1\ell\sum_i y_i^2\Big]
          = \langle \Gamma, H_Z\rangle.

:func:`max_reduction_error` checks it numerically on sampled contexts.

>>> from iclverify.runtime.seeding import rng
>>> gamma = rng(0, "g").standard_normal((4, 5))
>>> bool(max_reduction_error(gamma, seed=0, ell=6, n=3) < 1e-12)
True
"""

from __future__ import annotations

import numpy as np

from iclverify.empirics.montecarlo.features import context_features, predict
from iclverify.empirics.montecarlo.sampling import Contexts, sample_contexts
from iclverify.empirics.training.tasks import tokens as token_rows
from iclverify.runtime.seeding import rng as make_rng

__all__ = ["attention_predict", "linear_attention", "max_reduction_error", "tokens", "weights_from_gamma"]


def tokens(contexts: Contexts) -> np.ndarray:
    """``(n, d+1, ell+1)`` token matrices ``Z``: columns ``(x_i, y_i)``, the query's label set to 0."""
    return np.swapaxes(token_rows(np.asarray(contexts.x), np.asarray(contexts.y)[:, :-1]), -1, -2).copy()


def linear_attention(z: np.ndarray, wq: np.ndarray, wk: np.ndarray, wv: np.ndarray) -> np.ndarray:
    r"""One linear-attention layer with a residual, attending to the first ``ell`` columns of each ``Z``."""
    ell = z.shape[-1] - 1
    ctx = z[..., :ell]
    scores = np.swapaxes(wk @ ctx, -1, -2) @ (wq @ z)  # (n, ell, ell+1): z_iᵀ W_Kᵀ W_Q z_j
    return z + (wv @ ctx) @ scores / ell


def weights_from_gamma(gamma: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""``(W_Q, W_K, W_V)`` of size ``(d+1) × (d+1)`` whose attention read-out is :math:`\langle\Gamma, H_Z\rangle`."""
    d = gamma.shape[0]
    m = np.zeros((d + 1, d + 1))
    m[:d, :d] = d * gamma[:, :d].T
    m[d, :d] = gamma[:, d]
    wv = np.zeros((d + 1, d + 1))
    wv[d, d] = 1.0
    return m, np.eye(d + 1), wv


def attention_predict(gamma: np.ndarray, contexts: Contexts) -> np.ndarray:
    """The query read-out of the attention layer built from ``gamma``."""
    wq, wk, wv = weights_from_gamma(np.asarray(gamma, dtype=float))
    return linear_attention(tokens(contexts), wq, wk, wv)[:, -1, -1]


def max_reduction_error(gamma: np.ndarray, *, seed: int, ell: int, n: int, rho: float = 0.1) -> float:
    r"""Largest :math:`|\hat y_{\text{attention}} - \langle\Gamma, H_Z\rangle|`, relative to the largest
    :math:`|\hat y|`."""
    gamma = np.asarray(gamma, dtype=float)
    c = sample_contexts(make_rng(seed, "attention-check"), d=gamma.shape[0], ell=ell, n=n, rho=rho)
    a, b = attention_predict(gamma, c), predict(gamma, context_features(c))
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-300))
