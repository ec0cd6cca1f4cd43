"""The ``icl-verify`` command line.

Exit status: 0 on success; 1 when a check or command failed internally; 2 for bad input (one line on
stderr, no traceback, usage errors included); 130 when interrupted (finished results stay cached, rerun
to resume). ``verify`` has its own additional rule (``--fail-on``). Set ``ICLVERIFY_DEBUG=1`` to see
tracebacks.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys

import typer

from iclverify.cli.app import app
from iclverify.runtime.device import missing_dependency
from iclverify.runtime.errors import Terminated, UserError, raise_on_sigterm, received_sigterm

__all__ = ["app", "main"]

# Typer >= 0.17 vendors click (typer._click); older versions raise click's own exceptions. Catch either.
_EXIT: tuple[type[BaseException], ...] = (typer.Exit,)
_ABORT: tuple[type[BaseException], ...] = (typer.Abort,)
_USAGE: tuple[type[BaseException], ...] = (typer.exceptions.TyperException,)
try:  # pragma: no cover - depends on the installed typer
    import click

    _EXIT, _ABORT, _USAGE = (
        (*_EXIT, click.exceptions.Exit),
        (*_ABORT, click.exceptions.Abort),
        (*_USAGE, click.ClickException),
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
    from iclverify.cli import common

    common.COMMAND[:] = ["icl-verify", *(sys.argv[1:] if argv is None else [str(a) for a in argv])]
    common.set_verbosity(1)
    debug = os.environ.get("ICLVERIFY_DEBUG") not in (None, "", "0")
    restore_sigterm = raise_on_sigterm()  # SIGTERM stops like Ctrl-C (finished results stay cached), exit 143
    try:
        return _run(argv, debug)
    finally:
        restore_sigterm()


def _run(argv: list[str] | None, debug: bool) -> int:
    from iclverify.cli.common import err

    try:
        _load_commands()
        result = app(args=argv, prog_name="icl-verify", standalone_mode=False)
        if result == 130:  # typer turns KeyboardInterrupt (and Terminated) into exit 130
            err.print("interrupted: finished results are cached; run the same command again to resume")
            return 143 if received_sigterm() else 130
        return int(result) if isinstance(result, int) else 0
    except _EXIT as exc:
        return int(getattr(exc, "exit_code", 0))
    except _ABORT:
        err.print("aborted")
        return 130
    except _USAGE as exc:
        # usage errors (unknown command, bad option value); typer vendors its own click
        if not hasattr(exc, "format_message"):
            raise
        message = exc.format_message().replace("Value error, ", "")
        ctx = getattr(exc, "ctx", None)
        hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        err.print(f"error: {message}{hint}", markup=False)
        return 2
    except UserError as exc:
        if debug:
            raise
        err.print(f"error: {exc}", markup=False)
        return 2
    except KeyboardInterrupt as exc:
        err.print("interrupted: finished results are cached; run the same command again to resume")
        return 143 if isinstance(exc, Terminated) else 130
    except Exception as exc:  # a bug: say so in one line unless debugging
        missing = missing_dependency(exc)  # a module that imports torch at its top, without torch installed
        if missing is not None and not debug:
            err.print(f"error: {missing}", markup=False)
            return 2
        if debug:
            raise
        err.print(
            f"internal error: {type(exc).__name__}: {exc} (set ICLVERIFY_DEBUG=1 for the traceback)", markup=False
        )
        return 1
