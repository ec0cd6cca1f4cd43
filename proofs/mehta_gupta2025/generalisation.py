r"""Mehta & Gupta (2025): the Rademacher bound and Theorem 1's D and N terms, tested by the rates they allow.

Both statements are upper bounds with unknown constants (the symbolic claims ``R.rademacher`` and ``T1.bound``
can only evaluate them). A bound C·x^s with a free C is still refuted when the measured quantity scales the
wrong way: if it falls significantly slower than x^s (or, for a growing bound, grows significantly faster),
the ratio to the bound diverges and no single C serves every x — *provided the measured power law continues
beyond the measured sizes*, which a refutation here assumes and says. A measurement inside the allowed rates
is reported as "confirmed" in the sense of **consistent with the bound's rate only**: a finite experiment
cannot prove an upper bound, and the reason says so. The rules below were fixed before any measurement of
these claims; the grids and training budget were sized afterwards, by pilots and two quick runs (both
inconclusive) for cost — ≤ 30 CPU-s at the quick level: 512 steps cost 35 s and 384 steps 32 s on the shared
machine, hence 320 — and the regime restriction (D ≥ P, below) was added after a pilot showed the
memorisation plateau described there.

**Models and data.** The MG protocol's pre-LN transformers (:func:`~iclverify.empirics.experiments.mg_protocol.
shape_rows`; width d, L blocks; N = L·d as in the summary, P = the exact parameter count) on linear regression
(d_x = 4, ℓ = 8, ρ = 0.01), trained by :data:`PROTOCOL` — 320 AdamW steps of 32 contexts, lr 10⁻², warm-up
and cosine decay — on a fixed set of D contexts per seed (``MGProtocol.pretrain_contexts``: the first D
contexts of the seed's online stream, nested in D; first epoch in stream order, later epochs reshuffled).
Each model's test MSE is measured on 8000 fresh contexts, its train MSE on its own D contexts.

**Regime.** Grids stay where a rate can be read: D ≥ P (below the parameter count a model can interpolate its
training set; the pilot showed the gap flat there, at the test error, a plateau a bound with a free constant
allows — e.g. 1.52 and 1.57 at D = 32 and 128 for the (2, 8) model with P = 1817) and at least
``MIN_EPOCHS`` = 2 epochs (D ≤ steps·batch/2, so the data set binds and not a single pass). The fits enforce
D ≥ P (``min_x``) and, on the N axis, keep only shapes with P ≤ D.

**Fits** (:func:`~iclverify.numerics.stats.mean_power_law.fit_mean_power_law`). The quantity's mean over seeds
at each point; a point is *resolved* when the one-sided 97.5 % Student-t bound of its mean is above 0 (a
gap or excess that is 0 in noise says only that it is small, and has no logarithm); OLS of the log mean on the
log of D (or N) over the resolved points, at least 3 of them, else the axis is inconclusive; a percentile
bootstrap over seeds as clusters (a seed's models share initial weights, data and test contexts) gives the
slope's interval at ``CONFIDENCE`` = 97.5 % per axis (family-wise 95 % for the two axes of a claim).

**Rule** (:func:`rate_rule`, per axis). With the measured log-log slope's interval [lo, hi] and the largest
slope s_b the bound allows on that axis: **refuted** if lo > s_b (the quantity falls significantly slower, or
grows significantly faster, than the bound allows); **consistent** if hi ≤ s_b (significantly at least as
fast) or the interval contains s_b and is at most the axis's maximal width wide; **inconclusive** otherwise
(too wide to tell). A claim is refuted if either axis is, consistent ("confirmed") if both are, else
inconclusive. Guards that make a decided verdict inconclusive: fewer than ``MIN_SEEDS`` = 5 seeds; more than
5 % of the bootstrap replicates without a positive mean at a fitted point; a floor fit whose exponent sits
at its bound.

* **R.measured-gap** — gap = test MSE − train MSE. *D axis*: one shape, D on a grid; s_b = −½
  (√(N log N/D) ∝ D^{−1/2}); width ``GAP_MAX_WIDTH`` = 0.5. *N axis*: shapes (L, 8) at one D (width fixed,
  so N = 8L and P grows with N); s_b = the OLS slope of log √(N ln N) on log N at the fitted N (the bound's
  own local rate, ½(1 + 1/ln N): 0.695 for N = 8, 16, 24); width 0.5.
* **T1.bound-measured** — Theorem 1, ε ≤ C[(N₀/N)^α + (D₀/D)^α + …] with α = α(h) = 1/(2(h+1)) and h = 1 for
  linear regression (the summary's "exponent ≈ 0.25 (h = 1)"; α = ¼). *N axis*: the online rows of
  ``T1b.measured-exponent`` (same protocol, shapes and seeds, so the cache is shared), linear task only,
  its :class:`~iclverify.numerics.stats.power_law_fit.FloorPowerLawFit` of test MSE = floor + c N^{−p} (the
  floor takes the D term and the elided "…"); s_b = −α on the slope −p, width ``EXPONENT_MAX_WIDTH`` = 0.2
  as in T1b. *D axis*: the excess of a model's test MSE over the same seed's online model (same shape, steps,
  initial weights and test contexts; the limit D → ∞ at this training budget, which takes the N term),
  over the D grid of R.measured-gap's shape; s_b = −α; width 0.5.

Levels: the same protocol at both; quick has 5 seeds, D = 2048, 3200, 5120 and, at D = 3200, N = 8, 16, 24
(L = 1, 2, 3); full has 20 seeds and D = 2048, 2560, 3200, 4096, 5120 on the same range and the same shapes
(the quick level, at ≤ 30 CPU-s, has intervals about twice as wide and is inconclusive more often).
The quick level of T1's N axis is T1b's quick grid. Sizes are CPU sizes, far below the summary's (every reason
says at which).

>>> rate_rule("slope", estimate=-0.9, interval=(-1.1, -0.7), bound=-0.5, max_width=0.5).status
'confirmed'
>>> rate_rule("slope", estimate=-0.2, interval=(-0.3, -0.1), bound=-0.5, max_width=0.5).status
'refuted'
>>> rate_rule("slope", estimate=-0.5, interval=(-1.2, -0.1), bound=-0.5, max_width=0.5).status
'inconclusive'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from iclverify.numerics.stats.mean_power_law import MeanPowerLaw, fit_mean_power_law
from iclverify.proofs.framework.claims import CheckContext, Claim, CodeRole, Verdict
from iclverify.proofs.framework.lazy import LazyCallable
from iclverify.proofs.mehta_gupta2025 import trained as mgt
from iclverify.theory.mehta_gupta2025 import formulas

__all__ = [
    "CLAIMS",
    "CONFIDENCE",
    "GAP_MAX_WIDTH",
    "MIN_EPOCHS",
    "PROTOCOL",
    "SETUPS",
    "bound_experiment",
    "check_bound",
    "check_gap",
    "gap_experiment",
    "rademacher_slope",
    "rate_rule",
]

CONFIDENCE = 0.975  # per axis; family-wise 95 % for a claim's two axes
GAP_MAX_WIDTH = 0.5
DATA_MAX_WIDTH = 0.5
MIN_EPOCHS = 2
TASK_H = 1  # linear regression: h = 1 (the summary's exponent 0.25)
N_BOOT = {"quick": 1000, "full": 2000}
PROTOCOL: dict[str, Any] = dict(steps=320, batch_size=32, lr=0.01, test_contexts=8000)
SETUPS: dict[str, dict[str, Any]] = {
    "quick": dict(
        seeds=5,
        data_shape=(2, 8),
        contexts=(2048, 3200, 5120),
        size_shapes=((1, 8), (2, 8), (3, 8)),
        size_contexts=3200,
    ),
    "full": dict(
        seeds=20,
        data_shape=(2, 8),
        contexts=(2048, 2560, 3200, 4096, 5120),
        size_shapes=((1, 8), (2, 8), (3, 8)),
        size_contexts=3200,
    ),
}
_WORD = {"confirmed": "consistent", "refuted": "refuted", "inconclusive": "inconclusive"}


def _word(v: Verdict, *, growth: bool = False) -> str:
    """An axis's status in the reason (a refutation says which way)."""
    if v.status == "refuted":
        return f"refuted, it {'grows significantly faster' if growth else 'falls significantly slower'}"
    return _WORD[v.status]


