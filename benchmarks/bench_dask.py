"""Dask LocalCluster vs the local process pool on one Monte Carlo sweep, and the projected speed-up on W workers.

    python benchmarks/bench_dask.py --d 40 --runs 16 --repeats 3

Both executors run the same Γ* runs (single-threaded BLAS in every worker); the script checks that the
results are bit-identical to in-process ones, reports the median wall time of each executor over
``--repeats`` interleaved rounds, their ratio (target ≤ 1.3), and projects the wall time on W workers
from the measured per-task times: T(W) = max(longest task, Σ task / W) + overhead × tasks / W, with Dask's
overhead per task measured on a sweep of trivial tasks.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # the in-process reference too
    os.environ[_var] = "1"


def main() -> None:
    from iclverify.empirics.montecarlo.simulate import gamma_config, gamma_run
    from iclverify.runtime.executors import use_scheduler
    from iclverify.runtime.parallel import run_sweep_parallel, shutdown_pool
    from iclverify.theory.params import LuParams

    parser = argparse.ArgumentParser()
    parser.add_argument("--d", type=int, default=40)
    parser.add_argument("--runs", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    point = LuParams(tau=2, alpha=1, kappa="0.5", rho="0.01")
    configs = [gamma_config(point, d=args.d, seed=0, run=r) for r in range(args.runs)]
    numbers = lambda rs: [{k: v for k, v in r.items() if "seconds" not in k} for r in rs]  # noqa: E731
    reference = numbers([gamma_run(c) for c in configs[:2]])

    def sweep() -> tuple[float, list[dict]]:
        start = time.perf_counter()
        results = run_sweep_parallel(configs, gamma_run, namespace="bench", cache=None, workers=args.workers)
        return time.perf_counter() - start, results

    pool_times, dask_times = [], []
    with use_scheduler("local", workers=args.workers) as scheduler:
        scheduler.client.wait_for_workers(args.workers)
        from iclverify.runtime import executors
        from iclverify.runtime.executors import _square

        start = time.perf_counter()  # Dask's own cost per task: a sweep of trivial tasks
        trivial = [{"x": i} for i in range(200)]
        run_sweep_parallel(trivial, _square, namespace="bench", cache=None, workers=args.workers)
        overhead = (time.perf_counter() - start) * args.workers / len(trivial)

        for _ in range(args.repeats + 1):
            executors._ACTIVE.remove(scheduler)  # the pool
            t, pool_results = sweep()
            pool_times.append(t)
            executors._ACTIVE.append(scheduler)  # Dask
            t, dask_results = sweep()
            dask_times.append(t)
    shutdown_pool()
    assert numbers(pool_results)[:2] == reference and numbers(dask_results) == numbers(pool_results), "not identical"
    pool_t, dask_t = statistics.median(pool_times[1:]), statistics.median(dask_times[1:])
    tasks = [r["seconds"] for r in dask_results]
    print(f"d={args.d}, {args.runs} runs, {args.workers} workers; results bit-identical to in-process")
    print(f"pool {pool_t:.2f} s, Dask LocalCluster {dask_t:.2f} s: ratio {dask_t / pool_t:.2f} (target <= 1.3)")
    print(f"per task {statistics.mean(tasks):.3f} s (max {max(tasks):.3f}), Dask overhead {overhead * 1e3:.1f} ms/task")
    for w in (2, 4, 8, 16, 32, 64):
        projected = max(*tasks, sum(tasks) / w) + overhead * len(tasks) / w
        print(f"  W={w:3d}: projected {projected:7.2f} s, speed-up {sum(tasks) / projected:5.1f}x over one worker")


if __name__ == "__main__":
    main()
