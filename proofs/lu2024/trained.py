r"""Lu et al. (2024) §5 against trained models: double descent, the interpolation threshold, task diversity.

Every rule is fixed here before any number is seen. Training protocols are
:func:`iclverify.empirics.experiments.lu2024_protocols.protocol` (``quick``: full-batch AdamW with a
cosine-decayed rate for 600–1000 steps at d ≤ 8; ``full``: the paper's AdamW lr 1e-4, weight decay 1e-4,
minibatches of 0.1 P, 10⁵ steps, d ∈ {20, 40, 80}); each verdict records its protocol, sizes and seeds.
Runs of one shape train as members of one batched pass of the engine
(:mod:`iclverify.empirics.training.engine`): the whole τ × seed grid of a curve, the κ × seed grid of
Fig. 6, and each round of the seeds' n* bisections, which run in lockstep. All runs are cached in
``ctx.cache`` (shared between claims: the threshold searches of the double-descent claim are those of the
scaling claim) and resume after an interruption.

**Steps.** The threshold claims (double descent, n* scaling, complexity order) are about what a fixed
number of gradient steps reaches (the paper's operational n*), so they keep a fixed budget. The claims
about the trained minimum (task diversity, the Γ tie) train under the engine's convergence rule
(``CONVERGE``: stop when the mean train loss changes by less than ``rtol`` between consecutive windows,
with the level's step count as the cap) and record whether each run converged.

**Interpolation threshold n*** (:mod:`iclverify.empirics.experiments.threshold`): a run interpolates when its final
training loss is below θ = 10⁻³ (1 + ρ); n* is located by bisection in the number of training contexts P
(κ = ∞) to a relative bracket ``rel_tol``, separately for every seed. The criterion measures what the
optimiser reaches within the budget (as the paper's "at a fixed number of gradient steps" does): near n*
the fit is ill-conditioned, so a short budget reads n* low — the convex Γ model's n* = d(d+1) reads 45%
low after 600 steps and exactly after 3000 — and the complexity-order check tests budget-robustness.

* :func:`check_double_descent` — Fig. 5: the ICL error against τ has an interior peak near n*/d².
* :func:`check_threshold_scaling` — Fig. 5d: n* ∝ d^a with a ≈ 2.
* :func:`check_complexity_order` — Fig. 5: n*/d² grows from linear attention to deeper softmax models.
* :func:`check_task_diversity` — Fig. 6: g_task of the two-block model falls with κ as the theory's does.
* :func:`check_gamma_tie` — §2 and §5 tied: trained linear attention meets the ridge solution Γ*.

Sizes (quick / full), 5 seeds per point at both levels: double descent d = 8, τ ∈ {0.25 … 4}, linear
attention / d ∈ {20, 40, 80}, all four models; scaling d ∈ {4, 6, 8}, linear attention / d ∈ {20, 40, 80},
all four models; order d = 6, three models / d = 20, four models; task diversity d = 6, τ = 10,
κ ∈ {0.25 … 16} / d = 20; Γ tie d = 6 / d = 10 (one seed: the tie is exact, not statistical).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.stats

from iclverify.proofs.framework.claims import CheckContext, Claim, Status, Verdict
from iclverify.proofs.framework.evidence import interval_rule, jsonable
from iclverify.proofs.framework.lazy import LazyCallable

__all__ = [
    "CLAIMS",
    "PAPER_SPREAD",
    "SETUPS",
    "check_complexity_order",
    "check_double_descent",
    "check_gamma_tie",
    "check_task_diversity",
    "check_threshold_scaling",
    "diversity_status",
    "double_descent_status",
    "fig5_curve",
    "fig5_curves",
    "fig6_points",
    "find_threshold",
    "find_thresholds",
    "find_thresholds_many",
    "model_spec",
    "order_status",
    "scaling_status",
    "tie_status",
]

PAPER = "lu2024"
PAPER_SPREAD = (1.66, 2.13)  # the paper's own fitted exponents (reported in the evidence, not used by the rule)
SCALING_MAX_WIDTH = 0.6  # a CI of a wider than this decides nothing
PEAK_Z = 3.0  # a peak (or a fall) counts when it exceeds 3 standard errors
NEAR_FACTOR = 2.0  # the error peak is "near" n* when within a factor 2 in τ
TIE_GAMMA_RTOL = 1e-6  # trained Γ model vs Γ*: an exact tie up to optimisation round-off
TIE_EXCESS = 0.02  # full K,Q,V at the largest τ: test error within 2% of e(Γ*)
FALL_SPEARMAN = -0.8  # g_task(κ) "falls" when its rank correlation with κ is at most this
# The convergence rule (:class:`iclverify.empirics.training.engine.StopRule`) of the claims about a trained
# minimum — task diversity and the Γ tie; the threshold claims keep the paper's fixed number of steps.
CONVERGE = {
    "diversity": dict(converge_window=200, converge_rtol=0.01),
    "gamma": dict(converge_window=100, converge_rtol=1e-10),
    "linear": dict(converge_window=100, converge_rtol=1e-3),
}


@dataclasses.dataclass(frozen=True, kw_only=True)
class Search:
    """How n* is searched for one architecture: initial bracket in τ and relative precision."""

    tau_range: tuple[float, float]
    rel_tol: float


SEARCH = {
    "quick": {"linear": Search(tau_range=(0.6, 2.0), rel_tol=0.05), "other": Search(tau_range=(0.5, 8.0), rel_tol=0.1)},
    "full": {"linear": Search(tau_range=(0.6, 2.0), rel_tol=0.05), "other": Search(tau_range=(0.5, 8.0), rel_tol=0.05)},
}

SETUPS: dict[str, dict[str, Any]] = {
    "quick": {
        "double_descent": dict(models=("linear",), ds=(8,), taus=(0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 4.0), seeds=5),
        "scaling": dict(models=("linear",), ds=(4, 6, 8), seeds=5),
        "order": dict(models=("linear", "softmax", "two-blocks"), d=6, seeds=5, budget_factor=3),
        "diversity": dict(
            d=6, tau=10.0, kappas=(0.25, 0.5, 1.0, 4.0, 16.0), seeds=5, steps=2000, lr=3e-3, dmmse_runs=4000
        ),
        "tie": dict(
            gamma_d=6,
            gamma_tau=4.0,
            lam=1e-2,
            gamma_steps=1000,
            linear_d=6,
            linear_taus=(4.0, 16.0, 48.0),
            linear_steps=1500,
        ),
    },
    "full": {
        "double_descent": dict(
            models=("linear", "softmax", "two-blocks", "three-blocks"),
            ds=(20, 40, 80),
            taus=(0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0),
            seeds=5,
        ),
        "scaling": dict(models=("linear", "softmax", "two-blocks", "three-blocks"), ds=(20, 40, 80), seeds=5),
        "order": dict(models=("linear", "softmax", "two-blocks", "three-blocks"), d=20, seeds=5, budget_factor=3),
        "diversity": dict(
            d=20,
            tau=10.0,
            kappas=(0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0),
            seeds=5,
            steps=100_000,
            lr=1e-4,
            dmmse_runs=20000,
        ),
        "tie": dict(
            gamma_d=10,
            gamma_tau=4.0,
            lam=1e-2,
            gamma_steps=3000,
            linear_d=10,
            linear_taus=(4.0, 16.0, 64.0),
            linear_steps=6000,
        ),
    },
}


# ---------------------------------------------------------------------------------------------------
# shared pieces


def _torch_modules():
    """The torch-backed empirics, imported only when a check runs (the registry must import without torch)."""
    from iclverify.empirics.experiments import lu2024_protocols as protocols
    from iclverify.empirics.experiments import threshold
    from iclverify.empirics.training import train

    return protocols, threshold, train


def model_spec(key: str) -> Any:
    """The :class:`~iclverify.empirics.experiments.lu2024_protocols.ModelSpec` named ``key`` (``linear``,
    ``softmax``, ``two-blocks``, ``three-blocks``)."""
    protocols, _, _ = _torch_modules()
    return next(s for s in protocols.FIG5_MODELS if s.key == key)


def _search(level: str, key: str) -> Search:
    return SEARCH[level]["linear" if key == "linear" else "other"]


def find_thresholds(ctx: CheckContext, key: str, d: int, seeds: Sequence[int]) -> list[Any]:
    """n* of architecture ``key`` at dimension ``d`` for each seed under the level's protocol (None where no
    bracket is found): :func:`find_thresholds_many` for one (architecture, d)."""
    return find_thresholds_many(ctx, [(key, d)], seeds)[(key, d)]


def find_thresholds_many(
    ctx: CheckContext, points: Sequence[tuple[str, int]], seeds: Sequence[int]
) -> dict[tuple[str, int], list[Any]]:
    """n* for every (architecture, d) of ``points`` and every seed. Every search starts from the level's τ
    bracket; all of them run in lockstep, each round submitted at once (runs of one shape train as one
    batched pass, passes of different shapes side by side)."""
    protocols, threshold, _ = _torch_modules()
    searches = []
    for key, d in points:
        spec, search = model_spec(key), _search(ctx.level, key)
        proto = protocols.protocol(ctx.level, spec.model)
        searches += [
            threshold.Search(
                protocol=proto,
                model=spec.model,
                layers=spec.layers,
                d=d,
                seed=s,
                tau_range=search.tau_range,
                rel_tol=search.rel_tol,
            )
            for s in seeds
        ]
    found = threshold.trained_thresholds_many(searches, device=ctx.device, cache=ctx.cache, progress=ctx.progress)
    n = len(seeds)
    return {point: found[i * n : (i + 1) * n] for i, point in enumerate(points)}


def find_threshold(ctx: CheckContext, key: str, d: int, seed: int) -> Any:
    """n* for one seed (:func:`find_thresholds`)."""
    return find_thresholds(ctx, key, d, [seed])[0]


def _seeds(ctx: CheckContext, count: int) -> list[int]:
    return [ctx.seed + i for i in range(count)]


# ---------------------------------------------------------------------------------------------------
# double descent (Fig. 5)


def double_descent_status(taus: Sequence[float], errors: np.ndarray, tau_star: float | None) -> dict[str, Any]:
    r"""Decide one curve: ``errors`` is (seeds, len(taus)) of ICL errors; ``tau_star`` the located n*/d².

    On log errors (the peak is multiplicative and its spread heavy-tailed): mean :math:`L_j` and standard
    error :math:`s_j` over seeds at each τ_j, the peak :math:`j^* = \arg\max L_j`, the higher end
    :math:`e = \arg\max(L_0, L_{\rm last})`. *confirmed*: :math:`j^*` interior,
    :math:`L_{j^*} - L_e > 3\sqrt{s_{j^*}^2 + s_e^2}` and :math:`|\ln(\tau_{j^*}/\tau^*)| \le \ln 2`.
    *refuted*: no interior point lies above both ends, or a significant interior peak lies more than a
    factor 2 from τ*. *inconclusive* otherwise (or when τ* is unknown).

    >>> t = [0.5, 1.0, 1.25, 2.0, 4.0]
    >>> e = np.array([[1.5, 3.0, 9.0, 3.0, 1.0], [1.6, 3.5, 12.0, 3.2, 1.1], [1.4, 2.5, 7.0, 2.8, 0.9]])
    >>> falling = e[:, ::-1] * 0 + [5, 4, 3, 2, 1]
    >>> double_descent_status(t, e, 1.15)["status"], double_descent_status(t, falling, 1.15)["status"]
    ('confirmed', 'refuted')
    """
    logs = np.log(np.asarray(errors, dtype=float))
    means = logs.mean(axis=0)
    ses = logs.std(axis=0, ddof=1) / math.sqrt(logs.shape[0]) if logs.shape[0] > 1 else np.full(logs.shape[1], np.inf)
    top = int(np.argmax(means))
    end = 0 if means[0] >= means[-1] else len(means) - 1
    interior = 0 < top < len(means) - 1
    height = float(means[top] - means[end])
    se = float(math.hypot(ses[top], ses[end]))
    significant = interior and height > PEAK_Z * se
    near = tau_star is not None and abs(math.log(taus[top] / tau_star)) <= math.log(NEAR_FACTOR)
    any_above = bool((means[1:-1] > max(means[0], means[-1])).any())
    if significant and near:
        status = "confirmed"
    elif not any_above or (significant and tau_star is not None and not near):
        status = "refuted"
    else:
        status = "inconclusive"
    return {
        "status": status,
        "peak_tau": taus[top],
        "tau_star": tau_star,
        "log_height": height,
        "log_height_se": se,
        "interior": interior,
        "significant": bool(significant),
        "near": bool(near),
        "geometric_mean_icl": np.exp(means).tolist(),
    }


def fig5_curve(ctx: CheckContext, key: str, d: int, taus: Sequence[float], seeds: Sequence[int]) -> dict[str, Any]:
    """Train architecture ``key`` at every (τ, seed); locate n* for every seed. Errors are (seeds, taus) arrays."""
    return fig5_curves(ctx, [(key, d)], taus, seeds)[(key, d)]


def fig5_curves(
    ctx: CheckContext, points: Sequence[tuple[str, int]], taus: Sequence[float], seeds: Sequence[int]
) -> dict[tuple[str, int], dict[str, Any]]:
    """:func:`fig5_curve` for every (architecture, d) of ``points``: every curve's runs are submitted at once,
    then every n* search runs in lockstep (:func:`find_thresholds_many`)."""
    protocols, _, train = _torch_modules()
    configs = []
    for key, d in points:
        spec = model_spec(key)
        proto = protocols.protocol(ctx.level, spec.model)
        configs += [proto.config(model=spec.model, layers=spec.layers, d=d, tau=t, seed=s) for s in seeds for t in taus]
    label = ", ".join(f"{key} d={d}" for key, d in points)
    results = train.train_many(
        configs, device=ctx.device, cache=ctx.cache, progress=ctx.progress, description=f"Fig. 5 {label}"
    )
    thresholds = find_thresholds_many(ctx, points, seeds)
    shape, size = (len(seeds), len(taus)), len(seeds) * len(taus)
    out = {}
    for i, (key, d) in enumerate(points):
        part, found = results[i * size : (i + 1) * size], thresholds[(key, d)]
        out[(key, d)] = {
            "icl_error": np.array([r["icl_error"] for r in part]).reshape(shape),
            "train_loss": np.array([r["train_loss"] for r in part]).reshape(shape),
            "thresholds": found,
            "tau_star": (
                float(np.median([t.n_star / d**2 for t in found])) if all(t is not None for t in found) else None
            ),
            "protocol": protocols.protocol(ctx.level, model_spec(key).model).describe(),
        }
    return out


def check_double_descent(ctx: CheckContext) -> Verdict:
    """ICL error against τ peaks near the interpolation threshold (rule: :func:`double_descent_status`)."""
    protocols, _, _ = _torch_modules()
    setup = SETUPS[ctx.level]["double_descent"]
    seeds = _seeds(ctx, setup["seeds"])
    curves, statuses = [], []
    points = [(key, d) for key in setup["models"] for d in setup["ds"]]
    for (key, d), data in fig5_curves(ctx, points, setup["taus"], seeds).items():
        row = double_descent_status(setup["taus"], data["icl_error"], data["tau_star"])
        curves.append(
            {"model": key, "d": d, "taus": list(setup["taus"]), "icl_error": data["icl_error"].tolist(), **row}
        )
        statuses.append(row["status"])
    evidence = dict(
        curves=jsonable(curves),
        seeds=seeds,
        protocol=protocols.protocol(ctx.level, "linear").describe(),
        rule=(double_descent_status.__doc__ or "").split("\n\n")[1].strip(),
    )
    where = ", ".join(
        f"{c['model']} d={c['d']}: peak τ={c['peak_tau']:g}, "
        f"τ*={c['tau_star'] if c['tau_star'] is None else round(c['tau_star'], 3)}, {c['status']}"
        for c in curves
    )
    if all(s == "confirmed" for s in statuses):
        return Verdict.confirmed(f"ICL error peaks near n*/d² for every curve ({where})", **evidence)
    if "refuted" in statuses:
        return Verdict.refuted(f"no peak at the interpolation threshold in some curve ({where})", **evidence)
    return Verdict.inconclusive(f"peak not significant or threshold not located ({where})", **evidence)


# ---------------------------------------------------------------------------------------------------
# threshold scaling (Fig. 5d)


def finite_d_exponent(ds: Sequence[int]) -> float:
    r"""The exponent "n* ∝ d²" predicts over the dimensions ``ds``: the log-log OLS slope of the reduced model's
    exact threshold :math:`n^* = d(d+1)` (its number of parameters) against d, which tends to 2 as d grows.

    >>> round(finite_d_exponent([4, 6, 8]), 3), round(finite_d_exponent([20, 40, 80]), 3)
    (1.847, 1.974)
    """
    x = np.log(np.asarray(ds, dtype=float))
    y = np.log(np.asarray(ds, dtype=float) * (np.asarray(ds, dtype=float) + 1))
    return float(np.polyfit(x, y, 1)[0])


def scaling_status(fit: Any, predicted: float, max_width: float = SCALING_MAX_WIDTH) -> str:
    """*inconclusive* when the bootstrap had too few seeds per d to trust its interval (a warning); else
    *refuted* if the CI of a excludes the predicted finite-d exponent, *confirmed* if it contains it and is at
    most ``max_width`` wide, *inconclusive* otherwise.

    >>> from types import SimpleNamespace as NS
    >>> [scaling_status(NS(ci=ci, warnings=()), 1.97) for ci in [(1.8, 2.1), (2.6, 3.0), (1.2, 2.2)]]
    ['confirmed', 'refuted', 'inconclusive']
    """
    lo, hi = fit.ci
    if fit.warnings:
        return "inconclusive"
    if not lo <= predicted <= hi:
        return "refuted"
    return "confirmed" if hi - lo <= max_width else "inconclusive"


def check_threshold_scaling(ctx: CheckContext) -> Verdict:
    r"""n* ∝ d^a with a ≈ 2: log-log OLS of the per-seed n* on d, bootstrap over seeds within each d
    (:class:`iclverify.numerics.stats.power_law_fit.LogLogFit`, strata = d); rule :func:`scaling_status` against the
    finite-d form of the prediction, :func:`finite_d_exponent` (the slope of d(d+1) over the same d: 1.85 at
    d ∈ {4, 6, 8}, 1.97 at d ∈ {20, 40, 80}). The evidence also gives the strict rule against a = 2 and
    whether the CI lies inside the paper's own spread of fitted exponents."""
    from iclverify.numerics.stats.power_law_fit import LogLogFit

    protocols, _, _ = _torch_modules()
    setup = SETUPS[ctx.level]["scaling"]
    seeds = _seeds(ctx, setup["seeds"])
    ds = setup["ds"]
    predicted = finite_d_exponent(ds)
    rows, statuses, missing = [], [], []
    found = find_thresholds_many(ctx, [(key, d) for key in setup["models"] for d in ds], seeds)
    for key in setup["models"]:
        xs, ys, table = [], [], []
        for d in ds:
            for s, t in zip(seeds, found[(key, d)]):
                if t is None:
                    missing.append(f"{key} d={d} seed={s}")
                    continue
                xs.append(d)
                ys.append(t.n_star)
                table.append(
                    {
                        "d": d,
                        "seed": s,
                        "n_below": t.below,
                        "n_above": t.above,
                        "n_star": t.n_star,
                        "tau_star": t.n_star / d**2,
                    }
                )
        if missing:
            rows.append({"model": key, "thresholds": table})
            continue
        fit = LogLogFit(n_boot=2000, seed=ctx.seed).fit(np.array(xs, float), np.array(ys, float), strata=np.array(xs))
        status = scaling_status(fit, predicted)
        statuses.append(status)
        strict = interval_rule("a", estimate=fit.estimate, interval=fit.ci, predicted=2.0, max_width=SCALING_MAX_WIDTH)
        inside_spread = PAPER_SPREAD[0] <= fit.ci[0] and fit.ci[1] <= PAPER_SPREAD[1]
        rows.append(
            {
                "model": key,
                "a": fit.estimate,
                "ci": list(fit.ci),
                "status": status,
                "strict_rule_vs_2": strict.status,
                "ci_inside_paper_spread": inside_spread,
                "fit": fit.to_json(),
                "thresholds": table,
            }
        )
    evidence = dict(
        models=jsonable(rows),
        ds=list(ds),
        seeds=seeds,
        predicted_exponent=predicted,
        max_ci_width=SCALING_MAX_WIDTH,
        paper_spread=list(PAPER_SPREAD),
        criterion="final train loss / (1+rho) >= 1e-3; bisection in P",
        protocol=protocols.protocol(ctx.level, "linear").describe(),
    )
    if missing:
        return Verdict.inconclusive(f"n* not bracketed for {', '.join(missing)}", **evidence)
    summary = ", ".join(f"{r['model']}: a = {r['a']:.2f} [{r['ci'][0]:.2f}, {r['ci'][1]:.2f}]" for r in rows)
    scale = f"d ∈ {{{', '.join(map(str, ds))}}}, {len(seeds)} seeds"
    target = f"the finite-d prediction {predicted:.2f} (slope of d(d+1), -> 2)"
    if "refuted" in statuses:
        return Verdict.refuted(f"{summary}: a CI excludes {target} ({scale})", **evidence)
    if all(s == "confirmed" for s in statuses):
        return Verdict.confirmed(f"{summary}: contains {target} ({scale})", **evidence)
    return Verdict.inconclusive(
        f"{summary}: CI wider than {SCALING_MAX_WIDTH} or too few seeds per d, around {target} ({scale})", **evidence
    )