CONSISTENT_ONLY = (
    "consistent with the bound's rates only: a finite experiment cannot prove an upper bound with an unknown constant"
)


def rate_rule(
    what: str,
    *,
    estimate: float,
    interval: tuple[float, float],
    bound: float,
    max_width: float,
    growth: bool = False,
    confidence: float = CONFIDENCE,
) -> Verdict:
    """An upper bound's rate against a measured log-log slope (module docstring): refuted if the interval lies
    above the largest slope ``bound`` allows; consistent ("confirmed") if it lies at or below it, or holds it
    and is at most ``max_width`` wide; inconclusive otherwise. ``growth``: the bound grows (words only)."""
    lo, hi = interval
    evidence: dict[str, Any] = {
        "what": what,
        "estimate": estimate,
        "interval": [lo, hi],
        "confidence": confidence,
        "bound_slope": bound,
        "max_width": max_width,
    }
    ci = f"{what} {estimate:.2f}, {confidence:.1%} CI [{lo:.2f}, {hi:.2f}]"
    if lo > bound:
        how = "grows significantly faster" if growth else "falls significantly slower"
        return Verdict.refuted(f"{ci}: {how} than the bound's {bound:.2f} allows", **evidence)
    if hi <= bound or hi - lo <= max_width:
        return Verdict.confirmed(f"{ci}: consistent with the bound's {bound:.2f}", **evidence)
    return Verdict.inconclusive(f"{ci} holds the bound's {bound:.2f} but is wider than {max_width:g}", **evidence)


