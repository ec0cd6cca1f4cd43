"""``icl-verify train``: one training run of a linear or softmax transformer on in-context regression.

Prints the final training loss, the ICL error (fresh tasks), the IDG error (training tasks) and g_task.
The run is cached by its configuration and checkpoints as it goes: interrupted, the same command resumes.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import typer

from iclverify.cli.app import app
from iclverify.cli.common import (
    MAX_COUNT,
    MAX_DIMENSION,
    CacheDirOption,
    DeviceOption,
    JsonOption,
    NoCacheOption,
    SchedulerOption,
    SeedOption,
    json_to_stdout,
    make_cache,
    out,
    progress_bar,
    real_number,
    write_json,
)
from iclverify.runtime.errors import ConfigError

Model = Literal["gamma", "linear", "softmax", "transformer"]
Schedule = Literal["constant", "cosine"]
Scaling = Literal["unit", "mehta-gupta"]
DType = Literal["float32", "float64"]


@app.command("train")
def train_command(
    *,
    model: Annotated[Model, typer.Option(help="gamma, linear, softmax or transformer.")] = "linear",
    layers: Annotated[
        int,
        typer.Option(
            min=1,
            max=MAX_DIMENSION,
            help="Layers (linear), attention blocks (softmax) or blocks with MLP (transformer).",
        ),
    ] = 1,
    d: Annotated[int, typer.Option("--d", min=1, max=MAX_DIMENSION, help="Token dimension.")] = 20,
    tau: Annotated[
        float,
        typer.Option(
            parser=real_number, help="Training contexts P = τd² ('inf': fresh contexts every step, needs --batch-size)."
        ),
    ] = 1.0,
    alpha: Annotated[float, typer.Option(parser=real_number, help="Context length ℓ = αd.")] = 1.0,
    kappa: Annotated[
        float, typer.Option(parser=real_number, help="Tasks k = κd ('inf': a fresh task per context).")
    ] = math.inf,
    rho: Annotated[float, typer.Option(parser=real_number, help="Label-noise variance.")] = 0.01,
    steps: Annotated[
        int | None,
        typer.Option(min=1, max=MAX_COUNT, help="Optimizer steps (default 10 000 unless --epochs is given)."),
    ] = None,
    epochs: Annotated[
        float | None, typer.Option(parser=real_number, help="Passes over the training set (instead of --steps).")
    ] = None,
    lr: Annotated[float, typer.Option(parser=real_number, help="AdamW learning rate.")] = 1e-4,
    lr_schedule: Annotated[Schedule, typer.Option(help="constant or cosine.")] = "constant",
    weight_decay: Annotated[float, typer.Option(parser=real_number, help="AdamW weight decay.")] = 1e-4,
    batch_fraction: Annotated[float, typer.Option(parser=real_number, help="Minibatch size as a fraction of P.")] = 0.1,
    batch_size: Annotated[
        int | None, typer.Option(min=1, max=MAX_COUNT, help="Minibatch size (overrides --batch-fraction).")
    ] = None,
    ridge: Annotated[
        float, typer.Option(parser=real_number, help="λ of the penalty (λ/d)‖θ‖² (the gamma model's matched ridge).")
    ] = 0.0,
    scaling: Annotated[
        Scaling, typer.Option(help="Linear attention scales: unit or mehta-gupta (1/√(d+1), 1/√L).")
    ] = "unit",
    dtype: Annotated[DType, typer.Option(help="float32 or float64.")] = "float32",
    test_contexts: Annotated[
        int, typer.Option(min=1, max=MAX_COUNT, help="Contexts in each of the ICL and IDG test sets.")
    ] = 4000,
    threads: Annotated[
        int | None,
        typer.Option(min=1, max=1024, help="CPU threads (default: 1 for small models, else torch's choice)."),
    ] = None,
    seed: SeedOption = 0,
    device: DeviceOption = "auto",
    json_path: JsonOption = None,
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
    scheduler: SchedulerOption = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
) -> None:
    """Train one model on P = τd² in-context regression contexts and report its errors."""
    from iclverify.empirics.training.train import TrainConfig, train

    if steps is not None and epochs is not None:
        raise ConfigError("give --steps or --epochs, not both")
    if epochs is not None and not (math.isfinite(epochs) and epochs > 0):
        raise ConfigError(f"--epochs must be a positive number, got {epochs}")
    config = TrainConfig(
        model=model,
        layers=layers,
        d=d,
        alpha=alpha,
        tau=tau,
        kappa=kappa,
        rho=rho,
        steps=steps or 10_000,
        lr=lr,
        lr_schedule=lr_schedule,
        weight_decay=weight_decay,
        batch_fraction=batch_fraction,
        batch_size=batch_size,
        ridge=ridge,
        scaling=scaling,
        dtype=dtype,
        test_contexts=test_contexts,
        seed=seed,
    )
    if epochs is not None:
        config = config.replace(steps=max(1, math.ceil(epochs * config.steps_per_epoch)))
    with progress_bar(progress) as sink:
        result = train(
            config, device=device, cache=make_cache(cache_dir, no_cache), progress=sink, threads=threads or "auto"
        )
    data = {"config": config.to_dict(), "result": result}
    if json_path is not None:
        write_json(data, json_path)
        if json_to_stdout(json_path):
            return
    fmt = lambda v: "n/a" if v is None else f"{v:.6g}"  # noqa: E731
    out.print(
        f"{model} (layers={layers}) d={d} ℓ={config.ell} "
        f"P={config.n_train if config.n_train is not None else 'online'} "
        f"k={config.k if config.k is not None else '∞'}: {config.steps} steps ({config.epochs:.4g} epochs) "
        f"on {result['device']}, {result['seconds']:.1f} s"
    )
    out.print(f"final train loss {fmt(result['train_loss'])}")
    out.print(f"ICL error {fmt(result['icl_error'])} ± {fmt(result['icl_se'])}")
    out.print(f"IDG error {fmt(result['idg_error'])} ± {fmt(result['idg_se'])}")
    out.print(f"g_task {fmt(result['g_task'])}   (zero predictor: {1 + config.rho:g}; seed {seed})")
