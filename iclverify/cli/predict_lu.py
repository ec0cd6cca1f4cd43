"""``icl-verify predict lu2024``: Lu et al.'s e_icl, e_idg, g_task (and the ridge root) at one point.

Parameters are read as the exact decimals or fractions typed (``--rho 0.01`` is exactly 1/100, ``--tau 1/2``
exactly one half), the outputs are
certified to ``--dps`` significant digits by interval arithmetic (see :mod:`iclverify.numerics.lu2024.certified`).
"""

from __future__ import annotations

from typing import Annotated, Any

import mpmath
import typer
from rich.table import Table

from iclverify.cli.app import predict_app
from iclverify.cli.common import JsonOption, err, json_to_stdout, out, write_json
from iclverify.numerics.lu2024.certified import LuPrediction, evaluate
from iclverify.runtime.errors import ParameterError
from iclverify.theory.params import LuParams

__all__ = ["lu2024", "lu_params", "prediction_json"]


def _dps(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise ParameterError(f"--dps must be an integer >= 1, got {text!r}") from None
    if value < 1:
        raise ParameterError(f"--dps must be an integer >= 1, got {value}")
    return value


def lu_params(**values: Any) -> LuParams:
    """:class:`LuParams` from option values; a fraction such as ``'1/2'`` is read exactly.

    >>> lu_params(tau="1/2", alpha=1, kappa="inf", rho="0.01").tau
    Fraction(1, 2)
    """
    from iclverify.runtime.validation import exact

    read = {k: exact(k, v) if isinstance(v, str) and "/" in v else v for k, v in values.items()}
    return LuParams(**read)


def _num(value: Any, dps: int) -> str:
    return mpmath.nstr(value, dps)


def prediction_json(pred: LuPrediction) -> dict[str, Any]:
    """The JSON object ``--json`` prints: decimal strings with ``dps`` significant digits, exact params.

    >>> data = prediction_json(evaluate(LuParams(tau=2, alpha=1, kappa="0.5", rho="0.01"), dps=15))
    >>> data["e_icl"], data["e_idg"], data["params"]["rho"]     # the reference values
    ('1.23399254303922', '0.609561406349740', '1/100')
    """
    data: dict[str, Any] = {
        **pred.decimals(),
        "params": pred.params.as_strings(),
        "dps": pred.dps,
        "certified": pred.certified,
        "e_idg_conjectured": pred.e_idg_conjectured,
        "root": None,
    }
    if pred.root is not None:
        r = pred.root
        data["root"] = {
            "value": _num(r.value, pred.dps),
            "bracket": [_num(r.bracket[0], pred.dps + 10), _num(r.bracket[1], pred.dps + 10)],
            "residual": _num(r.residual, 5),
            "iterations": r.iterations,
            "certified": r.certified,
        }
    return data


@predict_app.command("lu2024")
def lu2024(
    *,
    tau: Annotated[str, typer.Option(help="n/d^2, pretraining contexts per squared dimension (> 0).")],
    alpha: Annotated[str, typer.Option(help="l/d, context length per dimension (> 0).")],
    kappa: Annotated[str, typer.Option(help="k/d, task diversity (> 0, or inf).")],
    rho: Annotated[str, typer.Option(help="Label-noise variance (>= 0).")],
    lam: Annotated[str, typer.Option(help="Ridge strength (>= 0; 0 is the ridgeless limit).")] = "0",
    dps: Annotated[str, typer.Option(help="Significant digits of the outputs (certified).")] = "30",
    json_path: JsonOption = None,
) -> None:
    """Lu et al. (2024): ICL and IDG errors and their gap at one parameter point."""
    digits = _dps(dps)
    params = lu_params(tau=tau, alpha=alpha, kappa=kappa, rho=rho, lam=lam)
    pred = evaluate(params, dps=digits)
    if not pred.certified:
        err.print(f"warning: could not certify all {digits} digits (working precision {pred.working_dps})")
    if json_path is not None:
        write_json(prediction_json(pred), json_path)
        if json_to_stdout(json_path):
            return
    p = params.as_strings()
    table = Table(title=f"Lu et al. (2024), {'ridgeless' if params.ridgeless else 'ridge'} ({digits} digits)")
    table.add_column("quantity")
    table.add_column("value", overflow="fold")
    table.add_row("e_icl", pred.decimal("e_icl"))
    idg_label = "e_idg (conjecture -tau c_e)" if pred.e_idg_conjectured else "e_idg"
    table.add_row(idg_label, pred.decimal("e_idg"))
    table.add_row("g_task = e_icl - e_idg", pred.decimal("g_task"))
    if pred.root is not None:
        r = pred.root
        table.add_row("ridge root eps", _num(r.value, digits))
        table.add_row(
            "  bracket (certified)" if r.certified else "  bracket",
            f"[{_num(r.bracket[0], digits + 10)}, {_num(r.bracket[1], digits + 10)}]",
        )
        table.add_row("  residual f(eps)", _num(r.residual, 5))
        table.add_row("  solver evaluations", str(r.iterations))
    out.print(f"tau={p['tau']}  alpha={p['alpha']}  kappa={p['kappa']}  rho={p['rho']}  lam={p['lam']}")
    out.print(table)