def _axis(what: str, fit: MeanPowerLaw, bound: float, max_width: float, *, growth: bool = False) -> Verdict:
    if fit.slope is None or fit.ci is None:
        return Verdict.inconclusive(f"{what}: {'; '.join(fit.warnings)}", fit=fit.to_json(), bound_slope=bound)
    return rate_rule(what, estimate=fit.slope, interval=fit.ci, bound=bound, max_width=max_width, growth=growth)


def _fit_guards(name: str, fit: MeanPowerLaw) -> list[str]:
    return [f"{name}: {w}" for w in fit.warnings if "replicates" in w]


def rademacher_slope(shapes: Sequence[tuple[int, int]]) -> float:
    """The local rate of the stated √(L d log(L d)/D) in N = L d: the OLS slope of its log on log N at ``shapes``.

    Evenly spaced log N make it the end points' slope, ½(1 + ln(ln 32/ln 8)/ln 4) = ½(1 + ln(5/3)/ln 4):

    >>> import math
    >>> round(rademacher_slope([(1, 8), (2, 8), (4, 8)]), 6), round(0.5 * (1 + math.log(5 / 3) / math.log(4)), 6)
    (0.684241, 0.684241)
    """
    from iclverify.numerics.mehta_gupta2025.evaluate import rademacher_value

    logN = np.log([L * d for L, d in shapes])
    logR = np.log([float(rademacher_value(L, d, 1)) for L, d in shapes])
    xc = logN - logN.mean()
    return float(xc @ (logR - logR.mean()) / (xc @ xc))


def _protocol() -> Any:
    return mgt._protocol(**PROTOCOL)


def _seeds(ctx: CheckContext) -> tuple[int, ...]:
    return mgt._seeds(ctx, SETUPS[ctx.level]["seeds"])


def _points(rows: Sequence[dict[str, Any]], x_key: str) -> dict[str, dict[str, float]]:
    """Per point: seed means of the test and train MSE and the gap (and the excess where there is one)."""
    out: dict[str, dict[str, float]] = {}
    for x in sorted({r[x_key] for r in rows if r[x_key] is not None}):
        sel = [r for r in rows if r[x_key] == x]
        keys = [k for k in ("test_mse", "train_mse", "gap", "excess") if sel[0].get(k) is not None]
        out[str(x)] = {k: float(np.mean([r[k] for r in sel])) for k in keys} | {"params": sel[0]["params"]}
    return out


def _data_rows(ctx: CheckContext, *, online: bool) -> list[dict[str, Any]]:
    from iclverify.empirics.experiments.generalisation import data_sweep

    setup = SETUPS[ctx.level]
    return data_sweep(
        _protocol(),
        setup["data_shape"],
        setup["contexts"],
        seeds=_seeds(ctx),
        online=online,
        device=ctx.device,
        cache=ctx.cache,
        progress=ctx.progress,
    )


