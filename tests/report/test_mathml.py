"""LaTeX to MathML: every registered claim's statement converts with no raw command left visible, and input
latex2mathml cannot read falls back to readable text (never to LaTeX source)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from iclverify.proofs.framework.registry import all_claims
from iclverify.report.mathml import has_raw_tex, math_html, plain_math, text_html, visible_text


@pytest.mark.parametrize("claim", all_claims(), ids=lambda c: c.id)
def test_every_statement_becomes_mathml(claim):
    markup = math_html(claim.statement_tex, display=True)
    assert markup.startswith("<math"), markup[:200]
    ET.fromstring(markup)  # well-formed XML
    assert not has_raw_tex(visible_text(markup))


def test_unreadable_math_falls_back_to_text_without_commands():
    markup = math_html(r"\frac{1}{")  # an unbalanced brace
    assert markup.startswith('<code class="tex">') and not has_raw_tex(visible_text(markup))
    assert plain_math(r"\kappa \le \min(\tau, 1)") == "κ ≤ min(τ, 1)"


def test_prose_macros_become_html():
    html = text_html(r"The \emph{ridge} root (\texttt{eps}) is ``unique''~--- 50\% of $\sqrt\alpha$ \S 4.")
    assert "<em>ridge</em>" in html and "<code>eps</code>" in html and "“unique”" in html and "50%" in html
    assert "<msqrt>" in html and "§" in html
    assert not has_raw_tex(visible_text(html))
