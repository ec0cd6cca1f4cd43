r"""Explicit sampler of the in-context regression data of Lu et al. (2024), token by token.

One context holds :math:`\ell + 1` tokens :math:`x_i \sim N(0, I_d/d)` with labels
:math:`y_i = \langle x_i, w\rangle + \varepsilon_i`, :math:`\varepsilon_i \sim N(0, \rho)`; the last token is the
query. Tasks :math:`w` are uniform on the sphere of radius :math:`\sqrt d` (``law="sphere"``) or
:math:`N(0, I_d)` (``law="gaussian"``).

Pretraining with finite diversity draws :math:`k` tasks once (:func:`sample_tasks`) and gives each of the
:math:`n` contexts one of them: ``assignment="balanced"`` (task :math:`\mu \bmod k`, so every task is used
:math:`\lfloor n/k\rfloor` or :math:`\lceil n/k\rceil` times) or ``"random"`` (uniform with replacement, which is
also the in-distribution (IDG) test law). ``tasks=None`` means :math:`\kappa = \infty`: a fresh task per context.

This sampler costs :math:`O(n \ell d)`; :mod:`iclverify.empirics.montecarlo.exact_law` draws the same law of the
reduced-model features in :math:`O(n d)` without the tokens.

>>> from iclverify.runtime.seeding import rng
>>> w = sample_tasks(rng(0, "tasks"), k=3, d=5)
>>> w.shape, bool(np.allclose((w ** 2).sum(axis=1), 5))
((3, 5), True)
>>> c = sample_contexts(rng(0, "train"), d=5, ell=8, n=7, tasks=w, rho=0.1)
>>> c.x.shape, c.y.shape, c.task_index.tolist()
((7, 9, 5), (7, 9), [0, 1, 2, 0, 1, 2, 0])
"""

from __future__ import annotations

import dataclasses
import math
from typing import Literal

import numpy as np

from iclverify.runtime.errors import ParameterError
from iclverify.runtime.validation import integer, nonnegative_real, one_of, positive_int, positive_real

__all__ = [
    "ASSIGNMENTS",
    "ROUNDINGS",
    "TASK_LAWS",
    "Assignment",
    "Contexts",
    "TaskLaw",
    "assign_tasks",
    "lu_sizes",
    "sample_contexts",
    "sample_idg_contexts",
    "sample_tasks",
]

TaskLaw = Literal["sphere", "gaussian"]
TASK_LAWS: tuple[TaskLaw, ...] = ("sphere", "gaussian")
# How the n pretraining contexts share the k tasks (the one definition; training passes it through).
Assignment = Literal["balanced", "random"]
ASSIGNMENTS: tuple[Assignment, ...] = ("balanced", "random")
# How sizes alpha*d, tau*d^2, kappa*d become integers: the project rounds (default); Lu et al. draw floor(kappa d).
ROUNDINGS = ("round", "floor")


def lu_sizes(d: int, *, tau: float, alpha: float, kappa: float, rounding: str = "round") -> dict[str, int | None]:
    r"""Integer sizes at dimension ``d``: :math:`\ell = [\alpha d]`, :math:`n = [\tau d^2]`, :math:`k = [\kappa d]`
    (``None`` for :math:`\kappa = \infty`), each at least 1, where :math:`[\cdot]` is the ``rounding`` rule:
    ``"round"`` (nearest integer, the project's default) or ``"floor"`` (:math:`\lfloor\cdot\rfloor`, Lu et al.'s
    :math:`k = \lfloor\kappa d\rfloor`).

    >>> lu_sizes(32, tau=10, alpha=10, kappa=0.2)
    {'ell': 320, 'n': 10240, 'k': 6}
    >>> lu_sizes(64, tau=10, alpha=10, kappa=0.2)["k"], lu_sizes(64, tau=10, alpha=10, kappa=0.2, rounding="floor")["k"]
    (13, 12)
    >>> lu_sizes(100, tau=1, alpha=1, kappa=0.29, rounding="floor")["k"]
    29
    >>> lu_sizes(16, tau=0.5, alpha=1, kappa=math.inf)["k"] is None
    True
    """
    d = integer("d", d, low=2)
    tau, alpha = positive_real("tau", tau), positive_real("alpha", alpha)
    kappa = positive_real("kappa", kappa, allow_inf=True)
    # floor after rounding to 9 decimals, so that 0.29 * 100 = 28.999999999999996 floors to 29, not 28
    to_int = (lambda x: math.floor(round(x, 9))) if one_of("rounding", rounding, ROUNDINGS) == "floor" else round
    k = None if math.isinf(kappa) else max(1, int(to_int(kappa * d)))
    return {"ell": max(1, int(to_int(alpha * d))), "n": max(1, int(to_int(tau * d * d))), "k": k}