# ---------------------------------------------------------------------------------------------------
# threshold order (Fig. 5: n*/d² grows with model complexity)


def order_status(found: Sequence[dict[str, Any]]) -> tuple[Status, list[str]]:
    """Adjacent pairs (A, B) in the paper's order of complexity. Each model has per-seed brackets under
    one training budget (``below``: sizes it interpolated, ``above``: sizes it failed at; the paper's
    operational n*, "at a fixed number of gradient steps") and ``robust``: whether its first failure
    persisted when re-trained with a longer budget. A success is a certificate; a failure may be the
    optimiser's, so a decision resting on one needs it to be robust. *grows*: every seed of B interpolated
    at a size ≥ every failure of A, and A's failure is robust; *reversed*: the same with A and B swapped;
    *undecided* otherwise (overlapping brackets, or ``budget-limited`` when only robustness is missing).
    Confirmed if every pair grows, refuted if one is reversed, inconclusive otherwise.

    >>> a = dict(key="a", below=[40, 42], above=[44, 46], robust=True)
    >>> b = dict(key="b", below=[120, 125], above=[130, 131], robust=True)
    >>> order_status([a, b]), order_status([b, a])[0]
    (('confirmed', ['a < b: grows']), 'refuted')
    >>> order_status([dict(a, robust=False), b])
    ('inconclusive', ['a < b: undecided (budget-limited)'])
    """
    pairs = []
    for a, b in itertools.pairwise(found):
        up, down = min(b["below"]) >= max(a["above"]), min(a["below"]) >= max(b["above"])
        if up and a["robust"]:
            verdict = "grows"
        elif down and b["robust"]:
            verdict = "reversed"
        else:
            verdict = "undecided (budget-limited)" if up or down else "undecided"
        pairs.append(f"{a['key']} < {b['key']}: {verdict}")
    outcomes = [p.rsplit(": ", 1)[1] for p in pairs]
    if all(o == "grows" for o in outcomes):
        return "confirmed", pairs
    if "reversed" in outcomes:
        return "refuted", pairs
    return "inconclusive", pairs


