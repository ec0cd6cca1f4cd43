"""Benchmark: training throughput of the trained models, and the cost of a full Fig. 5 sweep.

1. Throughput (contexts per second = minibatch × steps / seconds) of each architecture at d = 20, α = 1,
   τ = 2 (P = 800 contexts of 21 tokens), with the paper's minibatches of 0.1 P = 80 and full batch, on the
   CPU with 1 and 2 threads, and on CUDA when present. The time per step is measured through the real
   :func:`iclverify.empirics.training.train.train` as (T(2S) − T(S)) / S, which removes data drawing and evaluation.
2. How the time per step grows with d (paper's minibatches, τ = 2), and the projected time of the paper's
   full Fig. 5 sweep (4 architectures × 12 τ × 5 seeds × 10⁵ steps at d = 20, 40, 80). Once compute-bound
   a step costs minibatch (0.1 τd²) × per-context cost (ℓ·d² ∝ d³), so a sweep grows like d⁵; below that
   a fixed per-step overhead (~1–10 ms on CPU) dominates.

Run:  python benchmarks/bench_training.py [--device cpu|cuda] [--steps 200] [--repeat 3] [--ds 8 12 16 20] [--threads 1 2]
(On a machine shared with other jobs, 2 threads can be 100× slower than 1 for these small steps: idle
worker threads spin; this is why training picks 1 thread automatically for small models.)
Timings are minima over ``--repeat`` repetitions (a shared machine only ever slows things down); a
difference that noise makes non-positive prints as nan.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from iclverify.empirics.experiments.lu2024_protocols import FIG5_MODELS
from iclverify.empirics.training.train import TrainConfig, train

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
    args = ap.parse_args()
    threads_options = tuple(args.threads) if args.device == "cpu" else (None,)

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

    print(f"\n== time per step against d (minibatch 0.1·τd², τ = 2) on {args.device}")
    per_context, floor = {}, {}
    for spec in FIG5_MODELS:
        times = []
        for d in args.ds:
            cfg = TrainConfig(
                model=spec.model, layers=spec.layers, d=d, tau=2.0, batch_fraction=0.1, lr=1e-4, test_contexts=100
            )
            t = min(
                step_time(cfg, device=args.device, steps=args.steps, repeat=args.repeat, threads=th)
                for th in threads_options
            )
            times.append(t)
            print(f"{spec.label:30s} d={d:3d} batch={cfg.batch:5d}  {1e3 * t:8.3f} ms/step", flush=True)
        slope = float(np.polyfit(np.log(args.ds), np.log(times), 1)[0])
        print(f"{'':30s} time/step ∝ d^{slope:.2f} over d ∈ {args.ds} (small d: per-step overhead dominates)")
        floor[spec.key] = min(times)
        full = TrainConfig(
            model=spec.model, layers=spec.layers, d=20, tau=2.0, batch_fraction=1.0, lr=1e-4, test_contexts=100
        )
        t_full = min(
            step_time(full, device=args.device, steps=args.steps, repeat=args.repeat, threads=th)
            for th in threads_options
        )
        per_context[spec.key] = t_full / full.batch

    print("\n== projected full Fig. 5 sweep: 12 τ × 5 seeds × 10⁵ steps per architecture and d (grid runs only;")
    print("   the n* bisections add about as much again). Step time = max(overhead floor, minibatch × cost per")
    print(
        "   context), the cost per context measured full-batch at d = 20 and scaled as d³ (ℓ = d tokens of width d+1)."
    )
    total = 0.0
    for key in per_context:
        for d in (20, 40, 80):
            steps = [max(floor[key], 0.1 * tau * d * d * per_context[key] * (d / 20) ** 3) for tau in FIG5_TAUS]
            seconds = sum(steps) * 5 * 100_000
            total += seconds
            print(f"{key:14s} d={d:3d}: {seconds / 3600:10.1f} h")
    print(f"{'total':14s}        {total / 3600:10.1f} h on {args.device}  (time ∝ d⁵ once compute-bound)")


if __name__ == "__main__":
    main()