def sample_tasks(rng: np.random.Generator, *, k: int, d: int, law: TaskLaw = "sphere") -> np.ndarray:
    r"""``(k, d)`` tasks: uniform on the sphere :math:`\|w\| = \sqrt d`, or :math:`N(0, I_d)`.

    >>> from iclverify.runtime.seeding import rng
    >>> sample_tasks(rng(1, "t"), k=2, d=3, law="gaussian").shape
    (2, 3)
    """
    k = positive_int("k", k)
    d = positive_int("d", d)
    g = rng.standard_normal((k, d))
    if one_of("task law", law, TASK_LAWS) == "sphere":
        g *= math.sqrt(d) / np.linalg.norm(g, axis=1, keepdims=True)
    return g


def assign_tasks(rng: np.random.Generator, *, n: int, k: int, assignment: str = "balanced") -> np.ndarray:
    """Task index of each of ``n`` contexts: ``balanced`` (``mu mod k``) or ``random`` (with replacement).

    >>> from iclverify.runtime.seeding import rng
    >>> np.bincount(assign_tasks(rng(0, "a"), n=10, k=4)).tolist()
    [3, 3, 2, 2]
    """
    if one_of("assignment", assignment, ASSIGNMENTS) == "balanced":
        return np.arange(n) % k
    return rng.integers(0, k, size=n)


def context_tasks(
    rng: np.random.Generator,
    *,
    d: int,
    n: int,
    tasks: np.ndarray | None,
    assignment: str,
    fresh_law: TaskLaw,
) -> tuple[np.ndarray, np.ndarray | None]:
    """The ``(n, d)`` task of every context and the index into ``tasks`` (``None`` for fresh tasks)."""
    if tasks is None:
        return sample_tasks(rng, k=n, d=d, law=fresh_law), None
    tasks = np.asarray(tasks, dtype=float)
    if tasks.ndim != 2 or tasks.shape[1] != d or tasks.shape[0] < 1:
        raise ParameterError(f"tasks must be an array of shape (k, d={d}), got {tasks.shape}")
    index = assign_tasks(rng, n=n, k=tasks.shape[0], assignment=assignment)
    return tasks[index], index


@dataclasses.dataclass(frozen=True, kw_only=True)
class Contexts:
    """``n`` contexts of explicit tokens; the last token of each is the query.

    ``x``: ``(n, ell+1, d)``, ``y``: ``(n, ell+1)``, ``w``: ``(n, d)`` the task of each context,
    ``task_index``: ``(n,)`` index into the task set, or ``None`` when every context had a fresh task.
    """

    x: np.ndarray
    y: np.ndarray
    w: np.ndarray
    task_index: np.ndarray | None
    rho: float

    @property
    def n(self) -> int:
        return self.x.shape[0]

    @property
    def ell(self) -> int:
        return self.x.shape[1] - 1

    @property
    def d(self) -> int:
        return self.x.shape[2]


def sample_contexts(
    rng: np.random.Generator,
    *,
    d: int,
    ell: int,
    n: int,
    tasks: np.ndarray | None = None,
    rho: float,
    assignment: str = "balanced",
    fresh_law: TaskLaw = "gaussian",
) -> Contexts:
    r"""``n`` contexts of ``ell`` labelled tokens and a query, :math:`x \sim N(0, I_d/d)`.

    ``tasks=None``: a fresh task per context from ``fresh_law`` (:math:`\kappa=\infty`, and the ICL test law);
    otherwise an array ``(k, d)`` of tasks assigned by ``assignment``.

    >>> from iclverify.runtime.seeding import rng
    >>> c = sample_contexts(rng(0, "x"), d=4, ell=3, n=2, rho=0.0)
    >>> bool(np.allclose(c.y, np.einsum("nid,nd->ni", c.x, c.w))), c.task_index is None
    (True, True)
    """
    d, ell, n = positive_int("d", d), positive_int("ell", ell), positive_int("n", n)
    rho = nonnegative_real("rho", rho)
    w, index = context_tasks(rng, d=d, n=n, tasks=tasks, assignment=assignment, fresh_law=fresh_law)
    x = rng.standard_normal((n, ell + 1, d)) / math.sqrt(d)
    y = np.einsum("nid,nd->ni", x, w)
    if rho > 0:
        y += math.sqrt(rho) * rng.standard_normal((n, ell + 1))
    return Contexts(x=x, y=y, w=w, task_index=index, rho=rho)


def sample_idg_contexts(rng: np.random.Generator, *, tasks: np.ndarray, ell: int, n: int, rho: float) -> Contexts:
    """The in-distribution test law: each context's task drawn uniformly from the pretraining ``tasks``."""
    tasks = np.asarray(tasks, dtype=float)
    return sample_contexts(rng, d=tasks.shape[1], ell=ell, n=n, tasks=tasks, rho=rho, assignment="random")
