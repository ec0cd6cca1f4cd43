"""``icl-verify predict bordelon2025 iso-loss``: the ISO loss of L-step GD with the optimal step, and that step.

``--alpha`` is read as the exact decimal typed; the outputs are certified to ``--dps`` significant digits by
interval arithmetic (see :mod:`iclverify.numerics.bordelon2025.iso`). Label noise is not an option: the
closed forms and the certified minimiser are for ρ = 0 (see :mod:`iclverify.theory.bordelon2025.iso`).
"""

from __future__ import annotations

from typing import Annotated, Any

import mpmath
import typer
from rich.table import Table

from iclverify.cli.app import predict_app
from iclverify.cli.common import err, out, write_json
from iclverify.numerics.bordelon2025.iso import IsoLoss, iso_loss
from iclverify.numerics.lu2024.certified import MAX_DPS
from iclverify.runtime.validation import integer

__all__ = ["iso_loss_command", "prediction_json"]

bordelon_app = typer.Typer(
    help="Bordelon, Letey & Pehlevan (2025): deep linear attention as L steps of GD.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
predict_app.add_typer(bordelon_app, name="bordelon2025")


# Depth beyond 1024 layers needs thousands of working digits: refuse it rather than compute for minutes.
MAX_DEPTH = 1024


def _int_in(option: str, text: str, low: int, high: int) -> int:
    return integer(option, text, low=low, high=high, from_text=True)


def _per_step(result: IsoLoss) -> str:
    with mpmath.mp.workdps(result.working_dps):
        return mpmath.nstr(result.gamma_star / result.L, result.dps, strip_zeros=False)


def prediction_json(result: IsoLoss) -> dict[str, Any]:
    """The JSON object ``--json`` prints: decimal strings with ``dps`` significant digits, the exact α.

    >>> data = prediction_json(iso_loss("2", 2, dps=12))
    >>> data["loss"], data["gamma_star"], data["alpha"]
    ('0.185185185185', '1.33333333333', '2')
    """
    lo, hi = result.root.bracket
    return {
        "loss": result.decimal("loss"),
        "gamma_star": result.decimal("gamma_star"),
        "gamma_star_per_step": _per_step(result),
        "alpha": str(result.alpha),
        "L": result.L,
        "rho": "0",
        "dps": result.dps,
        "certified": result.certified,
        "gamma_bracket": [mpmath.nstr(lo, result.dps + 10), mpmath.nstr(hi, result.dps + 10)],
        "working_dps": result.working_dps,
    }


@bordelon_app.command("iso-loss")
def iso_loss_command(
    alpha: Annotated[str, typer.Option(help="P/D, context length per dimension (> 0).")],
    L: Annotated[str, typer.Option("--L", help="Depth: the number of GD steps (an integer >= 1).")],
    dps: Annotated[str, typer.Option(help="Significant digits of the outputs (certified).")] = "30",
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")] = False,
) -> None:
    """ISO: min over gamma of the loss of L GD steps with step gamma/L (rho = 0), and the minimiser gamma*."""
    depth = _int_in("--L", L, 1, MAX_DEPTH)
    digits = _int_in("--dps", dps, 1, MAX_DPS)
    result = iso_loss(alpha, depth, dps=digits)
    if not result.certified:
        err.print(f"warning: could not certify all {digits} digits (working precision {result.working_dps})")
    if json_out:
        write_json(prediction_json(result), None)
        return
    table = Table(title=f"Bordelon et al. (2025), ISO, L = {depth} ({digits} digits)")
    table.add_column("quantity")
    table.add_column("value", overflow="fold")
    table.add_row("loss", result.decimal("loss"))
    table.add_row("gamma_star", result.decimal("gamma_star"))
    table.add_row("gamma_star / L (per step)", _per_step(result))
    out.print(f"alpha={result.alpha}  L={depth}  rho=0")
    out.print(table)