def check_complexity_order(ctx: CheckContext) -> Verdict:
    """n*/d² grows with model complexity (linear ≤ softmax < two blocks < three blocks); rule :func:`order_status`.

    Robustness: each model's first failure (seed ``ctx.seed``) is re-trained with ``budget_factor`` times
    the steps; a failure that disappears there was the optimiser's, not the model's capacity.
    """
    protocols, _, train = _torch_modules()
    from iclverify.empirics.training.models import build_model, parameter_count

    setup = SETUPS[ctx.level]["order"]
    d = setup["d"]
    seeds = _seeds(ctx, setup["seeds"])
    found, missing, fragile = [], [], []
    thresholds = find_thresholds_many(ctx, [(key, d) for key in setup["models"]], seeds)
    longer, first = {}, {}
    for key in setup["models"]:
        ts = thresholds[(key, d)]
        if any(t is None for t in ts):
            missing.append(key)
            continue
        spec = model_spec(key)
        proto = protocols.protocol(ctx.level, spec.model)
        longer[key] = dataclasses.replace(proto, steps=proto.steps * setup["budget_factor"])
        first[key] = longer[key].config(
            model=spec.model, layers=spec.layers, d=d, tau=ts[0].above / d**2, seed=seeds[0]
        )
    # every model's re-training with the longer budget, submitted at once
    again = dict(
        zip(
            first,
            train.train_many(
                list(first.values()), device=ctx.device, cache=ctx.cache, progress=ctx.progress, description="budget"
            ),
        )
    )
    for key in first:
        ts, spec = thresholds[(key, d)], model_spec(key)
        robust = again[key]["train_loss"] / (1 + longer[key].rho) >= ts[0].threshold
        if not robust:
            fragile.append(f"{key} interpolated n={ts[0].above} with {setup['budget_factor']}× the steps")
        found.append(
            {
                "key": key,
                "below": [t.below for t in ts],
                "above": [t.above for t in ts],
                "tau_star": [t.n_star / d**2 for t in ts],
                "robust": bool(robust),
                "longer_budget_loss": again[key]["train_loss"],
                "parameters": parameter_count(build_model(spec.model, d, layers=spec.layers)),
                "protocol": protocols.protocol(ctx.level, spec.model).describe(),
            }
        )
    evidence = dict(models=jsonable(found), d=d, seeds=seeds, budget_factor=setup["budget_factor"], level=ctx.level)
    if missing:
        return Verdict.inconclusive(f"n* not bracketed for {', '.join(missing)} at d={d}", **evidence)
    status, pairs = order_status(found)
    evidence["pairs"] = pairs
    taus = ", ".join(f"{f['key']} {min(f['tau_star']):.2f}–{max(f['tau_star']):.2f}" for f in found)
    note = f"; budget-limited: {'; '.join(fragile)}" if fragile else ""
    return Verdict(
        status=status,
        reason=f"n*/d² at d={d} ({len(seeds)} seeds): {taus}; {'; '.join(pairs)}{note}",
        evidence=evidence,
    )


