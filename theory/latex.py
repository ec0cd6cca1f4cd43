r"""Render derivations as a standalone LaTeX document (strings only; compiling is the CLI's job).

>>> import sympy as sp
>>> from iclverify.theory.derivation import Derivation, Step
>>> z = sp.Symbol("z", positive=True)
>>> d = Derivation(id="demo", title="Demo", steps=(Step(text="Define $f$.", lhs=sp.Symbol("f"), rhs=1 / (1 + z)),))
>>> tex = render_document("Demo", [("Section", [d])])
>>> r"\frac{1}{z + 1}" in tex and tex.startswith(r"\documentclass")
True
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from iclverify.theory.derivation import Derivation, Math, Step

__all__ = ["PREAMBLE", "math_tex", "render_derivation", "render_document", "tex_escape", "unicode_to_tex"]

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\usepackage[margin=2.2cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage{graphicx}
\usepackage{booktabs}
\usepackage{array}
\usepackage{longtable}
\usepackage{xcolor}
\usepackage[hidelinks]{hyperref}
\allowdisplaybreaks
% Display math that shrinks to the line width when (and only when) it is wider.
\newcommand{\fitmath}[1]{\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{$\displaystyle #1$}}
\newcommand{\how}[1]{\hfill{\footnotesize\textcolor{gray}{[#1]}}}
"""

_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def tex_escape(text: str) -> str:
    r"""Escape plain text for LaTeX.

    >>> tex_escape("50% of a_b & c")
    '50\\% of a\\_b \\& c'
    """
    return "".join(_ESCAPES.get(ch, ch) for ch in text)


# Unicode that verdict reasons, titles and statements use, as LaTeX valid in text and math mode alike.
_GREEK = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "varepsilon",
    "η": "eta",
    "θ": "theta",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
    "ν": "nu",
    "π": "pi",
    "ρ": "rho",
    "σ": "sigma",
    "τ": "tau",
    "φ": "phi",
    "χ": "chi",
    "ψ": "psi",
    "ω": "omega",
    "Γ": "Gamma",
    "Δ": "Delta",
    "Θ": "Theta",
    "Λ": "Lambda",
    "Σ": "Sigma",
    "Φ": "Phi",
    "Ψ": "Psi",
    "Ω": "Omega",
}
_SYMBOLS = {
    "±": r"\pm",
    "·": r"\cdot",
    "×": r"\times",
    "←": r"\leftarrow",
    "→": r"\to",
    "∇": r"\nabla",
    "∈": r"\in",
    "−": "-",
    "√": r"\surd",
    "∝": r"\propto",
    "∞": r"\infty",
    "≈": r"\approx",
    "≤": r"\le",
    "≥": r"\ge",
    "≲": r"\lesssim",
    "≠": r"\neq",
    "⊗": r"\otimes",
    "⊙": r"\odot",
    "⌈": r"\lceil",
    "⌉": r"\rceil",
    "⟨": r"\langle",
    "⟩": r"\rangle",
    "‖": r"\|",
    "ℓ": r"\ell",
    "ŷ": r"\hat y",
    "ŵ": r"\hat w",
    "ᵀ": r"^{\top}",
    "½": r"\tfrac12",
    "²": "^{2}",
    "³": "^{3}",
    "¹": "^{1}",
    "⁰": "^{0}",
    "⁴": "^{4}",
    "⁵": "^{5}",
    "⁶": "^{6}",
    "⁷": "^{7}",
    "⁸": "^{8}",
    "⁹": "^{9}",
    "⁺": "^{+}",
    "⁻": "^{-}",
    "₀": "_{0}",
    "₁": "_{1}",
    "₂": "_{2}",
    "₊": "_{+}",
    "₋": "_{-}",
    "∑": r"\sum",
    "∫": r"\int",
}
_TEXT = {
    "§": r"\S{}",
    "–": "--",
    "—": "---",
    "“": "``",
    "”": "''",
    "‘": "`",
    "’": "'",
    "…": r"\dots{}",
    "ö": r"\"o",
    "é": r"\'e",
}
UNICODE_TEX = {
    **{ch: rf"\ensuremath{{\{name}}}" for ch, name in _GREEK.items()},
    **{ch: rf"\ensuremath{{{tex}}}" if tex != "-" else "-" for ch, tex in _SYMBOLS.items()},
    **_TEXT,
}


def unicode_to_tex(text: str) -> str:
    r"""Replace non-ASCII characters by LaTeX that pdflatex typesets in text and math mode alike.

    Characters outside the table are decomposed to ASCII where Unicode allows (accents dropped), else shown
    as ``?`` — pdflatex would stop at them.

    >>> unicode_to_tex("κ ∈ [2, 8], ŷ ≈ x²")
    '\\ensuremath{\\kappa} \\ensuremath{\\in} [2, 8], \\ensuremath{\\hat y} \\ensuremath{\\approx} x\\ensuremath{^{2}}'
    """
    import unicodedata

    out = []
    for ch in text:
        if ord(ch) < 128:
            out.append(ch)
        elif ch in UNICODE_TEX:
            out.append(UNICODE_TEX[ch])
        else:
            ascii_form = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            out.append(ascii_form or "?")
    return "".join(out)


def math_tex(item: Math) -> str:
    """LaTeX of a SymPy object, or raw LaTeX passed through."""
    if item is None:
        return ""
    if isinstance(item, str):
        return item
    return sp.latex(item)


def _render_step(step: Step) -> str:
    tag = {"definition": "definition", "symbolic": "SymPy", "numeric": "numeric", "stated": "as stated"}[step.how]
    detail = f": {tex_escape(step.detail)}" if step.detail and step.how != "definition" else ""
    lines = [f"{step.text} \\how{{{tag}{detail}}}", ""]
    if step.lhs is not None or step.rhs is not None:
        body = " ".join(
            p for p in (math_tex(step.lhs), step.relation if step.lhs is not None else "", math_tex(step.rhs)) if p
        )
        lines += [r"\begin{center}", rf"\fitmath{{{body}}}", r"\end{center}", ""]
    return "\n".join(lines)


def render_derivation(derivation: Derivation, *, level: str = "subsection") -> str:
    """One derivation as a (sub)section: title, summary, numbered steps."""
    parts = [f"\\{level}{{{derivation.title}}}\\label{{der:{derivation.id}}}", ""]
    if derivation.summary:
        parts += [derivation.summary, ""]
    parts.append(r"\begin{enumerate}")
    for step in derivation.steps:
        parts.append(r"\item " + _render_step(step))
    parts.append(r"\end{enumerate}")
    if derivation.result is not None:
        parts += [
            r"\paragraph{Result.}",
            r"\begin{center}",
            rf"\fitmath{{{math_tex(derivation.result)}}}",
            r"\end{center}",
        ]
    return "\n".join(parts) + "\n"


def render_document(
    title: str,
    sections: Sequence[tuple[str, Sequence[Derivation]]],
    *,
    intro: str = "",
    author: str = "generated by icl-verify",
) -> str:
    """A complete ``article``: one ``\\section`` per (heading, derivations) pair."""
    body = [PREAMBLE, rf"\title{{{title}}}", rf"\author{{{author}}}", r"\date{}", r"\begin{document}", r"\maketitle"]
    if intro:
        body += [intro, ""]
    for heading, derivations in sections:
        body.append(rf"\section{{{heading}}}")
        body.extend(render_derivation(d) for d in derivations)
    body.append(r"\end{document}")
    return unicode_to_tex("\n".join(body) + "\n")
