r"""Mehta & Gupta (2025), MG-NTK measured: does λ_min of the empirical NTK grow at least linearly in the width?

The summary states λ_min(H_t) ≥ c·d with an unknown constant c (the symbolic claim ``NTK.eigenvalue`` can
only evaluate it). A bound with an unknown constant is still refuted if the measured quantity scales the
wrong way: if λ_min ∝ d^s with s < 1, then λ_min/d → 0 and no c > 0 serves every d. This module measures
the exponent s for the project's Mehta & Gupta transformer and decides by the rule below, fixed before any
number was seen.

**What is measured.** The GPT model of the MG protocol (:class:`~iclverify.empirics.training.ensemble.EnsembleGPT`:
pre-LN, width D, L = 2 blocks of single-head softmax attention (scores/√D) and a 4D GELU MLP, linear read-out of
the query) on linear regression (d_x = 4, ℓ = 8, ρ = 0.01), trained by the protocol of
:mod:`iclverify.proofs.mehta_gupta2025.trained` (1500 AdamW steps, lr 3×10⁻³, warm-up and cosine, fresh tasks
every step; the same models as ``A.measured-allocation``'s depth-2 shapes). For each model, the Gram matrix
H_ij = ⟨∂f(x_i)/∂θ, ∂f(x_j)/∂θ⟩ over all parameters θ (float64, :mod:`iclverify.empirics.training.ntk`), f the
prediction at the query of context x_i, on n = 32 probe contexts drawn from the stream (seed, "mg-ntk-probe") —
the same contexts at every width for a seed (``CONTEXTS``; n is far below the smallest model's parameter count,
so H is not rank-deficient by construction). λ_min is measured at initialisation (H_0) and after training (H_T).

**Parametrisation** (recorded in the evidence): standard — every weight matrix N(0, 1/fan_in), read-out
N(0, 1/D) with no width multiplier, LayerNorm gains 1. In this parametrisation the read-out's gradient is the
D-dimensional normalised feature of the query, so tr H grows ∝ D by construction; under the NTK
parametrisation (W = ω/√fan_in, unit-variance ω, the kernel taken in ω) the infinite-width kernel is finite and
λ_min is expected to stay O(1) in D. The same networks' kernel in the NTK parametrisation (each weight matrix's
block of H scaled by 1/fan_in) is measured alongside and its fit reported with the status the same rule would
give it — reported, not part of the verdict, which is about the project's models as they are parametrised. The
reason says which parametrisation the exponent belongs to.

**Rule.** Per phase (init, trained), a :class:`~iclverify.numerics.stats.power_law_fit.LogLogFit` of
log λ_min = a + s log D over every (width, seed) model, bootstrap over seeds as clusters (``groups`` = seed:
a seed's models share their probe contexts and training stream), studentized intervals at ``CONFIDENCE`` = 97.5 %
each (family-wise 95 % for the two phases). With the interval [lo, hi] of s (:func:`slope_status`):

* **refuted** if hi < 1: λ_min grows significantly slower than d over the measured widths;
* **consistent** if hi ≥ 1 and lo ≥ 1 − ``TOLERANCE`` = 0.75: the measurement excludes growth as slow as
  d^{3/4} and is compatible with ∝ d or faster;
* **inconclusive** otherwise (the interval reaches below d^{3/4} without excluding d¹: too wide to tell).

The claim (:func:`ntk_status`) is **refuted** if either phase is refuted (the bound is stated for H_t at every t,
initialisation included), **confirmed — as consistent only** if both phases are consistent, **inconclusive**
otherwise. "Confirmed" never proves the bound: a lower bound with an unknown constant is not provable from finite
widths, and the verdict says "consistent only". A refutation is an extrapolation: it says λ_min/d falls across
the measured widths, and that no c > 0 works for all d assumes the measured power law continues.

Levels: the quick level measures H_0 only at D ∈ {8, 16, 32, 64} (training four widths costs more than a quick
claim may); it can refute (at initialisation) but cannot confirm, and is otherwise inconclusive with that reason.
The full level measures both phases at D ∈ {8, 16, 32, 64, 128} (a superset, same protocol and seeds).
Guards (each makes the verdict inconclusive): fewer than ``MIN_SEEDS`` = 5 seeds per width; a fit with warnings;
a λ_min that is not resolved in float64 (λ_min ≤ 0 or λ_max/λ_min > ``MAX_CONDITION`` = 10¹²).

>>> slope_status((0.9, 1.15)), slope_status((0.2, 0.4)), slope_status((0.5, 1.4))
('confirmed', 'refuted', 'inconclusive')
>>> ntk_status({"init": "confirmed", "trained": "confirmed"}), ntk_status({"init": "confirmed"})
('confirmed', 'inconclusive')
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from iclverify.proofs.framework.claims import CheckContext, Claim, Verdict
from iclverify.proofs.framework.evidence import jsonable
from iclverify.proofs.framework.lazy import LazyCallable
from iclverify.proofs.mehta_gupta2025 import trained as mgt
from iclverify.theory.mehta_gupta2025 import formulas as tmg

__all__ = [
    "CLAIMS",
    "CONFIDENCE",
    "CONTEXTS",
    "MAX_CONDITION",
    "MIN_SEEDS",
    "PHASES",
    "SETUPS",
    "TOLERANCE",
    "check_ntk_measured",
    "ntk_experiment",
    "ntk_status",
    "slope_status",
]

MIN_SEEDS = mgt.MIN_SEEDS
CONFIDENCE = 0.975  # each phase; family-wise 95 % for the two
BOUND_SLOPE = 1.0  # λ_min ≥ c·d: exponent 1
TOLERANCE = 0.25  # consistent needs lo ≥ 1 − TOLERANCE
MAX_CONDITION = 1e12
CONTEXTS = 32
PHASES = ("init", "trained")
N_BOOT = {"quick": 1000, "full": 2000}
_WORD = {"confirmed": "consistent", "refuted": "refuted", "inconclusive": "inconclusive"}
PARAMETRISATION = (
    "standard: weights N(0, 1/fan_in), read-out N(0, 1/D) without a width multiplier, attention scores/√D, "
    "pre-LayerNorm (gains 1); the NTK parametrisation's kernel of the same networks is under ntk_parametrisation"
)

SETUPS: dict[str, dict[str, Any]] = {
    "quick": dict(L=2, widths=(8, 16, 32, 64), phases=("init",), seeds=5, contexts=CONTEXTS),
    "full": dict(L=2, widths=(8, 16, 32, 64, 128), phases=PHASES, seeds=5, contexts=CONTEXTS),
}


def slope_status(interval: tuple[float, float], *, bound: float = BOUND_SLOPE, tolerance: float = TOLERANCE) -> str:
    """The rule for one phase on the interval [lo, hi] of the exponent s of λ_min ∝ d^s (module docstring):
    ``refuted`` if hi < bound, ``confirmed`` (consistent) if lo ≥ bound − tolerance, else ``inconclusive``.

    >>> slope_status((1.2, 1.6)), slope_status((0.70, 0.99)), slope_status((0.74, 1.1))
    ('confirmed', 'refuted', 'inconclusive')
    """
    lo, hi = interval
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
        return "inconclusive"
    if hi < bound:
        return "refuted"
    return "confirmed" if lo >= bound - tolerance else "inconclusive"


def ntk_status(statuses: Mapping[str, str], required: Sequence[str] = PHASES) -> str:
    """``refuted`` if any measured phase is; ``confirmed`` if every ``required`` phase was measured and is
    consistent; ``inconclusive`` otherwise.

    >>> ntk_status({"init": "confirmed", "trained": "refuted"}), ntk_status({"init": "refuted"})
    ('refuted', 'refuted')
    >>> ntk_status({"init": "inconclusive", "trained": "confirmed"})
    'inconclusive'
    """
    values = set(statuses.values())
    if "refuted" in values:
        return "refuted"
    return "confirmed" if all(statuses.get(p) == "confirmed" for p in required) else "inconclusive"


def ntk_experiment(ctx: CheckContext) -> dict[str, Any]:
    """λ_min rows of every (phase, width, seed) of the level and, per phase, the fit of log λ_min on log D."""
    from iclverify.empirics.experiments.ntk_width import ntk_rows

    setup = SETUPS[ctx.level]
    seeds = tuple(ctx.seed + i for i in range(setup["seeds"]))
    protocol = mgt._gpt_protocol(ctx)
    shapes = [(setup["L"], D) for D in setup["widths"]]
    rows = ntk_rows(
        protocol,
        shapes,
        seeds=seeds,
        phases=setup["phases"],
        contexts=setup["contexts"],
        device=ctx.device,
        cache=ctx.cache,
        progress=ctx.progress,
    )
    fits, ntkp_fits, sensitivity, unresolved = {}, {}, {}, []
    for phase in setup["phases"]:
        mine = [r for r in rows if r["phase"] == phase]
        bad = [r for r in mine if not _resolved(r, "")]
        unresolved += [f"{phase} D={r['D']} seed {r['seed']}: λ_min = {r['lambda_min']:.3g}" for r in bad]
        fits[phase] = _fit(ctx, [r for r in mine if r not in bad], "lambda_min")
        smaller = [r for r in mine if r not in bad and r["D"] != max(setup["widths"])]
        if len({r["D"] for r in smaller}) >= 2:
            sensitivity[phase] = _fit(ctx, smaller, "lambda_min")
        other = [r for r in mine if "ntkp_lambda_min" in r and _resolved(r, "ntkp_")]
        if len({r["D"] for r in other}) >= 2:
            ntkp_fits[phase] = _fit(ctx, other, "ntkp_lambda_min")
    return {
        "rows": rows,
        "fits": fits,
        "ntkp_fits": ntkp_fits,
        "without_largest": sensitivity,
        "unresolved": unresolved,
        "setup": setup,
        "seeds": seeds,
        "protocol": protocol,
    }


def _resolved(row: Mapping[str, Any], prefix: str) -> bool:
    return bool(row[f"{prefix}lambda_min"] > 0 and row[f"{prefix}condition"] <= MAX_CONDITION)


def _fit(ctx: CheckContext, rows: Sequence[Mapping[str, Any]], key: str) -> Any:
    """log λ_min on log D, clusters = seeds (the rule's fit)."""
    from iclverify.numerics.stats.power_law_fit import LogLogFit

    fitter = LogLogFit(n_boot=N_BOOT[ctx.level], seed=ctx.seed, confidence=CONFIDENCE)
    return fitter.fit(
        np.array([r["D"] for r in rows], dtype=float),
        np.array([r[key] for r in rows]),
        groups=[r["seed"] for r in rows],
    )


def _geometric_means(
    rows: Sequence[Mapping[str, Any]], phase: str, widths: Sequence[int], key: str = "lambda_min"
) -> dict[str, float]:
    """Per width, the geometric mean over seeds of the positive ``key`` of ``phase`` (NaN when there is none)."""
    out = {}
    for D in widths:
        logs = [math.log(r[key]) for r in rows if r["phase"] == phase and r["D"] == D and r.get(key, 0) > 0]
        out[str(D)] = float(math.exp(sum(logs) / len(logs))) if logs else math.nan
    return out


def _local_slopes(means: Mapping[str, float]) -> list[float]:
    """Slopes of log mean λ_min between consecutive widths.

    >>> [round(s, 12) for s in _local_slopes({"8": 1.0, "16": 2.0, "32": 8.0})]
    [1.0, 2.0]
    """
    pts = [(math.log(float(D)), math.log(v) if v > 0 else math.nan) for D, v in means.items()]
    return [(b[1] - a[1]) / (b[0] - a[0]) for a, b in itertools.pairwise(pts)]


def check_ntk_measured(ctx: CheckContext) -> Verdict:
    ex = ntk_experiment(ctx)
    setup, fits = ex["setup"], ex["fits"]
    statuses = {phase: slope_status(fit.ci) for phase, fit in fits.items()}
    status = ntk_status(statuses)
    guards = mgt._seed_guard(setup["seeds"])
    guards += [f"{phase} fit: {w}" for phase, fit in fits.items() for w in fit.warnings]
    if ex["unresolved"]:
        guards.append("λ_min not resolved in float64 (left out of the fit): " + "; ".join(ex["unresolved"]))
    widths = setup["widths"]
    per_phase = "; ".join(
        f"{phase}: λ_min ∝ D^{fit.estimate:.2f} [{fit.ci[0]:.2f}, {fit.ci[1]:.2f}] ({_WORD[statuses[phase]]})"
        for phase, fit in fits.items()
    )
    means = {phase: _geometric_means(ex["rows"], phase, widths) for phase in fits}
    local = {phase: _local_slopes(m) for phase, m in means.items()}
    missing = [p for p in PHASES if p not in fits]
    wide = [p for p, st in statuses.items() if st == "inconclusive"]
    meaning = {
        "refuted": "λ_min grows significantly slower than d (assuming the measured power law continues, λ_min/d → 0)",
        "confirmed": "consistent with λ_min ≥ c·d only; a lower bound with an unknown constant is never proved",
        "inconclusive": "; ".join(
            [f"{', '.join(wide)}: the interval reaches below d^{BOUND_SLOPE - TOLERANCE:g} without excluding d^1"]
            * bool(wide)
            + [f"H_T ({', '.join(missing)}) is measured at the full level only"] * bool(missing)
        ),
    }[status]
    last = "; ".join(
        f"{phase} {widths[-2]}→{widths[-1]}: {ls[-1]:.2f}"
        for phase, ls in local.items()
        if ls and math.isfinite(ls[-1])
    )
    scale = mgt._scale_note(
        L=setup["L"], D=f"{widths[0]}..{widths[-1]}", seeds=setup["seeds"], contexts=setup["contexts"]
    )
    ntkp = "; ".join(
        f"{phase} D^{fit.estimate:.2f} [{fit.ci[0]:.2f}, {fit.ci[1]:.2f}] (by the same rule: "
        f"{_WORD[slope_status(fit.ci)]})"
        for phase, fit in ex["ntkp_fits"].items()
    )
    dropped = "; ".join(
        f"{phase} D^{fit.estimate:.2f} [{fit.ci[0]:.2f}, {fit.ci[1]:.2f}] ({_WORD[slope_status(fit.ci)]})"
        for phase, fit in ex["without_largest"].items()
    )
    traces = {phase: _geometric_means(ex["rows"], phase, widths, "trace_over_n") for phase in fits}
    test_mse = {
        str(D): float(np.mean(v))
        if (v := [r["test_mse"] for r in ex["rows"] if r["D"] == D and "test_mse" in r])
        else None
        for D in widths
    }
    training = ""
    if "trained" in traces and all(v is not None for v in test_mse.values()):
        t0, t1 = traces["init"], traces["trained"]
        ratio = t1[str(widths[-1])] / t0[str(widths[-1])]
        moved = (
            f"the kernel's trace changes by a factor {ratio:.2g} at D = {widths[-1]}: training leaves the lazy regime"
            if abs(math.log(ratio)) > math.log(2)
            else f"the kernel's trace stays within a factor 2 of its initial value ({ratio:.2g} at D = {widths[-1]})"
        )
        training = (
            f"tr H/n (geometric mean) {t0[str(widths[0])]:.3g} → {t0[str(widths[-1])]:.3g} across D at init, "
            f"{t1[str(widths[0])]:.3g} → {t1[str(widths[-1])]:.3g} after training (test MSE "
            + ", ".join(f"{v:.3g}" for v in test_mse.values() if v is not None)
            + f" by width); {moved}"
        )
    reason = (
        f"{per_phase} — {CONFIDENCE:.1%} intervals each; refuted if the upper end < 1, consistent if the lower end "
        f"≥ {BOUND_SLOPE - TOLERANCE:g} — {meaning}. The exponent is that of the project's standard parametrisation "
        "(weights N(0, 1/fan_in), read-out without a 1/√D multiplier)"
        + (f"; the same networks' kernels in the NTK parametrisation (not part of the rule): {ntkp}" if ntkp else "")
        + f". Not part of the rule: local slope at the largest widths (geometric means over seeds) {last}"
        + (f"; fit without D = {widths[-1]}: {dropped}" if dropped else "")
        + (f"; {training}" if training else "")
        + f" — {scale}"
    )
    evidence = {
        "slopes": {
            phase: {"estimate": fit.estimate, "interval": list(fit.ci), "status": statuses[phase]}
            for phase, fit in fits.items()
        },
        "fits": {phase: fit.to_json() for phase, fit in fits.items()},
        "geometric_mean_lambda_min": means,
        "local_slopes_between_widths": local,
        "without_largest_width": {
            phase: {"estimate": fit.estimate, "interval": list(fit.ci), "status_by_the_same_rule": slope_status(fit.ci)}
            for phase, fit in ex["without_largest"].items()
        },
        "geometric_mean_trace_over_n": traces,
        "trained_test_mse_mean_by_width": test_mse,
        "ntk_parametrisation": {
            phase: {
                "estimate": fit.estimate,
                "interval": list(fit.ci),
                "status_by_the_same_rule": slope_status(fit.ci),
                "geometric_mean_lambda_min": _geometric_means(ex["rows"], phase, widths, "ntkp_lambda_min"),
            }
            for phase, fit in ex["ntkp_fits"].items()
        },
        "bound_slope": BOUND_SLOPE,
        "tolerance": TOLERANCE,
        "confidence_each": CONFIDENCE,
        "models": [{k: jsonable(v) for k, v in r.items()} for r in ex["rows"]],
        "setup": setup,
        "seeds": list(ex["seeds"]),
        "protocol": ex["protocol"].describe(),
        "parametrisation": PARAMETRISATION,
        "model": "EnsembleGPT (pre-LN, single-head softmax attention, 4D GELU MLP), L blocks, width D",
        "task": "linear regression, d_x = 4, ℓ = 8, ρ = 0.01; probe contexts from stream (seed, 'mg-ntk-probe')",
        "scale": scale,
    }
    return mgt._finish(status, reason, guards, **evidence)


CLAIMS: tuple[Claim, ...] = (
    Claim(
        id=f"{mgt.PAPER}.NTK.measured",
        paper=mgt.PAPER,
        title="measured NTK λ_min grows at least linearly in width d",
        where=f"{mgt.SUMMARY}: optimisation, MG-NTK",
        provenance="stated",
        statement_tex=(
            r"\lambda_{\min}(H_t) \ge c\,d\ \text{for all}\ d\ "
            r"(\text{measured}: \lambda_{\min} \propto d^{s},\ s \ge 1)"
        ),
        layers=("trained",),
        check=check_ntk_measured,
        random=True,
        code={
            "theory": tmg.ntk_lower_bound,
            "numerics": LazyCallable("iclverify.numerics.stats.power_law_fit", "LogLogFit"),
            "empirics": LazyCallable("iclverify.empirics.experiments.ntk_width", "ntk_rows"),
            "rule": slope_status,
        },
    ),
)