# ---------------------------------------------------------------------------------------------------
# task diversity (Fig. 6)


def fig6_points(ctx: CheckContext, d: int, kappas: Sequence[float], seeds: Sequence[int]) -> dict[str, Any]:
    """The two-block model at τ = 10 for every (κ, seed), its mean g_task per κ with a standard error
    (seed spread and test-set error combined), the theory's g_task and dMMSE's (``dmmse_runs`` runs)."""
    from iclverify.empirics.montecarlo.baselines import dmmse_run_errors
    from iclverify.numerics.lu2024.vectorised import g_task
    from iclverify.runtime.seeding import rng

    protocols, _, train = _torch_modules()
    setup = SETUPS[ctx.level]["diversity"]
    tau = setup["tau"]
    spec = model_spec("two-blocks")
    proto = dataclasses.replace(
        protocols.protocol(ctx.level, spec.model),
        batch_fraction=0.1,
        steps=setup["steps"],
        lr=setup["lr"],
        test_contexts=4000,
    )
    configs = [
        proto.config(model=spec.model, layers=spec.layers, d=d, tau=tau, kappa=k, seed=s, **CONVERGE["diversity"])
        for k in kappas
        for s in seeds
    ]
    results = train.train_many(
        configs, device=ctx.device, cache=ctx.cache, progress=ctx.progress, description=f"Fig. 6 d={d}"
    )
    rows = []
    for i, k in enumerate(kappas):
        runs = results[i * len(seeds) : (i + 1) * len(seeds)]
        g = np.array([r["g_task"] for r in runs])
        test_var = float(np.mean([r["icl_se"] ** 2 + r["idg_se"] ** 2 for r in runs]))
        seed_var = float(g.var(ddof=1)) if len(g) > 1 else 0.0
        kk = configs[i * len(seeds)].k
        e_icl, e_idg = dmmse_run_errors(
            rng(seeds[0], "fig6-dmmse", d, i), d=d, ell=configs[0].ell, k=kk, rho=proto.rho, runs=setup["dmmse_runs"]
        )
        rows.append(
            {
                "d": d,
                "kappa": k,
                "k": kk,
                "g_task": float(g.mean()),
                "se": math.sqrt((seed_var + test_var) / len(g)),
                "theory": float(g_task(tau, proto.alpha, k, proto.rho)),
                "dmmse_g_task": float(e_icl.mean() - e_idg.mean()),
                "dmmse_se": float(math.sqrt((e_icl.var() + e_idg.var()) / len(e_icl))),
                "icl_error": float(np.mean([r["icl_error"] for r in runs])),
                "idg_error": float(np.mean([r["idg_error"] for r in runs])),
            }
        )
    return {"rows": rows, "protocol": proto.describe(), "model": spec.label}


