r"""Linear self-attention layers that perform gradient descent in their forward pass (MG-T2, exact).

**Convention** (the one issue-6 models should follow to read steps off learned weights). Tokens are the
columns of :math:`Z \in \mathbb R^{(d_x+1) \times (n+1)}`: context tokens :math:`z_i = (x_i, y_i)`,
:math:`i \le n`, then the query :math:`z_q = (x_q, 0)`; the label slot is the last row. A layer with
key, query, value matrices :math:`W_K, W_Q, W_V` updates every token :math:`j` by

.. math:: z_j \leftarrow z_j + \rho\,\sigma\,\frac1n \sum_{i \le n} (W_V z_i)\,(W_K z_i)^\top (W_Q z_j),

keys and values coming from the :math:`n` context tokens only; :math:`\sigma` is the attention scale
(:math:`1/\sqrt{d}` with :math:`d = d_x + 1` the token width) and :math:`\rho` the residual scale
(:math:`1/\sqrt L`). The prediction for the query is :math:`-z_q[\text{label}]` after the last layer.

**GD form.** With :math:`P = W_K^\top W_Q = \gamma\,\mathrm{diag}(I_{d_x}, 0)` and
:math:`W_V = -\nu\, e_y e_y^\top`, the label slots hold residuals :math:`r_i = y_i - w_\ell^\top x_i` and
each layer performs one GD step on :math:`\frac1{2n}\sum_i (y_i - w^\top x_i)^2` from :math:`w_0 = 0` with
step :math:`\eta = \rho\sigma\nu\gamma` — at unit weights :math:`\eta = 1/\sqrt{L d}`
(:func:`iclverify.theory.mehta_gupta2025.formulas.gd_step_derivation`). :func:`implied_step` inverts this for any
weights: it projects the layer onto the GD form and says how far it is from it.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> X, y, xq = rng.standard_normal((20, 3)), rng.standard_normal(20), rng.standard_normal(3)
>>> layers = gd_layers(d_x=3, etas=[0.1] * 4, attn_scale=0.5, residual_scale=0.5)
>>> pred = lsa_predict(X, y, xq, layers, attn_scale=0.5, residual_scale=0.5)
>>> bool(abs(pred - gd_predict(X, y, xq, [0.1] * 4)) < 1e-13)
True
>>> round(implied_step(layers[0], d_x=3, attn_scale=0.5, residual_scale=0.5).eta, 12)
0.1
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from iclverify.empirics.training.tasks import tokens as token_rows
from iclverify.runtime.errors import ParameterError

__all__ = [
    "GDReadout",
    "LSALayer",
    "fitted_step",
    "gd_layers",
    "gd_predict",
    "implied_step",
    "lsa_forward",
    "lsa_predict",
    "tokens",
]


def _array(value: Any) -> np.ndarray:
    """float64 numpy array from numpy or torch (detached, on CPU)."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().double().numpy()
    return np.asarray(value, dtype=np.float64)


@dataclasses.dataclass(frozen=True, kw_only=True)
class LSALayer:
    """One linear self-attention layer: key, query and value matrices (each (d_x+1) x (d_x+1))."""

    W_K: np.ndarray
    W_Q: np.ndarray
    W_V: np.ndarray

    def __post_init__(self) -> None:
        for name in ("W_K", "W_Q", "W_V"):
            object.__setattr__(self, name, _array(getattr(self, name)))
        shapes = {self.W_K.shape, self.W_Q.shape, self.W_V.shape}
        if len(shapes) != 1 or self.W_K.ndim != 2 or self.W_K.shape[0] != self.W_K.shape[1]:
            raise ParameterError(f"W_K, W_Q, W_V must be equal square matrices, got {sorted(shapes)}")

    @property
    def width(self) -> int:
        return self.W_K.shape[0]


def tokens(X: Any, y: Any, x_query: Any) -> np.ndarray:
    """Token matrix (d_x+1, n+1): columns (x_i, y_i) then (x_q, 0); a leading batch axis is kept."""
    X, y, xq = _array(X), _array(y), _array(x_query)
    return np.swapaxes(token_rows(np.concatenate([X, xq[..., None, :]], axis=-2), y), -1, -2)


