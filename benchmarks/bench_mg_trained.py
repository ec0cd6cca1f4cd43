"""Benchmark: ensemble training for the Mehta & Gupta trained-model claims, and the cost of each level.

1. Ensemble speed-up: seconds per optimizer step of E independent models trained as one ensemble
   (:mod:`iclverify.empirics.training.ensemble`) against E single-model ensembles, for small shapes where fixed
   per-step overhead dominates (the regime of every quick-level run).
2. Projected time of each claim's sweep at ``--level`` (quick or full): the step time of every distinct
   ensemble the level trains (measured over ``--steps`` steps after a warm-up, minimum of ``--repeat``),
   times its number of steps; shapes shared between claims are counted once, for the first claim.

Run:  python benchmarks/bench_mg_trained.py [--level quick|full] [--device cpu|cuda] [--steps 10] [--repeat 2]
      [--skip-speedup]
Timings are minima over repetitions (a shared machine only slows things down).
"""

from __future__ import annotations

import argparse
import time

import torch

from iclverify.empirics.experiments.eta_measurement import lsa_config
from iclverify.empirics.experiments.shape_grids import aspect_family, fixed_parameters, fixed_product, tab3_shapes
from iclverify.empirics.training.engine import StopRule, fit
from iclverify.empirics.training.ensemble import EnsembleConfig, _threads, build_ensemble, training_losses
from iclverify.empirics.training.train import torch_threads
from iclverify.proofs.mehta_gupta2025.trained import SETUPS, _protocol
from iclverify.runtime.device import pick_device


def step_seconds(cfg: EnsembleConfig, *, device: str, steps: int, repeat: int) -> float:
    """Seconds per training step (data, forward, backward, clipping, AdamW) of the ensemble ``cfg`` in the
    engine (:func:`iclverify.empirics.training.engine.fit`)."""
    dev = pick_device(device)
    with torch_threads(_threads(cfg) if dev.type == "cpu" else None):
        model = build_ensemble(cfg).to(dev)
        params = dict(model.params.items())
        losses = training_losses(cfg, model, dev)
        E = len(cfg.seeds)

        def run(n: int) -> None:
            fit(params, losses, lr=lambda s: torch.full((E,), cfg.lr), stop=[StopRule(max_steps=n)] * E, clip=cfg.clip)
            if dev.type == "cuda":
                torch.cuda.synchronize()

        run(3)
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            run(steps)
            best = min(best, (time.perf_counter() - start) / steps)
    return best


def speedup(device: str, steps: int, repeat: int) -> None:
    print("ensemble speed-up (seconds per step; E models together vs E separate runs)")
    for model, shape in (("gpt", (2, 8)), ("gpt", (16, 4)), ("gpt", (1, 64)), ("lsa", (4, 8))):
        for E in (3, 5):
            seeds = tuple(range(E))
            if model == "gpt":
                cfg = _protocol().config(layers=shape[0], width=shape[1], seeds=seeds)
                one = _protocol().config(layers=shape[0], width=shape[1], seeds=(0,))
            else:
                cfg = lsa_config(L=shape[0], d=shape[1], seeds=seeds, steps=100, lr=0.01)
                one = lsa_config(L=shape[0], d=shape[1], seeds=(0,), steps=100, lr=0.01)
            together = step_seconds(cfg, device=device, steps=steps, repeat=repeat)
            single = step_seconds(one, device=device, steps=steps, repeat=repeat)
            print(
                f"  {model} {shape} E={E}: ensemble {together * 1e3:7.1f} ms, "
                f"separately {E * single * 1e3:7.1f} ms, speed-up {E * single / together:4.1f}x"
            )


def level_ensembles(level: str) -> dict[str, list[EnsembleConfig]]:
    """Every ensemble each claim trains at ``level`` (first claim to need a shape owns it)."""
    s = SETUPS[level]
    gpt = _protocol(**s["gpt"])
    out: dict[str, list[EnsembleConfig]] = {}
    eta = s["eta"]
    out["T2.eta-measured"] = [
        lsa_config(L=L, d=d, seeds=tuple(range(eta["seeds"])), steps=eta["steps"], lr=eta["lr"])
        for L, d in eta["cells"]
    ]
    size = s["size"]
    seeds = tuple(range(size["seeds"]))
    out["T1b.measured-exponent"] = [
        gpt.config(layers=L, width=D, seeds=seeds, task=task, **({"s": size["s"]} if task == "sparse-linear" else {}))
        for task, depths in size["depths"].items()
        for L, D in aspect_family(depths, ratio=size["ratio"])
    ]
    alloc = s["allocation"]
    seeds = tuple(range(alloc["seeds"]))
    shapes = [sh for N, depths in alloc["budgets"].items() for sh in fixed_product(N, depths=depths)]
    shapes += [sh for w in alloc["fixed_params"] for sh in fixed_parameters(w, count=3)]
    out["A.measured-allocation"] = [gpt.config(layers=L, width=D, seeds=seeds) for L, D in dict.fromkeys(shapes)]
    out["Tab3.depth-beats-width"] = [
        gpt.config(layers=L, width=D, seeds=seeds) for D0 in s["tab3"]["D0s"] for L, D in tab3_shapes(1, D0).values()
    ]
    tr = s["transition"]
    p = _protocol(steps=tr["steps"], lr=tr["lr"])
    out["P3.sigmoid"] = [
        p.config(layers=tr["L"], width=D, seeds=tuple(range(tr["seeds"])), task="tree", ell=k, h=tr["h"], rho=0.0)
        for k in tr["ks"]
        for D in tr["widths"]
    ]
    seen: set[str] = set()
    for claim, cfgs in out.items():
        out[claim] = [c for c in cfgs if not (repr(c) in seen or seen.add(repr(c)))]
    return out


def projection(level: str, device: str, steps: int, repeat: int) -> None:
    print(f"projected training time at level {level!r} on {device} (per-step time x steps; shared shapes counted once)")
    total = 0.0
    for claim, cfgs in level_ensembles(level).items():
        seconds = 0.0
        for cfg in cfgs:
            seconds += step_seconds(cfg, device=device, steps=steps, repeat=repeat) * cfg.steps
        total += seconds
        print(f"  {claim:26s} {len(cfgs):3d} ensembles  {seconds:8.0f} s")
    print(f"  {'total':26s} {'':16s}{total:8.0f} s  ({total / 60:.1f} min)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--level", default="full", choices=("quick", "full"))
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--skip-speedup", action="store_true")
    args = ap.parse_args()
    if not args.skip_speedup:
        speedup(args.device, args.steps, args.repeat)
    projection(args.level, args.device, args.steps, args.repeat)


if __name__ == "__main__":
    main()