def diversity_status(kappas: Sequence[float], mean: Any, se: Any, theory: Any) -> dict[str, Any]:
    """The task-diversity rule on the measured g_task per κ (``mean``, standard errors ``se``) and the
    theory's (``theory``): *confirmed* when g at the smallest κ exceeds g at the largest by more than 3
    combined standard errors and the rank correlation of g with κ is ≤ −0.8; *refuted* when g does not
    fall (g at the largest κ ≥ g at the smallest) although the standard errors are below a third of the
    theory's drop (the fall would have been seen); *inconclusive* otherwise.

    >>> k, th = [0.5, 2.0, 8.0], [0.5, 0.2, 0.05]
    >>> [diversity_status(k, g, [0.02] * 3, th)["status"] for g in ([0.6, 0.3, 0.1], [0.1, 0.2, 0.3])]
    ['confirmed', 'refuted']
    """
    mean, se, theory = (np.asarray(v, dtype=float) for v in (mean, se, theory))
    drop = float(mean[0] - mean[-1])
    drop_se = float(math.hypot(se[0], se[-1]))
    spearman = float(scipy.stats.spearmanr(kappas, mean).statistic)
    status: Status
    if drop > PEAK_Z * drop_se and spearman <= FALL_SPEARMAN:
        status = "confirmed"
    elif drop <= 0 and drop_se < (theory[0] - theory[-1]) / 3:
        status = "refuted"
    else:
        status = "inconclusive"
    return {"status": status, "drop": drop, "drop_se": drop_se, "spearman": spearman}


