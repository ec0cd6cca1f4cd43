r"""Exact-law sampler of the reduced-model features :math:`(x_{\ell+1}, u, y_{\ell+1})` in :math:`O(d)` per context.

The ``ℓ`` tokens enter the reduced model only through
:math:`u = [\frac d\ell \sum_i y_i x_i,\ \frac1\ell\sum_i y_i^2]`, so they need not be drawn. Derivation, for one
context with task :math:`w`, :math:`r = \|w\|`, :math:`\hat w = w/r`:

1. Rotate so that :math:`\hat w = e_1` (the law of :math:`x_i \sim N(0, I/d)` is rotation invariant): write
   :math:`x_i = a_i \hat w + b_i` with :math:`a_i \sim N(0, 1/d)` and :math:`b_i \perp \hat w`,
   :math:`b_i \sim N(0, P_\perp/d)`, independent. Then :math:`y_i = r a_i + \sqrt\rho\, g_i`.
2. The pairs :math:`(a_i, y_i) = L\,(G_{i1}, G_{i2})^\top` with :math:`G_{ij}` i.i.d. :math:`N(0,1)` and
   :math:`L = \begin{pmatrix}1/\sqrt d & 0\\ r/\sqrt d & \sqrt\rho\end{pmatrix}`. Their scatter is
   :math:`L\,G^\top G\,L^\top`, and :math:`G^\top G = BB^\top` is a 2×2 Wishart(ℓ, I) drawn by Bartlett:
   :math:`B = \begin{pmatrix}c_1 & 0\\ z & c_2\end{pmatrix}`, :math:`c_1^2 \sim \chi^2_\ell`,
   :math:`c_2^2 \sim \chi^2_{\ell-1}`, :math:`z \sim N(0,1)`. So with :math:`g_{11} = c_1^2`,
   :math:`g_{12} = c_1 z`, :math:`g_{22} = z^2 + c_2^2`:

   .. math:: \textstyle\sum y_i a_i = \frac{r g_{11}}{d} + \sqrt{\frac\rho d}\,g_{12},\qquad
             \sum y_i^2 = \frac{r^2 g_{11}}{d} + 2r\sqrt{\frac\rho d}\,g_{12} + \rho g_{22}.

3. Given the pairs, :math:`v = \sum_i y_i b_i` is Gaussian in the :math:`(d-1)`-dimensional complement of
   :math:`\hat w` with covariance :math:`(\sum_i y_i^2 / d)\,P_\perp`.
4. :math:`\sum_i y_i x_i = (\sum_i y_i a_i)\,\hat w + v`. The complement Gaussian needs no rotation: with
   :math:`g \sim N(0, I_d)`, :math:`P_\perp g = g - (g\cdot\hat w)\hat w \sim N(0, P_\perp)`, so
   :math:`\sum_i y_i x_i = \sigma g + (\sum_i y_i a_i - \sigma\, g\cdot\hat w)\,\hat w` with
   :math:`\sigma = (\sum_i y_i^2/d)^{1/2}` — three passes over ``d`` numbers.

The query :math:`x_{\ell+1} \sim N(0, I/d)` and its label are drawn directly. Total: :math:`O(d)` numbers per
context instead of :math:`(\ell+1) d`. The test suite checks moments and downstream errors against the
explicit sampler (:mod:`iclverify.empirics.montecarlo.sampling`).

>>> from iclverify.runtime.seeding import rng
>>> f = sample_features(rng(0, "f"), d=4, ell=1000, n=20000, rho=0.0, fresh_law="sphere")
>>> m = f.u[:, 4].mean()              # E (1/ℓ) Σ y² = ‖w‖²/d + ρ = 1
>>> bool(abs(m - 1) < 0.01)
True
"""

from __future__ import annotations

import math

import numpy as np

from iclverify.empirics.montecarlo.features import ContextFeatures
from iclverify.empirics.montecarlo.sampling import TaskLaw, context_tasks
from iclverify.runtime.validation import integer, nonnegative_real, positive_int

__all__ = ["sample_features", "summaries_given_tasks"]


