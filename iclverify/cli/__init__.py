"""The ``icl-verify`` command line.

Exit status: 0 on success; 1 when a check or command failed internally; 2 for bad input (one line on
stderr, no traceback); 130 when interrupted (finished results stay cached, rerun to resume). ``verify``
has its own additional rule (``--fail-on``). Set ``ICLVERIFY_DEBUG=1`` to see tracebacks.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys

import typer

from iclverify.cli.app import app
from iclverify.runtime.errors import UserError

__all__ = ["app", "main"]

# Typer >= 0.17 vendors click (typer._click); older versions raise click's own exceptions. Catch either.
_EXIT: tuple[type[BaseException], ...] = (typer.Exit,)
_ABORT: tuple[type[BaseException], ...] = (typer.Abort,)
_USAGE: tuple[type[BaseException], ...] = (typer.exceptions.TyperException,)
try:  # pragma: no cover - depends on the installed typer
    import click

    _EXIT, _ABORT, _USAGE = (
        _EXIT + (click.exceptions.Exit,),
        _ABORT + (click.exceptions.Abort,),
        _USAGE + (click.ClickException,),
    )
except ImportError:
    pass


def _load_commands() -> None:
    """Import every command module of this package; each attaches its commands to ``app``."""
    package = sys.modules[__name__]
    for info in pkgutil.iter_modules(package.__path__):
        if info.name not in ("app", "common"):
            importlib.import_module(f"{__name__}.{info.name}")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status instead of raising SystemExit."""
    from iclverify.cli.common import err

    debug = os.environ.get("ICLVERIFY_DEBUG") not in (None, "", "0")
    try:
        _load_commands()
        result = app(args=argv, prog_name="icl-verify", standalone_mode=False)
        return int(result) if isinstance(result, int) else 0
    except _EXIT as exc:
        return int(getattr(exc, "exit_code", 0))
    except _ABORT:
        err.print("aborted")
        return 130
    except _USAGE as exc:
        # usage errors (unknown command, bad option value); typer vendors its own click
        if not hasattr(exc, "show"):
            raise
        exc.show(file=sys.stderr)
        return 2
    except UserError as exc:
        if debug:
            raise
        err.print(f"error: {exc}", markup=False)
        return 2
    except KeyboardInterrupt:
        err.print("interrupted: finished results are cached; run the same command again to resume")
        return 130
    except Exception as exc:  # a bug: say so in one line unless debugging
        if debug:
            raise
        err.print(
            f"internal error: {type(exc).__name__}: {exc} (set ICLVERIFY_DEBUG=1 for the traceback)", markup=False
        )
        return 1
