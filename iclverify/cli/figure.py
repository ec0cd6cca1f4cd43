"""``icl-verify figure NAME``: draw one of the registered figures (PNG, PDF and CSV)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from iclverify.cli.app import app
from iclverify.cli.common import (
    MAX_DIMENSION,
    CacheDirOption,
    DeviceOption,
    LevelOption,
    NoCacheOption,
    SchedulerOption,
    SeedOption,
    make_cache,
    out,
    progress_bar,
)
from iclverify.figures import FigureRequest, all_figures, get_figure
from iclverify.runtime.errors import ConfigError


def _names(incomplete: str) -> list[str]:
    return [n for n in ("list", *all_figures()) if n.startswith(incomplete)]


@app.command()
def figure(
    name: Annotated[
        str, typer.Argument(help="Figure name; 'icl-verify figure list' lists them.", autocompletion=_names)
    ],
    *,
    d: Annotated[
        list[int] | None,
        typer.Option("--d", min=1, max=MAX_DIMENSION, help="Token dimension(s) to simulate (repeatable)."),
    ] = None,
    runs: Annotated[int | None, typer.Option(min=1, max=10**6, help="Independent runs per point.")] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the PNG, PDF and CSV.")] = Path("figures"),
    level: LevelOption = "quick",
    seed: SeedOption = 0,
    device: DeviceOption = "auto",
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
    scheduler: SchedulerOption = None,
    rounding: Annotated[
        Literal["round", "floor"],
        typer.Option(help="Simulated sizes αd, τd², κd: round (default) or floor (Lu et al.'s k = ⌊κd⌋)."),
    ] = "round",
) -> None:
    """Draw a paper's figure: theory curves with finite-d or trained points and error bars."""
    if name == "list":
        for spec in all_figures().values():
            out.print(f"{spec.name:18s} {spec.help}")
        return
    spec = get_figure(name)
    if d is not None and any(x < 2 for x in d):
        raise ConfigError(f"--d must be at least 2, got {d}")
    with progress_bar() as sink:
        request = FigureRequest(
            out=out_dir,
            d=tuple(d) if d else None,
            runs=runs,
            level=level,
            seed=seed,
            device=device,
            cache=make_cache(cache_dir, no_cache),
            progress=sink,
            rounding=rounding,
        )
        paths = spec.build(request)
    for path in paths:
        out.print(f"wrote {path}")
