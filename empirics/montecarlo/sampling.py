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

__all__ = [
    "Contexts",
    "TaskLaw",
    "assign_tasks",
    "check_positive_int",
    "check_rho",
    "lu_sizes",
    "sample_contexts",
    "sample_idg_contexts",
    "sample_tasks",
]

TaskLaw = Literal["sphere", "gaussian"]
TASK_LAWS: tuple[str, ...] = ("sphere", "gaussian")
ASSIGNMENTS: tuple[str, ...] = ("balanced", "random")


def check_positive_int(name: str, value: object, *, low: int = 1) -> int:
    """An integer size ``>= low`` (bools and floats with a fraction are refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ParameterError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def check_rho(rho: object) -> float:
    """The label-noise variance: a finite float ``>= 0``."""
    try:
        r = float(rho)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParameterError(f"rho must be a finite number >= 0, got {rho!r}") from None
    if not math.isfinite(r) or r < 0:
        raise ParameterError(f"rho must be a finite number >= 0, got {rho!r}")
    return r


def _check_law(law: str) -> str:
    if law not in TASK_LAWS:
        raise ParameterError(f"task law must be one of {', '.join(TASK_LAWS)}, got {law!r}")
    return law


def lu_sizes(d: int, *, tau: float, alpha: float, kappa: float) -> dict[str, int | None]:
    r"""Integer sizes at dimension ``d``: :math:`\ell = \mathrm{round}(\alpha d)`, :math:`n = \mathrm{round}(\tau d^2)`,
    :math:`k = \mathrm{round}(\kappa d)` (``None`` for :math:`\kappa = \infty`), each at least 1.

    >>> lu_sizes(32, tau=10, alpha=10, kappa=0.2)
    {'ell': 320, 'n': 10240, 'k': 6}
    >>> lu_sizes(16, tau=0.5, alpha=1, kappa=math.inf)["k"] is None
    True
    """
    d = check_positive_int("d", d, low=2)
    for name, v in (("tau", tau), ("alpha", alpha), ("kappa", kappa)):
        if not (float(v) > 0) or math.isnan(float(v)):
            raise ParameterError(f"{name} must be > 0, got {v!r}")
    if not math.isfinite(float(tau)) or not math.isfinite(float(alpha)):
        raise ParameterError("tau and alpha must be finite")
    k = None if math.isinf(float(kappa)) else max(1, round(float(kappa) * d))
    return {"ell": max(1, round(float(alpha) * d)), "n": max(1, round(float(tau) * d * d)), "k": k}


def sample_tasks(rng: np.random.Generator, *, k: int, d: int, law: TaskLaw = "sphere") -> np.ndarray:
    r"""``(k, d)`` tasks: uniform on the sphere :math:`\|w\| = \sqrt d`, or :math:`N(0, I_d)`.

    >>> from iclverify.runtime.seeding import rng
    >>> sample_tasks(rng(1, "t"), k=2, d=3, law="gaussian").shape
    (2, 3)
    """
    k = check_positive_int("k", k)
    d = check_positive_int("d", d)
    g = rng.standard_normal((k, d))
    if _check_law(law) == "sphere":
        g *= math.sqrt(d) / np.linalg.norm(g, axis=1, keepdims=True)
    return g


def assign_tasks(rng: np.random.Generator, *, n: int, k: int, assignment: str = "balanced") -> np.ndarray:
    """Task index of each of ``n`` contexts: ``balanced`` (``mu mod k``) or ``random`` (with replacement).

    >>> from iclverify.runtime.seeding import rng
    >>> np.bincount(assign_tasks(rng(0, "a"), n=10, k=4)).tolist()
    [3, 3, 2, 2]
    """
    if assignment == "balanced":
        return np.arange(n) % k
    if assignment == "random":
        return rng.integers(0, k, size=n)
    raise ParameterError(f"assignment must be one of {', '.join(ASSIGNMENTS)}, got {assignment!r}")


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
    d = check_positive_int("d", d)
    ell = check_positive_int("ell", ell)
    n = check_positive_int("n", n)
    rho = check_rho(rho)
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
