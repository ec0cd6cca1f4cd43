"""``icl-verify predict mehta-gupta exponent|allocation|critical-scale``: the summary's formulas at a point.

Inputs are read exactly (``--h 1/2``, ``--N 2e6``); exponents are printed as exact rationals and decimals.
Prefactors are 1 unless given (the summary states only Θ(·) and ∝). ``--json PATH`` writes one JSON object
(``--json -``: on stdout).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import mpmath
import sympy as sp
import typer
from rich.table import Table

from iclverify.cli.app import predict_app
from iclverify.cli.common import JsonOption, json_to_stdout, out, write_json
from iclverify.numerics.mehta_gupta2025 import evaluate as nmg
from iclverify.runtime.errors import ParameterError
from iclverify.theory.mehta_gupta2025.allocation import BUDGETS
from iclverify.theory.mehta_gupta2025.formulas import exact_number

__all__ = ["allocation_json", "critical_scale_json", "exponent_json", "mg_app"]

mg_app = typer.Typer(
    help="Mehta & Gupta (2025): exponent, optimal allocation, critical scale.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
predict_app.add_typer(mg_app, name="mehta-gupta")

DIGITS = 15
Budget = Literal["ld", "12ld2"]


def _dec(value: Any) -> str:
    if isinstance(value, sp.Basic):
        value = mpmath.mpf(sp.N(value, DIGITS + 5)) if value != 0 else mpmath.mpf(0)
    return mpmath.nstr(value, DIGITS)


def _show(title: str, rows: list[tuple[str, str]], note: str = "") -> None:
    table = Table(title=title, pad_edge=False)
    table.add_column("quantity")
    table.add_column("value", overflow="fold")
    for name, value in rows:
        table.add_row(name, value)
    out.print(table)
    if note:
        out.print(note)


def exponent_json(h: str) -> dict[str, Any]:
    """alpha(h) = 1/(2(h+1)) exact and decimal, with 1/alpha and the halving factor 2^(1/alpha).

    >>> d = exponent_json("1")
    >>> d["alpha"], d["alpha_decimal"], d["halving_factor"]
    ('1/4', '0.25', '16')
    """
    exact, value = nmg.exponent_value(h)
    hv = exact_number("h", h)
    halving = 2 ** (1 / exact)
    return {
        "h": str(hv),
        "alpha": str(exact),
        "alpha_decimal": _dec(value),
        "inverse_alpha": str(1 / exact),
        "halving_factor": str(halving) if halving.is_Integer else _dec(halving),
        "provenance": "alpha(h) = 1/(2(h+1)) as stated in the summary; halving factor 2^(1/alpha) derived",
    }


def allocation_json(N: str, a: str, b: str, budget: str, ratio: str) -> dict[str, Any]:
    """Optimal L*, d* of A L^-a + B d^-b at the budget."""
    if budget not in BUDGETS:
        raise ParameterError(f"--budget must be one of {', '.join(BUDGETS)}, got {budget!r}")
    v = nmg.allocation_value(N, a=a, b=b, budget=budget, ratio=ratio)
    variable = "N" if budget == "ld" else "P"
    return {
        "budget": "L*d = N" if budget == "ld" else "12*L*d^2 = P",
        variable: str(v.budget_value),
        "a": str(v.a),
        "b": str(v.b),
        "A_over_B": str(v.ratio),
        "exponent_L": str(v.exponent_L),
        "exponent_d": str(v.exponent_d),
        "exponent_L_decimal": _dec(v.exponent_L),
        "exponent_d_decimal": _dec(v.exponent_d),
        "L_star": _dec(v.L_star),
        "d_star": _dec(v.d_star),
        "L_times_d": _dec(v.N),
        "params_12Ld2": _dec(v.P_leading),
        "stated_exponents": v.stated_pair,
        "model": "error model A*L^-a + B*d^-b (reconstructed; the summary states only L* ∝ N^(2/3), d* ∝ N^(1/3))",
        "note": (
            "the stated (2/3, 1/3) holds iff b = 2a"
            if budget == "ld"
            else "under 12 L d^2 = P the pair (2/3, 1/3) is impossible for every a, b"
        ),
    }


def critical_scale_json(k: str, h: str) -> dict[str, Any]:
    """N_c = (k h)^(2(h+1)) at unit prefactor.

    >>> critical_scale_json("20", "2")["N_c"]
    '4096000000'
    """
    c = nmg.critical_scale_value(k, h)
    return {
        "k": str(c.k),
        "h": str(c.h),
        "N_c": str(c.exact) if c.is_integer else None,
        "N_c_decimal": _dec(c.value),
        "N_c_exact": str(c.exact),
        "inverse_alpha": str(c.exponent),
        "halving_factor": str(c.halving_factor) if c.halving_factor.is_Integer else _dec(c.halving_factor),
        "prefactor": "1 (the summary states Theta(.))",
        "relation": "N_c = (k h)^(1/alpha): the N where k h N^-alpha = 1",
    }


@mg_app.command("exponent")
def exponent(
    *,
    h: Annotated[str, typer.Option("--h", help="Task hierarchy depth h >= 0 (a number, e.g. 1 or 1/2).")],
    json_path: JsonOption = None,
) -> None:
    """The stated exponent alpha(h) = 1/(2(h+1)), exact and decimal."""
    data = exponent_json(h)
    if json_path is not None:
        write_json(data, json_path)
        if json_to_stdout(json_path):
            return
    _show(
        f"Mehta & Gupta: exponent at h = {data['h']}",
        [
            ("alpha (exact)", data["alpha"]),
            ("alpha", data["alpha_decimal"]),
            ("1/alpha", data["inverse_alpha"]),
            ("N factor to halve the error", data["halving_factor"]),
        ],
    )


@mg_app.command("allocation")
def allocation(
    *,
    N: Annotated[str, typer.Option("--N", help="Budget: N = L d (or the parameter count P with --budget 12ld2), > 0.")],
    a: Annotated[str, typer.Option("--a", help="Depth exponent a > 0 of A L^-a.")] = "1",
    b: Annotated[str, typer.Option("--b", help="Width exponent b > 0 of B d^-b.")] = "2",
    budget: Annotated[Budget, typer.Option("--budget", help="ld (L d = N) or 12ld2 (12 L d^2 = N).")] = "ld",
    ratio: Annotated[str, typer.Option("--ratio", help="Prefactor ratio A/B > 0.")] = "1",
    json_path: JsonOption = None,
) -> None:
    """Optimal depth and width minimising A L^-a + B d^-b at a fixed budget (defaults a = 1, b = 2: b = 2a)."""
    data = allocation_json(N, a, b, budget, ratio)
    if json_path is not None:
        write_json(data, json_path)
        if json_to_stdout(json_path):
            return
    variable = "N" if budget == "ld" else "P"
    _show(
        f"Mehta & Gupta: optimal allocation, {data['budget']}, a = {data['a']}, b = {data['b']}, "
        f"A/B = {data['A_over_B']}",
        [
            (f"L* exponent of {variable}", f"{data['exponent_L']} = {data['exponent_L_decimal']}"),
            (f"d* exponent of {variable}", f"{data['exponent_d']} = {data['exponent_d_decimal']}"),
            ("L*", data["L_star"]),
            ("d*", data["d_star"]),
            ("L* d*", data["L_times_d"]),
            ("12 L* d*^2", data["params_12Ld2"]),
            ("stated (2/3, 1/3)?", "yes" if data["stated_exponents"] else "no"),
        ],
        note=f"{data['model'][0].upper()}{data['model'][1:]}; {data['note']}.",
    )


@mg_app.command("critical-scale")
def critical_scale(
    *,
    k: Annotated[str, typer.Option("--k", help="Number of demonstrations k > 0.")],
    h: Annotated[str, typer.Option("--h", help="Task hierarchy depth h >= 0.")],
    json_path: JsonOption = None,
) -> None:
    """The stated critical scale N_c = (k h)^(2(h+1)) at unit prefactor."""
    data = critical_scale_json(k, h)
    if json_path is not None:
        write_json(data, json_path)
        if json_to_stdout(json_path):
            return
    _show(
        f"Mehta & Gupta: critical scale at k = {data['k']}, h = {data['h']}",
        [
            ("N_c (exact)", data["N_c_exact"]),
            ("N_c", data["N_c_decimal"]),
            ("1/alpha", data["inverse_alpha"]),
            ("N factor to halve the error", data["halving_factor"]),
        ],
        note=f"Unit prefactor (the summary states Θ(·)); {data['relation']}.",
    )
