"""The report renders any claims into LaTeX that compiles and into well-formed, self-contained HTML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import sympy as sp

from iclverify.proofs.framework.claims import CheckContext, Claim, Verdict
from iclverify.proofs.framework.runner import run_claims
from iclverify.report.document import environment, report_html, write_report
from iclverify.theory.derivation import Derivation, Step, proved_equal

z = sp.Symbol("z", positive=True)


def _derivation() -> Derivation:
    return Derivation(
        id="demo",
        title=r"A derivation with a\_b \& 50\% awkward characters and $\kappa \to \infty$",
        steps=(
            Step(text=r"Define $f(z) = 1/(1+z)$.", lhs=sp.Function("f")(z), rhs=1 / (1 + z)),
            proved_equal("Partial fractions.", 1 / (z * (z + 1)), 1 / z - 1 / (z + 1)),
            Step(
                text="Established numerically.",
                lhs=r"\lim_{z\to 0} f",
                rhs=sp.Integer(1),
                relation="=",
                how="numeric",
                detail="60 digits",
            ),
        ),
    )


def _claims() -> list[Claim]:
    common = dict(paper="demo", where="§4 & Eq. (3)", layers=("symbolic", "numeric"))
    return [
        Claim(
            id="demo.ok",
            title="An identity_with_underscores",
            provenance="stated",
            statement_tex=r"\kappa > 1 \Rightarrow g_{\rm task} \to (1-\kappa)_+ = 0\ \text{and more}",
            check=lambda ctx: Verdict.confirmed(
                "agrees to 1e-40 (100% of points)", max_rel_error=1e-41, worst_point={"tau": 2, "alpha": "1/2"}
            ),
            derivation=_derivation,
            **common,
        ),
        Claim(
            id="demo.bad",
            title="Refuted one",
            provenance="reconstructed",
            statement_tex=r"\begin{cases} a \end{cases}",
            check=lambda ctx: Verdict.refuted("interval [0.3, 0.4] excludes 0.25", interval=[0.3, 0.4]),
            random=True,
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


def test_report_compiles_and_html_parses(tmp_path, pdflatex):
    outcomes = run_claims(_claims(), CheckContext(seed=11))
    env = environment(level="quick", seed=11, seconds=1.0)
    files = write_report(outcomes, tmp_path, env=env)
    assert files.pdf is not None and files.pdf.stat().st_size > 10_000
    tex = files.tex.read_text()
    for claim in ("demo.ok", "demo.bad", "demo.err"):
        assert claim.replace("_", r"\_") in tex
    root = ET.fromstring(files.html.read_text())  # strict XML well-formedness
    text = "".join(root.itertext())
    assert "refuted" in text and "confirmed" in text and "error" in text
    assert "depend on the seed (11)" in text  # the random claim says so


def test_html_embeds_math_and_falls_back_to_source():
    outcomes = run_claims(_claims(), CheckContext())
    page = report_html(outcomes, env=environment(level="quick", seed=0, seconds=0.0), figures={})
    assert "data:image/svg+xml;base64," in page  # rendered math
    assert r"<code>\begin{cases} a \end{cases}</code>" in page  # mathtext cannot parse this: source shown
    assert 'alt="\\kappa &gt; 1' in page  # the statement itself was rendered
    assert "http://" not in page.replace("http://www.w3.org/1999/xhtml", "")  # nothing fetched from the network
