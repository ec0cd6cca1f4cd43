r"""The LaTeX document of ``icl-verify latex lu2024``: definitions, the paper's results, derived limits.

Every displayed formula is rendered from the SymPy expressions of :mod:`iclverify.theory.lu2024.formulas`,
:mod:`iclverify.theory.marchenko_pastur` and :mod:`iclverify.theory.lu2024.limits`; each step is tagged with
how it was established (definition, SymPy, numeric, as stated).

>>> tex = document()
>>> tex.startswith(r"\documentclass") and r"\end{document}" in tex and "Result 1" in tex
True
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from iclverify.theory import marchenko_pastur as mpt
from iclverify.theory.derivation import Derivation, Step
from iclverify.theory.latex import render_document
from iclverify.theory.lu2024 import formulas as th
from iclverify.theory.lu2024 import limits

__all__ = ["definitions", "document", "reference_values", "results"]

REFERENCE_POINT = {th.tau: 2, th.alpha: 1, th.kappa: sp.Rational(1, 2), th.rho: sp.Rational(1, 100)}


def _sym(name: str) -> sp.Symbol:
    return sp.Symbol(name)


def definitions() -> Derivation:
    r"""Scalings and the shorthands :math:`x^*, m^*, \mu^*` the formulas are written in."""
    steps = (
        Step(
            text=r"Tokens $x_i \sim N(0, I_d/d)$, labels $y_i = \langle x_i, w\rangle + \epsilon_i$ with noise "
            r"variance $\rho$; as $d\to\infty$: context length $\ell = \alpha d$, task diversity $k = \kappa d$ "
            r"($\kappa=\infty$: a fresh task per context), pretraining contexts $n = \tau d^2$, ridge "
            r"$(n/d)\lambda$ ($\lambda\to0^+$: ridgeless). The zero predictor's error is $1+\rho$.",
        ),
        Step(text="Effective noise-to-context ratio", lhs=th.x, rhs=th.x_star()),
        Step(
            text=r"The Marchenko--Pastur transform at it (section \ref{der:mp.transform})",
            lhs=th.m,
            rhs=r"M_\kappa(x^*)",
        ),
        Step(
            text=r"and at the diversity per pretraining sample $\kappa/\tau$",
            lhs=th.mu,
            rhs=r"x^* M_{\kappa/\tau}(x^*)",
        ),
        Step(
            text=r"Ridge: $\nu = x^*+\varepsilon$, $S = M_\kappa(\nu)$, $S' = M_\kappa'(\nu)$, with "
            r"$\varepsilon$ the ridge root.",
            lhs=_sym(r"\nu"),
            rhs=th.x + th.eps,
        ),
    )
    return Derivation(id="lu2024.definitions", title="Scalings and shorthands", steps=steps)


def results() -> Derivation:
    """The paper's formulas (as stated; rendered from the SymPy expressions)."""
    e_icl, e_idg = _sym(r"e^{\rm ICL}"), _sym(r"e^{\rm IDG}")
    steps = (
        Step(text=r"Result 1, ridgeless ICL error, $\tau<1$", lhs=e_icl, rhs=th.e_icl_ridgeless("tau<1"), how="stated"),
        Step(text=r"Result 1, $\tau>1$", lhs=e_icl, rhs=th.e_icl_ridgeless("tau>1"), how="stated"),
        Step(text=r"with", lhs=_sym("k^*"), rhs=th.k_star(), how="stated"),
        Step(text=r"Ridgeless IDG error, $\tau>1$", lhs=e_idg, rhs=th.e_idg_ridgeless("tau>1"), how="stated"),
        Step(
            text=r"Ridgeless IDG error, $\tau<1$",
            lhs=e_idg,
            rhs=th.e_idg_ridgeless("tau<1", expanded=False),
            how="stated",
        ),
        Step(text=r"with", lhs=_sym(r"\varepsilon_0"), rhs=th.eps0(), how="stated"),
        Step(
            text=r"and",
            lhs=_sym("c"),
            rhs=1 / (1 - th.kappa / (1 + th.kappa * _sym(r"\varepsilon_0") / (1 - th.tau)) ** 2),
            how="stated",
        ),
        Step(
            text=r"Ridge $\lambda>0$: $\varepsilon$ is the positive root of",
            lhs=th.fixed_point(),
            rhs=sp.Integer(0),
            how="stated",
        ),
        Step(text=r"and", lhs=_sym("c_e"), rhs=th.c_e(), how="stated"),
        Step(
            text=r"ICL error at ridge $\lambda$",
            lhs=_sym(r"e^{\rm ICL}(\lambda)"),
            rhs=th.e_icl_ridge(expanded=False),
            how="stated",
        ),
        Step(
            text=r"\textbf{Conjecture} (no published source; tested, not assumed): the IDG error at ridge $\lambda$",
            lhs=_sym(r"e^{\rm IDG}(\lambda)"),
            rhs=-th.tau * _sym("c_e"),
            how="stated",
            detail="conjecture",
        ),
        Step(
            text=r"Baseline: Bayes-optimal ridge for $w\sim N(0,I)$",
            lhs=_sym(r"e_{\rm Bayes}"),
            rhs=th.bayes_ridge_error(),
            how="stated",
        ),
    )
    return Derivation(id="lu2024.results", title="The results, as stated", steps=steps)