def lsa_forward(
    Z: Any, layers: Sequence[LSALayer], *, attn_scale: float, residual_scale: float, n_ctx: int | None = None
) -> np.ndarray:
    r"""Apply the layers (module docstring's update); ``Z`` is (..., d_x+1, n+1), the last column the query.

    Per layer and context: :math:`\Delta Z = \frac{\rho\sigma}{n} W_V (C C^\top) W_K^\top W_Q Z` with
    :math:`C` the context columns: :math:`O(n d^2 + d^3)` with 2-D BLAS products (a loop over contexts;
    numpy's stacked matmul is far slower than that here).
    """
    Z = _array(Z)
    n = Z.shape[-1] - 1 if n_ctx is None else n_ctx
    if n < 1:
        raise ParameterError("need at least one context token")
    for layer in layers:
        if layer.width != Z.shape[-2]:
            raise ParameterError(f"layer width {layer.width} != token width {Z.shape[-2]}")
    flat = np.array(Z.reshape((-1, *Z.shape[-2:])), order="C")  # a copy: the input is never modified
    scale = attn_scale * residual_scale / n
    for layer in layers:
        P = layer.W_K.T @ layer.W_Q
        for b in range(flat.shape[0]):
            ctx = np.ascontiguousarray(flat[b, :, :n])  # a strided slice makes BLAS ~5x slower
            flat[b] += scale * ((layer.W_V @ (ctx @ ctx.T)) @ P) @ flat[b]
    return flat.reshape(Z.shape)


def lsa_predict(
    X: Any, y: Any, x_query: Any, layers: Sequence[LSALayer], *, attn_scale: float, residual_scale: float
) -> Any:
    """The query prediction, minus the final label slot of the query token."""
    return -lsa_forward(tokens(X, y, x_query), layers, attn_scale=attn_scale, residual_scale=residual_scale)[
        ..., -1, -1
    ]


def gd_predict(X: Any, y: Any, x_query: Any, etas: Sequence[float], *, return_weights: bool = False) -> Any:
    r"""Plain GD on :math:`\frac1{2n}\sum_i (y_i - w^\top x_i)^2` from :math:`w_0 = 0`, step ``etas[l]`` at
    step ``l``; the prediction :math:`w_L^\top x_q` (and :math:`w_L` if asked)."""
    X, y, xq = _array(X), _array(y), _array(x_query)
    n = X.shape[-2]
    w = np.zeros(X.shape[:-2] + X.shape[-1:])
    for eta in etas:
        resid = y - np.einsum("...nd,...d->...n", X, w)
        w = w + eta / n * np.einsum("...nd,...n->...d", X, resid)
    pred = np.einsum("...d,...d->...", w, xq)
    return (pred, w) if return_weights else pred


def gd_layers(
    *, d_x: int, etas: Sequence[float], attn_scale: float, residual_scale: float, gamma: float = 1.0
) -> list[LSALayer]:
    r"""Layers in GD form performing steps ``etas``: :math:`W_K = W_Q = \sqrt\gamma\,\mathrm{diag}(I, 0)`,
    :math:`W_V = -\nu e_ye_y^\top` with :math:`\nu = \eta/(\rho\sigma\gamma)`."""
    if isinstance(d_x, bool) or not isinstance(d_x, int) or d_x < 1:
        raise ParameterError(f"d_x must be a positive integer, got {d_x!r}")
    if attn_scale <= 0 or residual_scale <= 0 or gamma <= 0:
        raise ParameterError("attn_scale, residual_scale and gamma must be > 0")
    D = d_x + 1
    kq = np.zeros((D, D))
    kq[:d_x, :d_x] = math.sqrt(gamma) * np.eye(d_x)
    layers = []
    for eta in etas:
        V = np.zeros((D, D))
        V[-1, -1] = -eta / (attn_scale * residual_scale * gamma)
        layers.append(LSALayer(W_K=kq, W_Q=kq, W_V=V))
    return layers


@dataclasses.dataclass(frozen=True, kw_only=True)
class GDReadout:
    r"""A layer read in the GD parametrisation.

    ``step_matrix`` :math:`\Gamma = -\rho\sigma\,V_{yy} P_{xx}` (preconditioned GD: the update of the
    query's prediction is :math:`\frac1n\sum_i r_i x_i^\top \Gamma x_q`); ``eta`` :math:`= \mathrm{tr}\,\Gamma/d_x`;
    ``distance`` in [0, 1]: relative Frobenius distance of the layer's bilinear map :math:`W_V \otimes P` from
    its projection on the GD form :math:`e_ye_y^\top \otimes \mathrm{diag}(I, 0)` (0 = exactly GD form);
    ``anisotropy`` :math:`\|\Gamma - \eta I\|_F/\|\Gamma\|_F` (0 = plain, unpreconditioned GD)."""

    eta: float
    step_matrix: np.ndarray
    distance: float
    anisotropy: float


def implied_step(
    layer: LSALayer | None = None,
    *,
    W_K: Any = None,
    W_Q: Any = None,
    W_V: Any = None,
    d_x: int,
    attn_scale: float,
    residual_scale: float,
) -> GDReadout:
    """Read a layer (or its W_K, W_Q, W_V, numpy or torch) as a GD step; see :class:`GDReadout`.

    >>> lay = gd_layers(d_x=2, etas=[0.3], attn_scale=1.0, residual_scale=1.0)[0]
    >>> r = implied_step(lay, d_x=2, attn_scale=1.0, residual_scale=1.0)
    >>> round(r.eta, 12), round(r.distance, 12), round(r.anisotropy, 12)
    (0.3, 0.0, 0.0)
    """
    if layer is None:
        layer = LSALayer(W_K=W_K, W_Q=W_Q, W_V=W_V)
    D = layer.width
    if d_x != D - 1:
        raise ParameterError(f"d_x = {d_x} does not match the layer width {D} (= d_x + 1)")
    P = layer.W_K.T @ layer.W_Q
    V = layer.W_V
    s = attn_scale * residual_scale
    Pxx = P[:d_x, :d_x]
    gamma_matrix = -s * V[-1, -1] * Pxx
    eta = float(np.trace(gamma_matrix) / d_x)
    normV, normP = np.linalg.norm(V), np.linalg.norm(P)
    if normV == 0 or normP == 0:
        return GDReadout(eta=0.0, step_matrix=gamma_matrix, distance=1.0, anisotropy=0.0)
    overlap = V[-1, -1] * np.trace(Pxx)
    resid_sq = max((normV * normP) ** 2 - overlap**2 / d_x, 0.0)
    distance = float(math.sqrt(resid_sq) / (normV * normP))
    norm_gamma = np.linalg.norm(gamma_matrix)
    anisotropy = float(np.linalg.norm(gamma_matrix - eta * np.eye(d_x)) / norm_gamma) if norm_gamma > 0 else 0.0
    return GDReadout(eta=eta, step_matrix=gamma_matrix, distance=distance, anisotropy=anisotropy)


def fitted_step(Z_before: Any, Z_after: Any) -> float:
    r"""The GD step that best explains one layer's change of the query's label slot, by least squares over
    a batch: :math:`\Delta_q = -\hat\eta\, g_q` with :math:`g_q = \frac1n\sum_i r_i x_i^\top x_q` read from
    ``Z_before`` (labels slots as residuals). Works for any layer, trained or constructed.

    >>> rng = np.random.default_rng(1)
    >>> Z = tokens(rng.standard_normal((8, 10, 2)), rng.standard_normal((8, 10)), rng.standard_normal((8, 2)))
    >>> lay = gd_layers(d_x=2, etas=[0.05], attn_scale=1.0, residual_scale=1.0)
    >>> round(fitted_step(Z, lsa_forward(Z, lay, attn_scale=1.0, residual_scale=1.0)), 12)
    0.05
    """
    Zb, Za = _array(Z_before), _array(Z_after)
    if Zb.shape != Za.shape:
        raise ParameterError("Z_before and Z_after must have the same shape")
    n = Zb.shape[-1] - 1
    X = Zb[..., :-1, :n]  # (..., d_x, n)
    r = Zb[..., -1, :n]
    xq = Zb[..., :-1, -1]
    g = np.einsum("...dn,...n,...d->...", X, r, xq) / n
    delta = Za[..., -1, -1] - Zb[..., -1, -1]
    g, delta = np.ravel(g), np.ravel(delta)
    denom = float(g @ g)
    if denom == 0:
        raise ParameterError("the gradient term vanishes on this batch; cannot fit a step")
    return float(-(g @ delta) / denom)