def summaries_given_tasks(
    rng: np.random.Generator, w: np.ndarray, *, ell: int, rho: float, normals: type = np.float64
) -> np.ndarray:
    r"""``u (n, d+1)`` for contexts of ``ell`` tokens with tasks ``w (n, d)``, drawn from its exact law.

    >>> from iclverify.runtime.seeding import rng
    >>> w = np.zeros((3, 2)); w[:, 0] = [1.0, 2.0, 0.0]
    >>> u = summaries_given_tasks(rng(0, "u"), w, ell=5, rho=0.0)
    >>> bool(u[2, 2] == 0.0)  # w = 0, no noise: every y_i = 0
    True
    """
    w = np.asarray(w, dtype=float)
    n, d = w.shape
    ell = positive_int("ell", ell)
    rho = nonnegative_real("rho", rho)
    r = np.linalg.norm(w, axis=1)
    g11 = 2.0 * rng.standard_gamma(ell / 2.0, size=n)  # χ²_ℓ
    z = rng.standard_normal(n)
    c2sq = 2.0 * rng.standard_gamma((ell - 1) / 2.0, size=n)  # χ²_{ℓ-1} (0 when ℓ = 1)
    c1 = np.sqrt(g11)
    g12, g22 = c1 * z, z * z + c2sq
    srd = math.sqrt(rho / d)
    s_ya = r * g11 / d + srd * g12
    s_yy = r * r * g11 / d + 2.0 * r * srd * g12 + rho * g22
    s_yy = np.maximum(s_yy, 0.0)  # exact law is >= 0; guards the last ulp
    # Σ y x = σ g + (Σ y a − σ g·ŵ) ŵ with g ~ N(0, I_d), σ² = Σ y²/d; scaled by d/ℓ into u
    zero = r == 0
    what = w / np.where(zero, 1.0, r)[:, None]  # ŵ; any unit vector will do for w = 0 (then Σ y a = 0)
    if zero.any():
        what[zero] = np.eye(1, d)[0]
    g = rng.standard_normal((n, d), dtype=normals)
    sigma = np.sqrt(s_yy / d)
    along = s_ya - sigma * np.einsum("nd,nd->n", g, what, dtype=np.float64)
    u = np.empty((n, d + 1))
    scale = d / ell
    np.multiply(g, (sigma * scale)[:, None], out=u[:, :d])
    u[:, :d] += (along * scale)[:, None] * what
    u[:, d] = s_yy / ell
    return u


def sample_features(
    rng: np.random.Generator,
    *,
    d: int,
    ell: int,
    n: int,
    tasks: np.ndarray | None = None,
    rho: float,
    assignment: str = "balanced",
    fresh_law: TaskLaw = "gaussian",
    normals: type = np.float64,
) -> ContextFeatures:
    """Features of ``n`` contexts with the same law as ``context_features(sample_contexts(...))``.

    Same arguments as :func:`iclverify.empirics.montecarlo.sampling.sample_contexts`; costs ``O(n d)``.
    ``normals=np.float32`` draws the two ``n × d`` Gaussian arrays in single precision (twice as fast;
    the arithmetic stays in float64), for simulations whose solver works in single precision anyway.

    >>> from iclverify.runtime.seeding import rng
    >>> f = sample_features(rng(0, "f"), d=3, ell=6, n=5, tasks=np.eye(3) * 3 ** 0.5, rho=0.1)
    >>> f.x_query.shape, f.u.shape, f.task_index.tolist()
    ((5, 3), (5, 4), [0, 1, 2, 0, 1])
    """
    d, ell, n = integer("d", d, low=2), positive_int("ell", ell), positive_int("n", n)
    rho = nonnegative_real("rho", rho)
    w, index = context_tasks(rng, d=d, n=n, tasks=tasks, assignment=assignment, fresh_law=fresh_law)
    u = summaries_given_tasks(rng, w, ell=ell, rho=rho, normals=normals)
    xq = rng.standard_normal((n, d), dtype=normals) * (1 / math.sqrt(d))
    xq = xq.astype(np.float64, copy=False)
    yq = np.einsum("nd,nd->n", xq, w)
    if rho > 0:
        yq += math.sqrt(rho) * rng.standard_normal(n)
    return ContextFeatures(x_query=xq, u=u, y=yq, w=w, task_index=index, ell=ell, rho=rho)
