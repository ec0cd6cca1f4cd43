"""Errors a user can cause. The CLI prints their message on one line and exits with status 2.

Every layer raises these (they live in the bottom layer so every layer may import them); anything else
that escapes is a bug in icl-verify, not in the input.

>>> issubclass(ParameterError, ValueError) and issubclass(ParameterError, UserError)
True
"""

from __future__ import annotations


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