def check_task_diversity(ctx: CheckContext) -> Verdict:
    r"""g_task of a trained two-block transformer falls with κ as the theory's does (α = 1, τ = 10, ρ = 0.01).

    Per κ: g = e^ICL − e^IDG averaged over seeds; its standard error combines the seed spread and the
    test-set error. *confirmed*: g at the smallest κ exceeds g at the largest by more than 3 standard errors
    and the rank correlation of g with κ is ≤ −0.8 (the theory's is −1). *refuted*: g at the largest κ is at
    least g at the smallest while the standard errors are below a third of the theory's drop (the fall
    would have been seen). *inconclusive* otherwise. dMMSE (posterior mean on the training tasks) is
    reported beside it; the theory is the d → ∞ linear-attention g_task.
    """

    setup = SETUPS[ctx.level]["diversity"]
    seeds = _seeds(ctx, setup["seeds"])
    kappas = setup["kappas"]
    data = fig6_points(ctx, setup["d"], kappas, seeds)
    rows, proto, d, tau = data["rows"], data["protocol"], setup["d"], setup["tau"]
    mean, se = np.array([r["g_task"] for r in rows]), np.array([r["se"] for r in rows])
    theory = np.array([r["theory"] for r in rows])
    rule = diversity_status(kappas, mean, se, theory)
    status, drop, drop_se, spearman = rule["status"], rule["drop"], rule["drop_se"], rule["spearman"]
    evidence = dict(
        points=rows,
        d=d,
        tau=tau,
        seeds=seeds,
        drop=drop,
        drop_se=drop_se,
        spearman=spearman,
        protocol=proto,
        model=data["model"],
    )
    summary = (
        f"g_task from {mean[0]:.3f} (κ={kappas[0]:g}) to {mean[-1]:.3f} (κ={kappas[-1]:g}) ± {drop_se:.3f}, "
        f"theory {theory[0]:.3f} → {theory[-1]:.3f}, rank corr {spearman:.2f} (d={d}, {len(seeds)} seeds)"
    )
    label = {"confirmed": "falls with κ", "refuted": "does not fall", "inconclusive": "fall not established"}
    return Verdict(status=status, reason=f"{label[status]}: {summary}", evidence=evidence)


