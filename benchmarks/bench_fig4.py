"""Benchmark: the paper's CPU-sized Fig. 4 (Lu et al. 2024) and the explicit-Gram approach, side by side.

Workload per d: 12 κ values (0.2 … 32), α = τ = 10, ρ = 0.01, λ = 1e-6; 20 Γ* runs and 1000 dMMSE runs
per κ. Targets on a 2-core machine: d = 32 in ≤ 10 s, d = 64 in ≤ 90 s.

* ours: exact-law features (O(nd), no tokens), mixed-precision preconditioned CG on the Kronecker-
  structured normal equations (O(n d²) per iteration), exact finite-d e(Γ); dMMSE from Wishart
  sufficient statistics (O(k d²) per context).
* explicit: what the reference code does — draw the n(ℓ+1) tokens, build the d(d+1)-square Gram matrix
  Σ h hᵀ (O(n d⁴)) and solve it directly (O(d⁶)). It is timed for one Γ* fit per d (rows are generated and
  accumulated in chunks so memory stays bounded) and projected to the 240 fits of the figure.

Both approaches compute the same estimator, with the same number of runs (equal statistical accuracy);
a Γ* from both, on the same features, is compared to show it. Achieved GFLOP/s is the flop count of
the GEMM-shaped work (CG products, Grams) over its wall time, against the machine's DGEMM/SGEMM rates.

Run:  python benchmarks/bench_fig4.py [--d 10 --d 32 --d 64] [--explicit-max-d 64] [--repeat 1] [--threads N]
(``--threads`` sets OPENBLAS_NUM_THREADS before numpy loads; on a machine shared with other jobs, 1 thread
avoids OpenBLAS spin-wait contention, which can slow the small GEMMs here by 10×.)
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time

if "--threads" in sys.argv:  # must happen before numpy (OpenBLAS) is loaded
    os.environ["OPENBLAS_NUM_THREADS"] = sys.argv[sys.argv.index("--threads") + 1]

import numpy as np
import scipy.linalg

from iclverify.empirics.montecarlo.features import context_features
from iclverify.empirics.montecarlo.reduced_model import RidgeGamma
from iclverify.empirics.montecarlo.sampling import lu_sizes, sample_contexts, sample_tasks
from iclverify.empirics.montecarlo.simulate import DMMSE_CHUNK, dmmse_chunk, gamma_config, gamma_run
from iclverify.runtime.parallel import run_sweep_parallel
from iclverify.runtime.seeding import rng
from iclverify.theory.params import LuParams

KAPPA_STRINGS = ("0.2", "0.4", "0.6", "0.8", "1", "1.2", "1.6", "2", "4", "8", "16", "32")
KAPPAS = tuple(float(k) for k in KAPPA_STRINGS)
ALPHA = TAU = 10
RHO, LAM = 0.01, 1e-6
GAMMA_RUNS, DMMSE_RUNS = 20, 1000
TOL = 1e-5  # the simulations' default: leaves <= 2.3e-6 in e(Γ*), < 0.1% of the 95% half-widths of g_task


def gemm_rate(dtype: type, size: int = 2000, repeat: int = 5) -> float:
    a = np.random.default_rng(0).standard_normal((size, size)).astype(dtype)
    best = math.inf
    for _ in range(repeat):
        t = time.perf_counter()
        a @ a
        best = min(best, time.perf_counter() - t)
    return 2 * size**3 / best / 1e9


def _rate_in_worker(cfg: dict) -> dict:
    return {"rate": gemm_rate(np.dtype(cfg["dtype"]).type)}


def fit_flops(n: int, d: int, n_iter: int) -> float:
    """GEMM flops of one structured fit: iterations + rhs + final residual (4nd(d+1) each) + two Grams."""
    return (n_iter + 1.5) * 4.0 * n * d * (d + 1) + 2.0 * n * (d * d + (d + 1) ** 2)


def ours(d: int, workers: int, seed: int = 0) -> dict[str, float]:
    """The production path: cached-sweep runner (no cache here), worker processes, mixed-precision CG."""
    configs = [
        gamma_config(LuParams(tau=TAU, alpha=ALPHA, kappa=k, rho=RHO, lam=LAM), d=d, seed=seed, run=r, tol=TOL)
        for k in KAPPA_STRINGS
        for r in range(GAMMA_RUNS)
    ]
    t0, c0 = time.perf_counter(), time.process_time()
    runs = run_sweep_parallel(configs, gamma_run, namespace="bench", cache=None, workers=workers)
    t1 = time.perf_counter()
    chunks = []
    for k in KAPPAS:
        sz = lu_sizes(d, tau=TAU, alpha=ALPHA, kappa=k)
        base = {
            "d": d,
            "ell": sz["ell"],
            "k": sz["k"],
            "alpha": repr(float(ALPHA)),
            "kappa": repr(k),
            "rho": repr(RHO),
            "seed": seed,
        }
        chunks += [{**base, "chunk": i, "runs": DMMSE_CHUNK} for i in range(DMMSE_RUNS // DMMSE_CHUNK)]
    run_sweep_parallel(chunks, dmmse_chunk, namespace="bench", cache=None, workers=workers)
    t2 = time.perf_counter()
    flops = sum(fit_flops(r["n"], d, r["solver_n_iter"]) for r in runs)
    solve_s = sum(r["solve_seconds"] for r in runs)
    return {
        "cpu_s": time.process_time() - c0,
        "gamma_s": t1 - t0,
        "solve_s": solve_s,
        "dmmse_s": t2 - t1,
        "total_s": t2 - t0,
        "gflop": flops / 1e9,
        "gflops_core": flops / solve_s / 1e9,
        "gflops_wall": flops / (t1 - t0) / 1e9,
        "mean_iter": float(np.mean([r["solver_n_iter"] for r in runs])),
        "fits": len(runs),
    }


def explicit_fit(d: int, kappa: float = 1.0, seed: int = 0, chunk_rows: int = 2048) -> dict[str, float]:
    """One Γ* fit the explicit way: tokens, dense H rows, the p × p Gram, a Cholesky solve."""
    sz = lu_sizes(d, tau=TAU, alpha=ALPHA, kappa=kappa)
    n, ell, p = sz["n"], sz["ell"], d * (d + 1)
    tasks = sample_tasks(rng(seed, "explicit", d, "t"), k=sz["k"], d=d)
    gen = rng(seed, "explicit", d, "x")
    gram, rhs = np.zeros((p, p)), np.zeros(p)
    sample_s = gram_s = 0.0
    for start in range(0, n, chunk_rows):
        m = min(chunk_rows, n - start)
        t = time.perf_counter()
        idx = np.arange(start, start + m) % sz["k"]
        c = sample_contexts(gen, d=d, ell=ell, n=m, tasks=tasks[idx], rho=RHO)
        feats = context_features(c)
        sample_s += time.perf_counter() - t
        t = time.perf_counter()
        h = feats.h()
        gram += h.T @ h
        rhs += h.T @ feats.y
        gram_s += time.perf_counter() - t
    t = time.perf_counter()
    gram[np.diag_indices_from(gram)] += n * LAM / d
    scipy.linalg.cho_solve(scipy.linalg.cho_factor(gram, check_finite=False), rhs, check_finite=False)
    solve_s = time.perf_counter() - t
    flops = 2.0 * n * p * p + p**3 / 3  # HᵀH (BLAS computes the full product) + Cholesky
    total = sample_s + gram_s + solve_s
    return {
        "sample_s": sample_s,
        "gram_s": gram_s,
        "solve_s": solve_s,
        "fit_s": total,
        "gflops": flops / (gram_s + solve_s) / 1e9,
        "projected_s": total * len(KAPPAS) * GAMMA_RUNS,
    }


def same_estimator(d: int = 16) -> float:
    """Relative difference between the structured and the explicit Γ* on the same explicit features."""
    sz = lu_sizes(d, tau=TAU, alpha=ALPHA, kappa=1.0)
    tasks = sample_tasks(rng(0, "same", "t"), k=sz["k"], d=d)
    f = context_features(sample_contexts(rng(0, "same", "x"), d=d, ell=sz["ell"], n=sz["n"], tasks=tasks, rho=RHO))
    a = RidgeGamma(lam=LAM, tol=1e-10).fit(f).gamma_
    b = RidgeGamma(lam=LAM, solver="dense").fit(f).gamma_
    return float(np.abs(a - b).max() / np.abs(b).max())


def growth(ds: list[int], values: list[float]) -> str:
    if len(ds) < 2:
        return "-"
    slope = np.polyfit(np.log(ds), np.log(values), 1)[0]
    return f"~d^{slope:.1f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--d", type=int, action="append", help="dimensions (default 10 32 64)")
    ap.add_argument("--explicit-max-d", type=int, default=64, help="largest d for the explicit-Gram fit")
    ap.add_argument("--repeat", type=int, default=1, help="repeat our workload and keep the fastest")
    ap.add_argument("--threads", type=int, help="BLAS threads of this process (set before numpy loads)")
    ap.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="worker processes, 1 BLAS thread each (default: CPUs)"
    )
    args = ap.parse_args()
    ds = args.d or [10, 32, 64]
    threads = os.environ.get("OPENBLAS_NUM_THREADS") or os.environ.get("OMP_NUM_THREADS") or "default"
    dg, sg = gemm_rate(np.float64), gemm_rate(np.float32)
    probes = [{"dtype": "float64", "worker": i} for i in range(max(2, args.workers))]
    dg1 = float(
        np.mean(
            [
                r["rate"]
                for r in run_sweep_parallel(probes, _rate_in_worker, namespace="rate", cache=None, workers=args.workers)
            ]
        )
    )
    print(
        f"machine: {os.cpu_count()} cores; this process (BLAS threads {threads}): DGEMM {dg:.1f}, SGEMM "
        f"{sg:.1f} GFLOP/s;"
        f" per core with all {args.workers} workers busy: DGEMM {dg1:.1f} GFLOP/s (2000², best of 5)"
    )
    print(f"same estimator: structured CG vs dense explicit Gram at d=16, relative difference {same_estimator():.1e}")
    print("workload per d: 12 κ × (20 Γ* fits + 1000 dMMSE runs), α = τ = 10, ρ = 0.01, λ = 1e-6")
    print(
        f"ours: {args.workers} worker process(es), 1 BLAS thread each; GFLOP/s per core (in the solver) and "
        f"overall (Γ* wall)"
    )
    print(
        f"{'d':>4} {'ours total':>11} {'Γ* part':>9} {'dMMSE':>7} {'iters':>6} {'GFLOP':>7} {'core':>6} "
        f"{'%DGEMM1':>8} {'overall':>8} |"
        f" {'explicit 1 fit':>14} {'(tokens':>8} {'Gram':>7} {'solve)':>7} {'GFLOP/s':>8} {'projected 240 fits':>19}"
    )
    ours_t, expl_t, used_e = [], [], []
    for d in ds:
        best = min((ours(d, args.workers) for _ in range(args.repeat)), key=lambda r: r["total_s"])
        ours_t.append(best["total_s"])
        line = (
            f"{d:>4} {best['total_s']:>10.2f}s {best['gamma_s']:>8.2f}s {best['dmmse_s']:>6.2f}s "
            f"{best['mean_iter']:>6.1f} "
            f"{best['gflop']:>7.1f} {best['gflops_core']:>6.1f} {100 * best['gflops_core'] / dg1:>7.0f}% "
            f"{best['gflops_wall']:>8.1f} |"
        )
        if d <= args.explicit_max_d:
            e = explicit_fit(d)
            expl_t.append(e["fit_s"])
            used_e.append(d)
            line += (
                f" {e['fit_s']:>13.2f}s {e['sample_s']:>7.2f}s {e['gram_s']:>6.2f}s {e['solve_s']:>6.2f}s "
                f"{e['gflops']:>8.1f}"
                f" {e['projected_s']:>18.0f}s"
            )
        print(line, flush=True)
    targets = {32: 10.0, 64: 90.0}
    for d, t in zip(ds, ours_t):
        if d in targets:
            print(f"target d={d}: {t:.1f}s vs ≤ {targets[d]:.0f}s -> {'met' if t <= targets[d] else 'MISSED'}")
    print(
        f"cost growth (log-log slope over d = {ds}): ours {growth(ds, ours_t)} (model: n d² per CG product, n = "
        f"τd², so d⁴);"
        f" explicit per fit {growth(used_e, expl_t)} (model: n d⁴ Gram + d⁶ solve, so d⁶)"
    )


if __name__ == "__main__":
    main()
