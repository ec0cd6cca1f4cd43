"""Numerics <-> Monte Carlo: finite-d simulation at random parameter points, extrapolated in 1/d, lands on the
asymptotic theory (the interval of the d = oo gap holds 0), and the gap at the largest d is covered by the
1/d-law's interval. Examples are derandomised so the suite is deterministic; sizes are CI-sized (d <= 32).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from iclverify.empirics.montecarlo.finite_size import bonferroni, finite_size_series
from iclverify.theory.params import LuParams

# |tau - 1| >= 0.4: next to the threshold the finite-d error is dominated by O(1/d) terms that are not yet linear
points = st.fixed_dictionaries(
    {
        "tau": st.sampled_from(["0.3", "0.5", "2", "4", "8"]),
        "alpha": st.sampled_from(["0.5", "1", "2", "4"]),
        "kappa": st.sampled_from(["0.5", "1", "2", "inf"]),
        "rho": st.sampled_from(["0.01", "0.1", "0.5"]),
        "lam": st.sampled_from(["0", "0.01", "0.1"]),
    }
)
QUANTITIES = ("e_icl", "e_idg")
EXAMPLES = 6


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(point=points, seed=st.integers(0, 2**16))
def test_simulation_extrapolates_onto_the_theory(point, seed):
    params = LuParams(**point)
    # family-wise 99% over every (example, quantity) interval of this test
    confidence = bonferroni(0.99, EXAMPLES * len(QUANTITIES))
    series = finite_size_series(params, ds=(16, 24, 32), runs=(8, 6, 5), seed=seed, confidence=confidence)
    for q in QUANTITIES:
        fit = series.gap_fit(q)
        rows = [(r["d"], round(r[q], 4), round(r[f"{q}_theory"], 4)) for r in series.rows]
        note(f"{q}: (d, simulated, theory) = {rows}; gap -> {fit.limit:.4f} [{fit.low:.4f}, {fit.high:.4f}]")
        assert fit.low <= 0 <= fit.high, (
            f"at {params.as_strings()} the finite-d {q} extrapolated to d = oo misses the theory: "
            f"gap limit {fit.limit:.4f}, interval [{fit.low:.4f}, {fit.high:.4f}] (seed {seed})"
        )
