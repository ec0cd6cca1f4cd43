"""The typer applications that command modules attach to (``app`` and its ``predict`` group), and the
options every command shares: ``--version``, ``-q/--quiet``, ``-v/--verbose`` and shell completion
(``icl-verify --install-completion``)."""

from __future__ import annotations

from typing import Annotated

import typer

from iclverify.cli import common

app = typer.Typer(
    name="icl-verify",
    help="Verify published scaling claims about in-context learning: symbolic, high-precision, simulated, trained.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

predict_app = typer.Typer(
    help="Predicted errors, exponents and allocations from the theories.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(predict_app, name="predict")


def _version(value: bool) -> None:
    if value:
        import iclverify

        common.out.print(f"icl-verify {iclverify.__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only results and errors: no progress, no log.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log each claim's reason and cache use too.")
    ] = False,
) -> None:
    """Verify published scaling claims about in-context learning: symbolic, high-precision, simulated, trained."""
    common.set_verbosity(0 if quiet else 2 if verbose else 1)