# ---------------------------------------------------------------------------------------------------
# the three-layer tie (§2 reduction and §5 training meet the Monte Carlo layer's Γ*)


def tie_status(gamma_distance: float, distances: Sequence[float], excess: float) -> tuple[Status, str]:
    """The Γ-tie rule: *refuted* when the trained Γ model lies more than 1e-6 (relative) from Γ*, or when
    the K, Q, V model's distance from Γ* does not fall strictly over the τ grid; *inconclusive* when it
    falls but the test-error excess at the largest τ exceeds 2%; *confirmed* otherwise. Returns the status
    and why (empty when confirmed).

    >>> tie_status(1e-9, [0.8, 0.1, 0.07], 0.001)[0], tie_status(1e-3, [0.8, 0.1, 0.07], 0.001)[0]
    ('confirmed', 'refuted')
    >>> tie_status(1e-9, [0.8, 0.9, 0.07], 0.001)[0], tie_status(1e-9, [0.8, 0.1, 0.07], 0.05)[0]
    ('refuted', 'inconclusive')
    """
    if gamma_distance > TIE_GAMMA_RTOL:
        return "refuted", "trained Γ model misses Γ*"
    if not all(b < a for a, b in itertools.pairwise(distances)):
        return "refuted", "K,Q,V does not approach Γ* as τ grows"
    if abs(excess) > TIE_EXCESS:
        return "inconclusive", f"approaching but not within {TIE_EXCESS:.0%}"
    return "confirmed", ""


def check_gamma_tie(ctx: CheckContext) -> Verdict:
    r"""Trained linear attention coincides with the ridge solution Γ* of the same data.

    (i) The Γ-parametrised model ŷ = ⟨Γ, H_Z⟩ trained (full batch, cosine rate, float64) on the loss
    MSE + (λ/d)‖Γ‖² must reach Γ* = argmin Σ(y − ⟨Γ,H⟩)² + (n/d)λ‖Γ‖² from
    :class:`iclverify.empirics.montecarlo.reduced_model.RidgeGamma`: ‖Γ − Γ*‖/‖Γ*‖ ≤ 1e-6, else refuted.
    (ii) Full K, Q, V linear attention (no penalty) carries, besides its effective Γ, a label-free term
    that can fit the training set; trained (minibatches of 0.1 P, cosine rate, no weight decay, float64),
    its effective Γ must approach the ridgeless Γ* as τ grows: the distance
    must fall monotonically over the τ grid (else refuted) and at the largest τ the exact test error
    e(Γ_eff) must lie within 2% of e(Γ*) (else inconclusive).
    """
    from iclverify.empirics.montecarlo.reduced_model import RidgeGamma, context_features
    from iclverify.empirics.montecarlo.test_error import e_icl

    _protocols, _, train = _torch_modules()
    setup = SETUPS[ctx.level]["tie"]
    base = dict(
        alpha=1.0, rho=0.01, lr_schedule="cosine", weight_decay=0.0, dtype="float64", test_contexts=1000, seed=ctx.seed
    )
    cfg = train.TrainConfig(
        model="gamma",
        d=setup["gamma_d"],
        tau=setup["gamma_tau"],
        ridge=setup["lam"],
        lr=3e-2,
        batch_fraction=1.0,
        steps=setup["gamma_steps"],
        **CONVERGE["gamma"],
        **base,
    )
    model, _ = train.train_model(cfg, device=ctx.device, cache=ctx.cache, progress=ctx.progress)
    g_trained = model.gamma.detach().cpu().numpy()
    g_star = RidgeGamma(lam=setup["lam"]).fit(context_features(train.draw_samples(cfg).train)).gamma_
    gamma_dist = float(np.linalg.norm(g_trained - g_star) / np.linalg.norm(g_star))
    rows = []
    for tau in setup["linear_taus"]:
        lcfg = train.TrainConfig(
            model="linear",
            d=setup["linear_d"],
            tau=tau,
            lr=1e-2,
            batch_fraction=0.1,
            steps=setup["linear_steps"],
            **CONVERGE["linear"],
            **base,
        )
        lin, res = train.train_model(lcfg, device=ctx.device, cache=ctx.cache, progress=ctx.progress)
        g_eff = lin.effective_gamma().cpu().numpy()
        g0 = RidgeGamma(lam=0.0).fit(context_features(train.draw_samples(lcfg).train)).gamma_
        e_eff, e_star = e_icl(g_eff, ell=lcfg.ell, rho=lcfg.rho), e_icl(g0, ell=lcfg.ell, rho=lcfg.rho)
        rows.append(
            {
                "tau": tau,
                "distance": float(np.linalg.norm(g_eff - g0) / np.linalg.norm(g0)),
                "e_gamma_eff": e_eff,
                "e_gamma_star": e_star,
                "excess": e_eff / e_star - 1,
                "mc_icl_error": res["icl_error"],
                "train_loss": res["train_loss"],
            }
        )
    dists = [r["distance"] for r in rows]
    excess = rows[-1]["excess"]
    evidence = dict(
        gamma_model=dict(d=setup["gamma_d"], tau=setup["gamma_tau"], lam=setup["lam"], relative_distance=gamma_dist),
        full_kqv=dict(d=setup["linear_d"], rows=rows, steps=setup["linear_steps"], batch_fraction=0.1),
        seed=ctx.seed,
        rules=dict(gamma_rtol=TIE_GAMMA_RTOL, excess_max=TIE_EXCESS),
    )
    summary = (
        f"Γ model vs Γ*: {gamma_dist:.1e}; K,Q,V effective Γ vs Γ*: "
        + ", ".join(f"{r['distance']:.3f} (τ={r['tau']:g})" for r in rows)
        + f", test-error excess {excess:.2%}"
    )
    status, why = tie_status(gamma_dist, dists, excess)
    return Verdict(status=status, reason=f"{why}: {summary}" if why else summary, evidence=evidence)