def _data_fit(ctx: CheckContext, rows: Sequence[dict[str, Any]], key: str) -> tuple[MeanPowerLaw, int]:
    from iclverify.empirics.experiments.generalisation import seed_matrix

    finite = [r for r in rows if r["contexts"] is not None]
    xs, values = seed_matrix(finite, "contexts", key)
    params = int(finite[0]["params"])
    fit = fit_mean_power_law(xs, values, min_x=params, confidence=CONFIDENCE, n_boot=N_BOOT[ctx.level], seed=ctx.seed)
    return fit, params


# ---------------------------------------------------------------------------------------------------
# MG-R: the generalisation gap


def gap_experiment(ctx: CheckContext) -> dict[str, Any]:
    """The gap against D at one shape and against N at one D, and their mean-curve fits."""
    from iclverify.empirics.experiments.generalisation import seed_matrix, size_sweep

    setup = SETUPS[ctx.level]
    data_rows = _data_rows(ctx, online=False)
    data_fit, params = _data_fit(ctx, data_rows, "gap")
    size_rows = size_sweep(
        _protocol(),
        setup["size_shapes"],
        setup["size_contexts"],
        seeds=_seeds(ctx),
        device=ctx.device,
        cache=ctx.cache,
        progress=ctx.progress,
    )
    classical = [r for r in size_rows if r["params"] <= setup["size_contexts"]]
    xs, values = seed_matrix(classical, "N", "gap")
    size_fit = fit_mean_power_law(xs, values, confidence=CONFIDENCE, n_boot=N_BOOT[ctx.level], seed=ctx.seed)
    shape_of = {r["N"]: (r["L"], r["D"]) for r in classical}
    fitted = [shape_of[int(N)] for N in size_fit.used] or [shape_of[N] for N in xs]
    return {
        "setup": setup,
        "seeds": _seeds(ctx),
        "data_rows": data_rows,
        "data_fit": data_fit,
        "params": params,
        "size_rows": size_rows,
        "size_fit": size_fit,
        "size_bound": rademacher_slope(fitted),
        "excluded_shapes": sorted({(r["L"], r["D"]) for r in size_rows if r["params"] > setup["size_contexts"]}),
    }


def _describe(fit: MeanPowerLaw, var: str) -> str:
    if fit.slope is None or fit.ci is None:
        points = ", ".join(f"{m:.3f} ± {e:.3f} at {x:g}" for x, m, e in zip(fit.x, fit.mean, fit.se))
        return f"no slope in {var} ({'; '.join(fit.warnings)}; mean ± se {points})"
    used = ", ".join(f"{x:g}" for x in fit.used)
    return f"∝ {var}^{fit.slope:.2f} [{fit.ci[0]:.2f}, {fit.ci[1]:.2f}] over {var} = {used}"


def _statement(status: str) -> str:
    return {
        "confirmed": CONSISTENT_ONLY,
        "refuted": "a refutation at these sizes, assuming the measured power law continues",
        "inconclusive": "undecided",
    }[status]


