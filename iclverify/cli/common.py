"""Pieces shared by the commands: consoles, the shared options, progress and log lines, JSON output.

Conventions every command follows:

* ``--json PATH`` writes the command's result as JSON to ``PATH``; ``--json -`` prints it on stdout
  (and nothing else goes to stdout).
* Options with fixed values (``--level``, ``--device``, ...) are choices, completed by the shell.
* Numbers are read exactly: ``--tau 1/2``, ``--rho 0.01`` and ``--lr 1e-4`` all work.
* Progress bars go to stderr when it is a terminal; otherwise (a batch job's log) one plain line per
  finished claim. ``-q`` silences both, ``-v`` adds reasons and cache use.

>>> real_number("1/2"), real_number("1e-4"), real_number("inf")
(0.5, 0.0001, inf)
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from iclverify.runtime.cache import ResultCache, to_plain
from iclverify.runtime.errors import ConfigError, ParameterError
from iclverify.runtime.sweep import Progress as ProgressSink

# Piped output is not wrapped to 80 columns: tables stay readable in logs and files.
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 180)
err = Console(stderr=True, highlight=False, soft_wrap=True)

VERBOSITY = {"level": 1}  # 0: -q, 1: default, 2: -v (set by the root callback)
COMMAND: list[str] = []  # the command line being run, for the run record (set by main)

Level = Literal["quick", "full"]
Device = Literal["auto", "cpu", "cuda"]

SeedOption = Annotated[
    int, typer.Option(min=0, max=2**63 - 1, help="The one seed every random stream is derived from.")
]
# Upper bounds of counts: far beyond any run this machine class can do, low enough to refuse a typo at once.
MAX_DIMENSION = 4096
MAX_COUNT = 10**9
LevelOption = Annotated[Level, typer.Option(help="quick (CI, laptops) or full (the paper's sizes).")]
DeviceOption = Annotated[Device, typer.Option(help="auto (CUDA when present), cpu or cuda.")]
CacheDirOption = Annotated[
    Path | None,
    typer.Option(help="Where finished results are cached (default: $ICLVERIFY_CACHE or ~/.cache/icl-verify)."),
]
NoCacheOption = Annotated[bool, typer.Option("--no-cache", help="Compute everything afresh and store nothing.")]
JsonOption = Annotated[
    Path | None, typer.Option("--json", help="Write the result as JSON to this file ('-': stdout, nothing else).")
]


def _use_scheduler(ctx: typer.Context, value: str | None) -> str | None:
    """Route the command's sweeps to a Dask scheduler (connected on first use, closed when the command ends)."""
    from iclverify.runtime.executors import activate_scheduler

    if (scheduler := activate_scheduler(value)) is not None:
        ctx.call_on_close(scheduler.close)
    return value


SchedulerOption = Annotated[
    str | None,
    typer.Option(
        help="Run sweeps on Dask: 'local' (a LocalCluster) or tcp://HOST:PORT (a running scheduler).",
        callback=_use_scheduler,
    ),
]


def set_verbosity(level: int) -> None:
    """0 quiet, 1 normal, 2 verbose."""
    VERBOSITY["level"] = level


def verbosity() -> int:
    return VERBOSITY["level"]


def log(message: str, *, level: int = 1) -> None:
    """A plain line on stderr when the verbosity is at least ``level`` (no markup, no colour)."""
    if verbosity() >= level:
        err.print(message, markup=False, highlight=False)


def real_number(text: str) -> float:
    """A float from ``'0.5'``, ``'1/2'``, ``'1e-4'``, ``'inf'`` (every numeric option takes fractions).

    >>> real_number("3/4")
    0.75
    """
    from iclverify.runtime.validation import exact

    try:
        value = exact("value", text, allow_inf=True)
    except ParameterError:
        raise typer.BadParameter(f"{text!r} is not a number (examples: 0.5, 1/2, 1e-4, inf)") from None
    if isinstance(value, float):
        return value
    try:
        return float(value)
    except OverflowError:  # an exact 1e400 is a number, but no float option can take it
        raise typer.BadParameter(f"{text!r} is out of range (write inf for infinity)") from None


def make_cache(cache_dir: Path | None, no_cache: bool) -> ResultCache | None:
    return None if no_cache else ResultCache(cache_dir)


def json_to_stdout(path: Path | None) -> bool:
    """True when ``--json -`` asked for JSON on stdout (so that nothing else may go there)."""
    return path is not None and str(path) == "-"


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
    log(f"wrote {path}")


@contextlib.contextmanager
def progress_bar(enabled: bool = True) -> Iterator[ProgressSink | None]:
    """A rich progress display on stderr whose sink takes ``(description, completed, total)``.

    One bar per description: long checks report their inner sweeps under their own names. Off when
    stderr is not a terminal or with ``-q`` (a batch log gets plain lines instead, see :func:`log`).
    """
    if not enabled or verbosity() == 0 or not err.is_terminal:
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
