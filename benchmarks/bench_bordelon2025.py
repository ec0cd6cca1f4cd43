"""Benchmarks of Bordelon et al. (run by hand: ``python benchmarks/bench_bordelon2025.py``).

(a) certified ISO loss at 50 digits, L = 1 … 64, α ∈ {0.37, 1, 3} (typical) and {0.01, 100} (extreme).
    Target ≤ 50 ms for L ≤ 64. Reported: warm (moments cached) and cold (first call at that (α, L)).
(b) Monte Carlo of the reduced-Γ ISO model at D = 64, every L ∈ {1, …, 16} at once, 2000 contexts.
    Target ≤ 10 s on 2 cores. Then the growth: D ∈ {16, 32, 64, 128} at fixed contexts, and |L| ∈ {1, 16, 64}.

Each timing is the minimum over repeats (the machine is shared).
"""

from __future__ import annotations

import argparse
import timeit


def _best(fn, repeats: int) -> float:
    return min(timeit.repeat(fn, number=1, repeat=repeats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--contexts", type=int, default=2000)
    args = parser.parse_args()

    from iclverify.empirics.montecarlo.bordelon2025 import iso_context_losses
    from iclverify.numerics.bordelon2025 import iso

    print("(a) certified ISO loss, 50 digits")
    for group, alphas in (("typical", ("0.37", "1", "3")), ("extreme", ("0.01", "100"))):
        for L in (1, 4, 16, 32, 64):
            cold, warm = [], []
            for a in alphas:
                iso.moments_exact.cache_clear()
                iso.loss_coefficients.cache_clear()
                cold.append(_best(lambda a=a, L=L: iso.iso_loss(a, L, dps=50), 1))
                warm.append(_best(lambda a=a, L=L: iso.iso_loss(a, L, dps=50), args.repeats))
            print(f"  {group:8s} L={L:3d}: warm max {1e3 * max(warm):7.1f} ms, cold max {1e3 * max(cold):7.1f} ms")

    print(f"(b) Monte Carlo, {args.contexts} contexts, alpha = 2")
    t = _best(
        lambda: iso_context_losses(d=64, alpha=2.0, Ls=range(1, 17), contexts=args.contexts, seed=0), args.repeats
    )
    print(f"  D=64, L=1..16 at once: {t:.2f} s (target <= 10 s)")
    for d in (16, 32, 64, 128):
        t = _best(lambda d=d: iso_context_losses(d=d, alpha=2.0, Ls=(1,), contexts=500, seed=0), args.repeats)
        print(f"  D={d:4d}, 500 contexts, one L: {t:.3f} s")
    for n in (1, 16, 64):
        t = _best(
            lambda n=n: iso_context_losses(d=64, alpha=2.0, Ls=range(1, n + 1), contexts=500, seed=0), args.repeats
        )
        print(f"  D=64, 500 contexts, {n:2d} depths: {t:.3f} s")


if __name__ == "__main__":
    main()
