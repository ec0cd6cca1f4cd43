r"""The toy paper's claims, found by icl-verify through the entry point ``toy = "icl_verify_toy_paper.claims"``.

* ``toy.odd-sum`` (true): :math:`\sum_{k=1}^{n} (2k-1) = n^2`, proved by SymPy.
* ``toy.harmonic-bound`` (false): :math:`H_n = \sum_{k=1}^{n} 1/k \le 3` for all :math:`n`, checked at
  :math:`n = 10^4` (quick) or :math:`10^6` (full), where :math:`H_n \approx \ln n + 0.577 > 3`.
"""

from __future__ import annotations

import math

import sympy as sp

from iclverify.proofs.framework.claims import CheckContext, Claim, Verdict

PAPER_TITLES = {"toy": "A toy paper (example icl-verify plugin)"}

n, k = sp.symbols("n k", integer=True, positive=True)


def odd_sum() -> sp.Expr:
    """The theory side: the closed form SymPy finds for the sum of the first n odd numbers."""
    return sp.summation(2 * k - 1, (k, 1, n))


def check_odd_sum(ctx: CheckContext) -> Verdict:
    """Confirmed when SymPy proves the sum equal to n**2, refuted when it proves them different."""
    difference = sp.simplify(odd_sum() - n**2)
    if difference == 0:
        return Verdict.confirmed("SymPy: sum_{k<=n} (2k-1) - n^2 simplifies to 0", closed_form=str(odd_sum()))
    return Verdict.refuted(f"SymPy: the difference is {difference}, not 0", difference=str(difference))


def harmonic(m: int) -> float:
    """H_m = sum_{k<=m} 1/k in float64 (summed from the small terms up)."""
    return math.fsum(1.0 / j for j in range(m, 0, -1))


def check_harmonic_bound(ctx: CheckContext) -> Verdict:
    """Refuted when H_m exceeds the stated bound 3 at the level's m; confirmed otherwise (bounded there)."""
    m = 10**4 if ctx.level == "quick" else 10**6
    value = harmonic(m)
    evidence = {"m": m, "measured": value, "predicted": 3.0}
    if value > 3:
        return Verdict.refuted(f"H_{m} = {value:.6f} > 3", **evidence)
    return Verdict.confirmed(f"H_{m} = {value:.6f} <= 3", **evidence)


CLAIMS = [
    Claim(
        id="toy.odd-sum",
        paper="toy",
        title="The first n odd numbers sum to n squared",
        where="Lemma 1",
        provenance="stated",
        statement_tex=r"\sum_{k=1}^{n} (2k-1) = n^2",
        layers=("symbolic",),
        check=check_odd_sum,
        code={"theory": odd_sum, "rule": check_odd_sum},
    ),
    Claim(
        id="toy.harmonic-bound",
        paper="toy",
        title="The harmonic numbers stay below 3",
        where="Claim 2",
        provenance="stated",
        statement_tex=r"H_n = \sum_{k=1}^{n} \frac{1}{k} \le 3 \quad \text{for all } n",
        layers=("numeric",),
        check=check_harmonic_bound,
        code={"numerics": harmonic, "rule": check_harmonic_bound},
    ),
]