def check_gap(ctx: CheckContext) -> Verdict:
    ex = gap_experiment(ctx)
    setup = ex["setup"]
    data_v = _axis("slope of the gap in D", ex["data_fit"], -0.5, GAP_MAX_WIDTH)
    size_v = _axis("slope of the gap in N", ex["size_fit"], ex["size_bound"], GAP_MAX_WIDTH, growth=True)
    status = mgt.combine([data_v, size_v])
    guards = (
        mgt._seed_guard(setup["seeds"]) + _fit_guards("D axis", ex["data_fit"]) + _fit_guards("N axis", ex["size_fit"])
    )
    L, d = setup["data_shape"]
    scale = mgt._scale_note(
        shape=f"({L}, {d}), P = {ex['params']}",
        D=f"{setup['contexts'][0]}..{setup['contexts'][-1]}",
        N_axis=f"{[tuple(s) for s in setup['size_shapes']]} at D = {setup['size_contexts']}",
        seeds=setup["seeds"],
        steps=PROTOCOL["steps"],
    )
    reason = (
        f"gap = test − train MSE {_describe(ex['data_fit'], 'D')} (bound D^-0.5: {_word(data_v)}); "
        f"{_describe(ex['size_fit'], 'N')} at D = {setup['size_contexts']} (√(N ln N) allows N^{ex['size_bound']:.2f}: "
        f"{_word(size_v, growth=True)}) — {_statement(status)} — {scale}"
    )
    return mgt._finish(
        status,
        reason,
        guards,
        data_axis={
            "status": data_v.status,
            "bound_slope": -0.5,
            "fit": ex["data_fit"].to_json(),
            "rule": data_v.reason,
        },
        size_axis={
            "status": size_v.status,
            "bound_slope": ex["size_bound"],
            "fit": ex["size_fit"].to_json(),
            "rule": size_v.reason,
            "excluded_shapes_P_above_D": ex["excluded_shapes"],
        },
        by_contexts=_points(ex["data_rows"], "contexts"),
        by_N=_points(ex["size_rows"], "N"),
        max_width=GAP_MAX_WIDTH,
        confidence_each=CONFIDENCE,
        min_epochs=MIN_EPOCHS,
        protocol=_protocol().describe(),
        setup=setup,
        seeds=list(ex["seeds"]),
        scale=scale,
        consistency_only=status == "confirmed",
        model="pre-LN transformer, width d, L blocks; trained on D fixed contexts (nested in D), epochs reshuffled",
    )


# ---------------------------------------------------------------------------------------------------
# MG-T1: the bound's N and D rates


def bound_experiment(ctx: CheckContext) -> dict[str, Any]:
    """T1b's online size sweep (linear task) with its floor fit, and the excess error against D with its fit."""
    from iclverify.empirics.experiments.mg_protocol import shape_rows
    from iclverify.empirics.experiments.shape_grids import aspect_family
    from iclverify.numerics.stats.power_law_fit import FloorPowerLawFit

    size = mgt.SETUPS[ctx.level]["size"]
    size_seeds = mgt._seeds(ctx, size["seeds"])
    rows = shape_rows(
        mgt._gpt_protocol(ctx),
        aspect_family(size["depths"]["linear"], ratio=size["ratio"]),
        seeds=size_seeds,
        device=ctx.device,
        cache=ctx.cache,
        progress=ctx.progress,
        task="linear",
    )
    N = np.array([r["N"] for r in rows], dtype=float)
    size_fit = FloorPowerLawFit(
        n_boot=mgt.N_BOOT[ctx.level], seed=ctx.seed, p_bounds=(0.01, 4.0), confidence=mgt.EXPONENT_CONFIDENCE
    ).fit(N, np.array([r["test_mse"] for r in rows]), strata=N)
    data_rows = _data_rows(ctx, online=True)
    data_fit, params = _data_fit(ctx, data_rows, "excess")
    return {
        "size_rows": rows,
        "size_fit": size_fit,
        "size_seeds": size_seeds,
        "data_rows": data_rows,
        "data_fit": data_fit,
        "params": params,
        "setup": SETUPS[ctx.level],
        "seeds": _seeds(ctx),
    }


