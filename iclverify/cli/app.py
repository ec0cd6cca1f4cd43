"""The typer applications that command modules attach to (``app`` and its ``predict`` group)."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="icl-verify",
    help="Verify published scaling claims about in-context learning: symbolic, high-precision, simulated, trained.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

predict_app = typer.Typer(
    help="Predicted errors, exponents and allocations from the theories.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(predict_app, name="predict")
