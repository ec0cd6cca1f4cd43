r"""The exact finite-d test error :math:`e(\Gamma)` of the reduced model (§2 of the paper page).

For a fixed :math:`\Gamma`, averaging :math:`(y_{\ell+1} - x_{\ell+1}^\top\Gamma u)^2` over tokens, noise and a
task law, with :math:`s = \|w\|^2/d + \rho` the label variance of a task,

.. math::
   e(\Gamma) = \mathbb E s - \tfrac2d \operatorname{tr}(\Gamma A) + \tfrac1d
   \operatorname{tr}(\Gamma^\top\Gamma B),\qquad
   A = \begin{pmatrix} R \\ m_{sw}^\top\end{pmatrix},\quad
   B = \begin{pmatrix} (1+\frac1\ell) R + \frac d\ell\,\mathbb E s\; I & (1+\frac2\ell)\, m_{sw} \\
                       (1+\frac2\ell)\, m_{sw}^\top & (1+\frac2\ell)\, m_{ss}\end{pmatrix}

with :math:`R = \mathbb E ww^\top`, :math:`m_{sw} = \mathbb E[s w]`, :math:`m_{ss} = \mathbb E s^2`. It follows from
:math:`\mathbb E[u\mid w] = (w, s)`, :math:`\mathrm{Cov}(\frac d\ell\sum y_ix_i\mid w) = \frac{ds}{\ell} I +
\frac{ww^\top}\ell`,
:math:`\mathbb E[y^3x] = 3s\,w/d` (Stein) and :math:`\mathbb E[(\frac1\ell\sum y_i^2)^2\mid w] =
s^2(1+\frac2\ell)`. For tasks
on the sphere :math:`\|w\|^2 = d` (:math:`s = 1+\rho`) it is the paper's formula with :math:`\hat\mu` and
:math:`\hat R`. ICL: :math:`R = I`, :math:`m_{sw} = 0`, :math:`m_{ss} = (1+\rho)^2` (sphere) or
:math:`(1+\rho)^2 + 2/d` (Gaussian tasks). IDG: the moments of the uniform law on the ``k`` training tasks.

Cost: :math:`O(d^3)` (ICL) or :math:`O(k d^2)` (IDG), no sampling.

>>> d, ell = 8, 8
>>> gamma = np.hstack([np.eye(d), np.zeros((d, 1))])   # ŷ = x_qᵀ (d/ℓ) Σ y_i x_i
>>> round(e_icl(gamma, ell=ell, rho=0.0), 12) == round(1 + 1 / d, 12)   # ‖w − ŵ‖²/d = d/ℓ + 1/ℓ
True
>>> e_icl(np.zeros((d, d + 1)), ell=ell, rho=0.25)   # the zero predictor: 1 + ρ
1.25
"""

from __future__ import annotations

import dataclasses

import numpy as np

from iclverify.empirics.montecarlo.features import check_gamma
from iclverify.empirics.montecarlo.sampling import TASK_LAWS, TaskLaw
from iclverify.runtime.errors import ParameterError
from iclverify.runtime.validation import nonnegative_real, one_of, positive_int

__all__ = ["TaskMoments", "e_icl", "e_idg", "error_functional", "icl_moments", "task_set_moments"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class TaskMoments:
    r"""Moments of a task law that :math:`e(\Gamma)` needs: :math:`R = \mathbb E ww^\top`, :math:`\mathbb E s`,
    :math:`m_{sw} = \mathbb E[sw]`, :math:`m_{ss} = \mathbb E s^2` (``second`` may be ``None`` for :math:`R = I`)."""

    d: int
    second: np.ndarray | None
    mean_s: float
    m_sw: np.ndarray
    m_ss: float


def icl_moments(d: int, rho: float, law: TaskLaw = "sphere") -> TaskMoments:
    r"""Fresh tasks: uniform on the :math:`\sqrt d`-sphere, or :math:`N(0, I_d)`."""
    d, rho = positive_int("d", d), nonnegative_real("rho", rho)
    sphere = one_of("task law", law, TASK_LAWS) == "sphere"
    m_ss = (1 + rho) ** 2 + (0.0 if sphere else 2.0 / d)  # Gaussian tasks: Var ‖w‖²/d = 2/d
    return TaskMoments(d=d, second=None, mean_s=1 + rho, m_sw=np.zeros(d), m_ss=m_ss)


def task_set_moments(tasks: np.ndarray, rho: float) -> TaskMoments:
    """The uniform law on a finite set of tasks ``(k, d)`` (the in-distribution, IDG, test law)."""
    w = np.asarray(tasks, dtype=float)
    if w.ndim != 2 or w.shape[0] < 1:
        raise ParameterError(f"tasks must be an array (k, d), got shape {w.shape}")
    k, d = w.shape
    rho = nonnegative_real("rho", rho)
    s = (w * w).sum(axis=1) / d + rho
    return TaskMoments(d=d, second=w.T @ w / k, mean_s=float(s.mean()), m_sw=s @ w / k, m_ss=float((s * s).mean()))


def error_functional(gamma: np.ndarray, moments: TaskMoments, *, ell: int) -> float:
    r""":math:`e(\Gamma)` for context length ``ell`` under the task law with these ``moments``."""
    d = moments.d
    gamma = check_gamma(gamma, d)
    ell = positive_int("ell", ell)
    g, gl = gamma[:, :d], gamma[:, d]
    second = np.eye(d) if moments.second is None else moments.second
    tr_ga = np.einsum("ij,ji->", g, second) + gl @ moments.m_sw
    gr = g @ second
    quad = (
        (1 + 1 / ell) * np.einsum("ij,ij->", gr, g)
        + (d / ell) * moments.mean_s * np.einsum("ij,ij->", g, g)
        + 2 * (1 + 2 / ell) * (gl @ (g @ moments.m_sw))
        + (1 + 2 / ell) * moments.m_ss * (gl @ gl)
    )
    return float(moments.mean_s - 2 * tr_ga / d + quad / d)


def e_icl(gamma: np.ndarray, *, ell: int, rho: float, law: TaskLaw = "sphere") -> float:
    r"""In-context error :math:`e^{\mathrm{ICL}}(\Gamma)`: a fresh task for every test context."""
    gamma = np.asarray(gamma, dtype=float)
    return error_functional(gamma, icl_moments(gamma.shape[0], rho, law), ell=ell)


def e_idg(gamma: np.ndarray, tasks: np.ndarray, *, ell: int, rho: float) -> float:
    r"""In-distribution error :math:`e^{\mathrm{IDG}}(\Gamma)`: the task drawn uniformly from ``tasks``."""
    return error_functional(gamma, task_set_moments(tasks, rho), ell=ell)