def check_bound(ctx: CheckContext) -> Verdict:
    alpha = float(formulas.exponent(TASK_H))
    ex = bound_experiment(ctx)
    setup, sf = ex["setup"], ex["size_fit"]
    size_v = rate_rule(
        "slope of (MSE − floor) in N",
        estimate=-sf.estimate,
        interval=(-sf.ci[1], -sf.ci[0]),
        bound=-alpha,
        max_width=mgt.EXPONENT_MAX_WIDTH,
        confidence=mgt.EXPONENT_CONFIDENCE,
    )
    data_v = _axis("slope of the excess over online in D", ex["data_fit"], -alpha, DATA_MAX_WIDTH)
    status = mgt.combine([size_v, data_v])
    guards = (
        mgt._seed_guard(min(setup["seeds"], len(ex["size_seeds"])))
        + [f"N axis: {w}" for w in sf.warnings if "bound" in w]
        + _fit_guards("D axis", ex["data_fit"])
    )
    Ns = sorted({r["N"] for r in ex["size_rows"]})
    L, d = setup["data_shape"]
    scale = mgt._scale_note(
        N=f"{Ns[0]}..{Ns[-1]} online (T1b's shapes (L, 4L), {mgt.SETUPS[ctx.level]['gpt']['steps']} steps)",
        D_axis=f"({L}, {d}), P = {ex['params']}, D = {setup['contexts'][0]}..{setup['contexts'][-1]}, "
        f"{PROTOCOL['steps']} steps",
        seeds=f"{len(ex['size_seeds'])} (N axis), {setup['seeds']} (D axis)",
    )
    reason = (
        f"MSE − floor ∝ N^-{sf.estimate:.2f} [{sf.ci[0]:.2f}, {sf.ci[1]:.2f}] (floor {sf.params['floor']:.3f}; "
        f"the bound's N^-{alpha:g}: {_word(size_v)}); excess over the online model "
        f"{_describe(ex['data_fit'], 'D')} (the bound's D^-{alpha:g}: {_word(data_v)}) — "
        f"{_statement(status)} — {scale}"
    )
    return mgt._finish(
        status,
        reason,
        guards,
        alpha=alpha,
        h=TASK_H,
        size_axis={
            "status": size_v.status,
            "exponent": sf.estimate,
            "interval": list(sf.ci),
            "bound_exponent": alpha,
            "max_width": mgt.EXPONENT_MAX_WIDTH,
            "fit": sf.to_json(),
            "rule": size_v.reason,
            "mean_mse": {f"{N}": float(np.mean([r["test_mse"] for r in ex["size_rows"] if r["N"] == N])) for N in Ns},
        },
        data_axis={
            "status": data_v.status,
            "bound_slope": -alpha,
            "max_width": DATA_MAX_WIDTH,
            "fit": ex["data_fit"].to_json(),
            "rule": data_v.reason,
        },
        by_contexts=_points(ex["data_rows"], "contexts"),
        online_mse=float(np.mean([r["test_mse"] for r in ex["data_rows"] if r["contexts"] is None])),
        confidence_each=CONFIDENCE,
        protocol={"N_axis": mgt._gpt_protocol(ctx).describe(), "D_axis": _protocol().describe()},
        setup=setup,
        seeds=list(ex["seeds"]),
        scale=scale,
        consistency_only=status == "confirmed",
    )


# ---------------------------------------------------------------------------------------------------


def _lazy(module: str, name: str) -> LazyCallable:
    return LazyCallable(f"iclverify.{module}", name)


def _claim(*, id_: str, title: str, statement: str, check: Any, code: dict[CodeRole, Any]) -> Claim:
    return Claim(
        id=f"{mgt.PAPER}.{id_}",
        paper=mgt.PAPER,
        title=title,
        where=f"{mgt.SUMMARY}: {'generalisation' if id_.startswith('R') else 'Theorem 1, p.2'}",
        provenance="stated",
        statement_tex=statement,
        layers=("trained",),
        check=check,
        random=True,
        code=code,
    )


CLAIMS: tuple[Claim, ...] = (
    _claim(
        id_="R.measured-gap",
        title="measured generalisation gap within the rates of √(L d log(L d)/D)",
        statement=r"\varepsilon_{\rm test} - \varepsilon_{\rm train} = O\big(\sqrt{Ld\log(Ld)/D}\big)"
        r"\ \text{(rates in } D \text{ and } N = Ld)",
        check=check_gap,
        code={
            "theory": formulas.rademacher,
            "numerics": fit_mean_power_law,
            "empirics": _lazy("empirics.experiments.generalisation", "data_sweep"),
            "rule": rate_rule,
        },
    ),
    _claim(
        id_="T1.bound-measured",
        title="measured error within Theorem 1's rates N^(−α) and D^(−α)",
        statement=r"\varepsilon(N, D) - \varepsilon_\infty \le C\big[(N_0/N)^{\alpha} + (D_0/D)^{\alpha}\big],"
        r"\ \alpha = 1/4\ \text{(rates)}",
        check=check_bound,
        code={
            "theory": formulas.theorem1_bound,
            "numerics": fit_mean_power_law,
            "empirics": _lazy("empirics.experiments.generalisation", "data_sweep"),
            "rule": rate_rule,
        },
    ),
)
