"""A small, fast verdict set for the report tests: four claims (confirmed with a derivation, refuted with an
interval, inconclusive sharing the derivation, and a check that raises), run without any cache."""

from __future__ import annotations

import pytest
import sympy as sp

from iclverify.proofs.framework.claims import Claim, Verdict
from iclverify.theory.derivation import Derivation, Step, proved_equal

z = sp.Symbol("z", positive=True)


def demo_derivation() -> Derivation:
    return Derivation(
        id="demo",
        title=r"A derivation with a\_b \& 50\% awkward characters and $\kappa \to \infty$",
        summary=r"The ``ridge'' root is \emph{unique}~--- see $\sqrt\alpha$.",
        steps=(
            Step(text=r"Define $f(z) = 1/(1+z)$.", lhs=sp.Function("f")(z), rhs=1 / (1 + z)),
            proved_equal("Partial fractions.", 1 / (z * (z + 1)), 1 / z - 1 / (z + 1)),
            Step(
                text=r"Established numerically for $\kappa \le \min(\tau,1)$.",
                lhs=r"\lim_{z\to 0} f",
                rhs=sp.Integer(1),
                relation="=",
                how="numeric",
                detail="60 digits",
            ),
        ),
    )


def demo_claims() -> list[Claim]:
    common = dict(paper="demo", where="§4 & Eq. (3)", layers=("symbolic", "numeric"))
    return [
        Claim(
            id="demo.ok",
            title="An identity_with_underscores",
            provenance="stated",
            statement_tex=r"\kappa > 1 \Rightarrow g_{\rm task} \to (1-\kappa)_+ = 0\ \text{and more}",
            check=lambda ctx: Verdict.confirmed(
                "agrees to 1e-40 (100% of points)",
                condition="linear attention (no softmax) with GD-form weights and a long condition that must wrap",
                what="g_task",
                points=3,
                max_rel_error=1e-41,
                worst_point={"tau": 2, "alpha": "1/2"},
                worst_computed="0.50000000000000000001",
                worst_reference="0.5",
            ),
            derivation=demo_derivation,
            **common,
        ),
        Claim(
            id="demo.bad",
            title="Refuted one",
            provenance="reconstructed",
            statement_tex=r"\begin{cases} a & x>0 \\ b & \text{otherwise} \end{cases}",
            check=lambda ctx: Verdict.refuted(
                "interval [2.3, 2.6] excludes 2",
                what="exponent",
                estimate=2.45,
                interval=[2.3, 2.6],
                predicted=2.0,
                rows=[{"d": 8, "n_star": 130.0}, {"d": 16, "n_star": 690.5}],
            ),
            random=True,
            figure="lu2024-fig3",
            **common,
        ),
        Claim(
            id="demo.maybe",
            title="Inconclusive, same derivation",
            provenance="summary",
            statement_tex=r"\arg\min_{Ld=N} A L^{-a} + B d^{-b}",
            check=lambda ctx: Verdict.inconclusive(
                "too wide", slope_L={"estimate": -0.6, "interval": [-0.9, -0.3]}, predicted=[-0.5]
            ),
            derivation=demo_derivation,
            **common,
        ),
        Claim(
            id="demo.err",
            title="Broken check",
            provenance="stated",
            statement_tex="x",
            check=lambda ctx: 1 / 0,
            **common,
        ),
    ]


@pytest.fixture(scope="session")
def demo_result():
    """The four demo claims run to verdicts (seed 11, no cache)."""
    from iclverify.api import verify_claims

    return verify_claims(demo_claims(), seed=11, cache=False, command=["icl-verify", "verify", "--demo"])
