r"""Mehta & Gupta (2025) claims that only trained models can decide — placeholders until issue 6.

Each check returns ``inconclusive`` with the reason. Issue 6 replaces these checks with experiments
(trained linear self-attention and small transformers, fits with bootstrap intervals from
:mod:`iclverify.numerics.fit`, per-layer steps read with :func:`iclverify.empirics.gd_construction.implied_step`
or :func:`~iclverify.empirics.gd_construction.fitted_step`), keeping the claim ids.

>>> {c.id.split(".", 1)[1] for c in CLAIMS} >= {"T1b.measured-exponent", "T2.eta-measured"}
True
"""

from __future__ import annotations

from iclverify.proofs.claims import CheckContext, Claim, Verdict

__all__ = ["CLAIMS"]

PAPER = "mehta-gupta"
SUMMARY = "summary (arXiv 2511.06232; body unavailable)"
OUT_OF_REACH = "the summary's scales (N = L d up to 1e7; d up to 5e5; 12 L d^2 up to 1.2e13) are out of reach on CPU"


def _pending(what: str):
    def check(ctx: CheckContext) -> Verdict:
        return Verdict.inconclusive(f"needs trained models ({what}); not run yet — {OUT_OF_REACH}", pending="issue 6", level=ctx.level)

    return check


def _claim(id_: str, title: str, where: str, statement: str, what: str) -> Claim:
    return Claim(
        id=f"{PAPER}.{id_}",
        paper=PAPER,
        title=title,
        where=where,
        provenance="stated",
        statement_tex=statement,
        layers=("trained",),
        check=_pending(what),
        random=True,
    )


CLAIMS: tuple[Claim, ...] = (
    _claim("T1b.measured-exponent", "measured error exponent ≈ 0.25 in model size", f"{SUMMARY}: experiments, MG-T1b",
           r"\varepsilon - \varepsilon_\infty \propto N^{-0.25}", "error vs N = L d fits with a floor"),
    _claim("T2.eta-measured", "learned per-layer step scales as 1/√(L d)", f"{SUMMARY}: Mechanism 1",
           r"\hat\eta_\ell \propto L^{-1/2} d^{-1/2}", "per-layer steps of trained linear attention at several (L, d)"),
    _claim("A.measured-allocation", "measured optimal depth grows as N^(2/3)", f"{SUMMARY}: MG-A",
           r"\hat L^*(N) \propto N^{2/3}", "shape sweeps at fixed L d"),
    _claim("Tab3.depth-beats-width", "deep (64, 31250) beats wide (4, 500000) by 4×", f"{SUMMARY}: Table 3",
           r"\varepsilon(4, 500000) / \varepsilon(64, 31250) \approx 4", "scaled-down deep-vs-wide comparison"),
    _claim("P3.sigmoid", "sigmoid emergence in N around N_c", f"{SUMMARY}: Proposition 3",
           r"\varepsilon(N)\ \text{sigmoid in}\ \log N\ \text{around}\ N_c", "error vs N around N_c in MSE and thresholded metrics"),
)
