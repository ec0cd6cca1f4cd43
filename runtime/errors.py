"""Errors a user can cause (the CLI prints their message on one line and exits with status 2), and SIGTERM.

Every layer raises these (they live in the bottom layer so every layer may import them); anything else
that escapes is a bug in icl-verify, not in the input.

>>> issubclass(ParameterError, ValueError) and issubclass(ParameterError, UserError)
True
"""

from __future__ import annotations

from collections.abc import Callable


class UserError(Exception):
    """Bad input: a parameter out of range, an unknown name, a malformed file."""


class ParameterError(UserError, ValueError):
    """A model parameter outside its allowed range (the message names the field and the range)."""


class UnknownNameError(UserError, KeyError):
    """An unknown claim id, paper, figure or command argument."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ConfigError(UserError, ValueError):
    """A malformed configuration file or option combination."""


class MissingDependencyError(UserError, RuntimeError):
    """An optional dependency (torch, pdflatex) is needed and not installed."""


class Terminated(KeyboardInterrupt):
    """The process was asked to stop (SIGTERM): unwinds like Ctrl-C; the CLI exits with status 143."""


_SIGTERM = {"received": False}


def received_sigterm() -> bool:
    """Whether SIGTERM arrived since :func:`raise_on_sigterm` (the CLI then exits 143 instead of 130)."""
    return _SIGTERM["received"]


def raise_on_sigterm() -> Callable[[], None]:
    """From now on SIGTERM raises :class:`Terminated` in the main thread (a clean, resumable stop).

    Returns a function that puts the previous handler back (the CLI calls it when a command ends, so an
    in-process caller keeps its own SIGTERM behaviour). Does nothing outside the main thread, where Python
    cannot install signal handlers.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    _SIGTERM["received"] = False

    def _handler(signum: int, frame: object) -> None:
        _SIGTERM["received"] = True
        raise Terminated(f"terminated by signal {signum}")

    previous = signal.signal(signal.SIGTERM, _handler)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore
