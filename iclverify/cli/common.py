"""Pieces shared by the commands: consoles, options, progress bars, JSON output."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from iclverify.runtime.cache import ResultCache, to_plain
from iclverify.runtime.errors import ConfigError
from iclverify.runtime.sweep import Progress as ProgressSink

# Piped output is not wrapped to 80 columns: tables stay readable in logs and files.
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 180)
err = Console(stderr=True, highlight=False, soft_wrap=True)

SeedOption = Annotated[int, typer.Option(min=0, help="The one seed every random stream is derived from.")]
LevelOption = Annotated[str, typer.Option(help="quick (CI, laptops) or full (the paper's sizes).")]
DeviceOption = Annotated[str, typer.Option(help="auto (CUDA when present), cpu or cuda.")]
CacheDirOption = Annotated[
    Path | None,
    typer.Option(help="Where finished results are cached (default: $ICLVERIFY_CACHE or ~/.cache/icl-verify)."),
]
NoCacheOption = Annotated[bool, typer.Option("--no-cache", help="Compute everything afresh and store nothing.")]


def check_level(level: str) -> str:
    if level not in ("quick", "full"):
        raise ConfigError(f"--level must be quick or full, got {level!r}")
    return level


def make_cache(cache_dir: Path | None, no_cache: bool) -> ResultCache | None:
    return None if no_cache else ResultCache(cache_dir)


def write_json(data: Any, path: Path | None) -> None:
    """JSON to ``path`` (``-`` or None: stdout)."""
    text = json.dumps(to_plain(data), indent=2, sort_keys=False) + "\n"
    if path is None or str(path) == "-":
        sys.stdout.write(text)
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror}") from None


@contextlib.contextmanager
def progress_bar(enabled: bool = True) -> Iterator[ProgressSink | None]:
    """A rich progress display on stderr whose sink takes ``(description, completed, total)``.

    One bar per description: long checks report their inner sweeps under their own names.
    """
    if not enabled:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def sink(description: str, completed: int, total: int) -> None:
            if description not in tasks:
                tasks[description] = bar.add_task(description, total=total)
            bar.update(tasks[description], completed=completed, total=total)

        yield sink