@cache
def reference_values(digits: int = 30) -> dict[str, sp.Float]:
    r"""Ridgeless :math:`e^{\rm ICL}, e^{\rm IDG}` at :math:`\tau=2,\alpha=1,\kappa=1/2,\rho=1/100` by SymPy's
    ``evalf``.

    >>> {k: str(v)[:16] for k, v in reference_values(20).items()}
    {'e_icl': '1.23399254303921', 'e_idg': '0.60956140634974'}
    """
    return {
        "e_icl": th.full(th.e_icl_ridgeless("tau>1")).subs(REFERENCE_POINT).evalf(digits),
        "e_idg": th.full(th.e_idg_ridgeless("tau>1")).subs(REFERENCE_POINT).evalf(digits),
    }


def _reference() -> Derivation:
    ref = reference_values()
    steps = (
        Step(
            text=r"At $\tau=2$, $\alpha=1$, $\kappa=1/2$, $\rho=1/100$ (ridgeless) the closed forms evaluate to "
            r"(the brief's independent implementation: $1.23399254303922\ldots$ and $0.60956140634974\ldots$)",
            lhs=_sym(r"e^{\rm ICL}"),
            rhs=ref["e_icl"],
            how="numeric",
            detail="SymPy evalf, 30 digits",
        ),
        Step(text="", lhs=_sym(r"e^{\rm IDG}"), rhs=ref["e_idg"], how="numeric", detail="SymPy evalf, 30 digits"),
    )
    return Derivation(id="lu2024.reference", title="A reference point", steps=steps)


@cache
def document() -> str:
    """The full LaTeX source."""
    intro = (
        r"This document is generated by \texttt{icl-verify latex lu2024} from the SymPy expressions of the "
        r"verifier. Each step says how it was established: \emph{definition}; \emph{SymPy} (proved when the "
        r"document was built: a limit, a difference simplified to zero, or a numerator divided exactly by the "
        r"Marchenko--Pastur quadratic); \emph{numeric}; or \emph{as stated} (the paper's word, or an argument "
        r"in words). Lu, Letey, Zavatone-Veth, Maiti and Pehlevan, \emph{Asymptotic theory of in-context "
        r"learning by linear attention}, arXiv:2405.11751."
    )
    sections = [
        ("Definitions", [definitions(), mpt.derivation()]),
        ("Results", [results(), _reference()]),
        ("Derived limits and thresholds", limits.all_derivations()),
    ]
    return render_document("Lu et al. (2024): the asymptotic theory, derived", sections, intro=intro)