# ---------------------------------------------------------------------------------------------------


def _claim(
    *,
    id_: str,
    title: str,
    where: str,
    provenance: str,
    statement: str,
    check: Callable[[CheckContext], Verdict],
    figure: str | None,
    code: dict[str, Callable[..., Any]],
) -> Claim:
    return Claim(
        id=f"{PAPER}.trained.{id_}",
        paper=PAPER,
        title=title,
        where=where,
        provenance=provenance,  # type: ignore[arg-type]
        statement_tex=statement,
        layers=("trained",),
        check=check,
        figure=figure,
        random=True,
        code=code,  # type: ignore[arg-type]
    )


_THRESHOLDS = LazyCallable("iclverify.empirics.experiments.threshold", "trained_thresholds")
_TRAIN_MANY = LazyCallable("iclverify.empirics.training.train", "train_many")
_LOGLOG = LazyCallable("iclverify.numerics.stats.power_law_fit", "LogLogFit")
_G_TASK = LazyCallable("iclverify.numerics.lu2024.vectorised", "g_task")

CLAIMS: tuple[Claim, ...] = (
    _claim(
        id_="double-descent",
        title="trained models: ICL error peaks at the interpolation threshold",
        where="§5, Fig. 5a–c",
        provenance="stated",
        statement=r"e^{\rm ICL}_{\rm trained}(\tau)\ \text{has its maximum near}\ \tau^* = n^*/d^2",
        check=check_double_descent,
        figure="lu2024-fig5",
        code={"empirics": _TRAIN_MANY, "rule": double_descent_status},
    ),
    _claim(
        id_="threshold-scaling",
        title="interpolation threshold n* ∝ d^a with a ≈ 2",
        where="§5, Fig. 5d",
        provenance="stated",
        statement=r"n^* \propto d^{a},\quad a \approx 2\ (1.87,\ 1.66,\ 2.13,\ 2.08)",
        check=check_threshold_scaling,
        figure="lu2024-fig5",
        code={"theory": finite_d_exponent, "numerics": _LOGLOG, "empirics": _THRESHOLDS, "rule": scaling_status},
    ),
    _claim(
        id_="complexity-order",
        title="n*/d² grows with model complexity",
        where="§5, Fig. 5",
        provenance="stated",
        statement=r"\tau^*_{\rm linear} \le \tau^*_{\rm softmax} < \tau^*_{\rm 2\,blocks} < \tau^*_{\rm 3\,blocks}",
        check=check_complexity_order,
        figure="lu2024-fig5",
        code={"empirics": _THRESHOLDS, "rule": order_status},
    ),
    _claim(
        id_="task-diversity",
        title="two-block transformer: g_task falls with κ as in the theory",
        where="§5, Fig. 6",
        provenance="stated",
        statement=r"g^{\rm 2\,blocks}_{\rm task}(\kappa)\ \text{falls with}\ \kappa\ \text{like}\ g_{\rm task}(\kappa)",
        check=check_task_diversity,
        figure="lu2024-fig6",
        code={"numerics": _G_TASK, "empirics": _TRAIN_MANY, "rule": diversity_status},
    ),
    _claim(
        id_="gamma-tie",
        title="trained linear attention meets the ridge solution Γ*",
        where="§2 reduction, §5",
        provenance="reconstructed",
        statement=(
            r"\Gamma_{\rm trained} = \Gamma^*_\lambda;\ \ "
            r"\Gamma^{KQV}_{\rm eff} \to \Gamma^*_{0^+}\ (\tau\to\infty)"
        ),
        check=check_gamma_tie,
        figure=None,
        code={
            "empirics": LazyCallable("iclverify.empirics.training.train", "train_model"),
            "rule": tie_status,
        },
    ),
)
