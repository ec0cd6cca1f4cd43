"""Benchmarks for the Mehta & Gupta layer (run by hand: ``python benchmarks/bench_mg.py``).

(a) SymPy: every derivation of ``icl-verify latex mehta-gupta`` from a cold cache (one process).
(b) fits: LogLogFit (30 points, 2000 resamples, vectorised) and FloorPowerLawFit (6 sizes x 8 seeds,
    500 resamples, one least-squares refinement per resample).
(c) GD construction: 16 layers, token width 64, n = 256 context tokens, batch 32, float64 (the forward pass
    costs O(L n d^2) per context, plain GD O(L n d)).

Each timing is the minimum over repeats (the machine is shared).
"""

from __future__ import annotations

import subprocess
import sys
import timeit

import numpy as np


def _best(fn, repeats: int) -> float:
    """Seconds of the fastest of ``repeats`` calls (a shared machine only slows things down)."""
    return min(timeit.repeat(fn, number=1, repeat=repeats))


def main() -> None:
    code = (
        "import time; t = time.perf_counter(); import iclverify.theory.mehta_gupta2025.formulas as m; "
        "m.latex_document(); print(time.perf_counter() - t)"
    )
    cold = min(
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
        for _ in range(3)
    )
    print(f"(a) all Mehta & Gupta derivations + LaTeX, cold process: {cold:.2f} s")

    from iclverify.numerics.stats.power_law_fit import FloorPowerLawFit, LogLogFit

    rng = np.random.default_rng(0)
    x = np.geomspace(1e3, 1e6, 30)
    y = 2 * x**-0.3 * np.exp(0.1 * rng.standard_normal(30))
    print(f"(b) LogLogFit, 30 points, 2000 resamples: {1e3 * _best(lambda: LogLogFit().fit(x, y), 5):.1f} ms")
    xs = np.repeat(np.geomspace(1e3, 1e6, 6), 8)
    ys = (0.05 + 2 * xs**-0.4) * np.exp(0.05 * rng.standard_normal(48))
    strata = np.repeat(np.arange(6), 8)
    print(
        f"    FloorPowerLawFit, 48 points, 500 resamples: "
        f"{_best(lambda: FloorPowerLawFit().fit(xs, ys, strata=strata), 3):.2f} s"
    )

    from iclverify.empirics.training import gd_construction as gdc

    L, width, n, batch = 16, 64, 256, 32
    X = rng.standard_normal((batch, n, width - 1)) / np.sqrt(width - 1)
    yy = rng.standard_normal((batch, n))
    xq = rng.standard_normal((batch, width - 1))
    layers = gdc.gd_layers(d_x=width - 1, etas=[0.1] * L, attn_scale=width**-0.5, residual_scale=L**-0.5)
    t_lsa = _best(lambda: gdc.lsa_predict(X, yy, xq, layers, attn_scale=width**-0.5, residual_scale=L**-0.5), 3)
    t_gd = _best(lambda: gdc.gd_predict(X, yy, xq, [0.1] * L), 3)
    print(f"(c) LSA forward L={L}, width={width}, n={n}, batch={batch}: {t_lsa:.3f} s (plain GD: {t_gd:.3f} s)")


if __name__ == "__main__":
    main()
