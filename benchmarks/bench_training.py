"""Benchmark: training throughput of the trained models, and the cost of a full Fig. 5 sweep.

1. Throughput (contexts per second = minibatch × steps / seconds) of each architecture at d = 20, α = 1,
   τ = 2 (P = 800 contexts of 21 tokens), with the paper's minibatches of 0.1 P = 80 and full batch, on the
   CPU with 1 and 2 threads, and on CUDA when present. The time per step is measured through the real
   :func:`iclverify.empirics.training.train.train` as (T(2S) − T(S)) / S, which removes data drawing and evaluation.
2. One Fig. 5 grid (12 τ × 5 seeds at d = the last ``--ds``) trained as one batched pass of the engine
   against its 60 runs one by one, and the projected time of the paper's full Fig. 5 sweep
   (4 architectures × 12 τ × 5 seeds × 10⁵ steps at d = 20, 40, 80). Once compute-bound a step costs
   minibatch (0.1 τd²) × per-context cost (ℓ·d² ∝ d³), so a sweep grows like d⁵; below that a fixed
   per-step overhead (~1–10 ms on CPU) dominates — which batching pays once per pass instead of per run.

Run:  python benchmarks/bench_training.py [--device cpu|cuda] [--steps 200] [--repeat 3] [--ds 8 12 16 20]
      [--threads 1 2]
(On a machine shared with other jobs, 2 threads can be 100× slower than 1 for these small steps: idle
worker threads spin; this is why training picks 1 thread automatically for small models.)
Timings are minima over ``--repeat`` repetitions (a shared machine only ever slows things down); a
difference that noise makes non-positive prints as nan.
"""

from __future__ import annotations

import argparse
import math
import time

from iclverify.empirics.experiments.lu2024_protocols import FIG5_MODELS
from iclverify.empirics.training.train import TrainConfig, train, train_many

FIG5_TAUS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0)


def step_time(cfg: TrainConfig, *, device: str, steps: int, repeat: int, threads: int | None) -> float:
    """Seconds per optimizer step: (min T(2S) − min T(S)) / S over ``repeat`` timings of each, after a warm-up."""
    train(cfg.replace(steps=10), device=device, threads=threads)  # warm-up: allocator, kernels, imports

    def best(s: int) -> float:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            train(cfg.replace(steps=s), device=device, threads=threads)
            times.append(time.perf_counter() - start)
        return min(times)

    return max(best(2 * steps) - best(steps), 0.0) / steps or math.nan


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--ds", type=int, nargs="*", default=[8, 12, 16, 20])
    ap.add_argument("--threads", type=int, nargs="*", default=[1, 2], help="CPU thread counts to compare")
    ap.add_argument("--skip-throughput", action="store_true", help="only the batched grid and the projection")
    args = ap.parse_args()
    threads_options = tuple(args.threads) if args.device == "cpu" else (None,)

    if not args.skip_throughput:
        throughput(args, threads_options)
    grid_projection(args)


def throughput(args: argparse.Namespace, threads_options: tuple[int | None, ...]) -> None:
    print(f"== throughput at d = 20, α = 1, τ = 2 (P = 800) on {args.device}")
    print(f"{'model':30s} {'batch':>6s} {'threads':>7s} {'ms/step':>9s} {'contexts/s':>11s}")
    for spec in FIG5_MODELS:
        for fraction in (0.1, 1.0):
            for threads in threads_options:
                cfg = TrainConfig(
                    model=spec.model,
                    layers=spec.layers,
                    d=20,
                    tau=2.0,
                    batch_fraction=fraction,
                    lr=1e-4,
                    test_contexts=100,
                )
                t = step_time(cfg, device=args.device, steps=args.steps, repeat=args.repeat, threads=threads)
                print(
                    f"{spec.label:30s} {cfg.batch:6d} {threads!s:>7s} {1e3 * t:9.3f} {cfg.batch / t:11.0f}",
                    flush=True,
                )


def grid_projection(args: argparse.Namespace) -> None:
    print(f"\n== one Fig. 5 grid (12 τ × 5 seeds) as one batched pass vs 60 separate runs, on {args.device}")
    print("   projected full sweep: per (architecture, d), 10⁵ steps of the batched pass; the pass's time at")
    print("   d = 40, 80 is the measured d = 20 pass scaled by its work (Σ minibatch · ℓ · (d+1)², i.e. d⁵), or")
    print("   by nothing where the measured pass is overhead-bound (the larger of the two). The n* bisections")
    print("   (5 seeds in lockstep, ≈ 8 rounds of 5 members) add about 8·5/60 of a compute-bound grid pass.")
    total_single = total_batched = 0.0
    for spec in FIG5_MODELS:
        d = args.ds[-1]
        grid = [
            TrainConfig(
                model=spec.model, layers=spec.layers, d=d, tau=tau, seed=s, batch_fraction=0.1, lr=1e-4,
                test_contexts=100,
            )
            for tau in FIG5_TAUS
            for s in range(5)
        ]  # fmt: skip
        batched = group_step_time(grid, device=args.device, steps=args.steps, repeat=args.repeat)
        single = (
            sum(group_step_time([c], device=args.device, steps=args.steps, repeat=args.repeat) for c in grid[::5]) * 5
        )
        print(
            f"{spec.label:30s} d={d:3d}: batched {1e3 * batched:9.2f} ms/step, separately {1e3 * single:9.2f} ms/step"
        )
        work = sum(c.batch * c.ell * (c.d + 1) ** 2 for c in grid)
        for dd in (20, 40, 80):
            scale = (
                sum(max(1, math.ceil(0.1 * round(tau * dd * dd))) * dd * (dd + 1) ** 2 for tau in FIG5_TAUS) * 5 / work
            )
            total_batched += max(batched, batched * scale) * 100_000
            total_single += max(single, single * scale) * 100_000
    hours = (total_single / 3600, total_batched / 3600)
    print(f"{'projected Fig. 5 grid':30s}        separately {hours[0]:9.1f} h, batched {hours[1]:9.1f} h")
    print(f"{'with the n* bisections':30s}        batched ≈ {hours[1] * (1 + 8 * 5 / 60):9.1f} h on {args.device}")


def group_step_time(configs: list[TrainConfig], *, device: str, steps: int, repeat: int) -> float:
    """Seconds per engine step of the configurations trained as one batched pass (:func:`train_many`):
    (min T(2S) − min T(S)) / S, which removes data drawing and evaluation."""
    train_many([c.replace(steps=5) for c in configs], device=device)

    def best(s: int) -> float:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            train_many([c.replace(steps=s) for c in configs], device=device)
            times.append(time.perf_counter() - start)
        return min(times)

    return max(best(2 * steps) - best(steps), 0.0) / steps or math.nan


if __name__ == "__main__":
    main()
