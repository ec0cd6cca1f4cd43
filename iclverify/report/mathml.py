r"""LaTeX to HTML for the report: math as MathML (rendered by the browser), text macros as HTML.

No raw LaTeX reaches the visible text: math goes through ``latex2mathml``; where that fails or leaves a
command it cannot read, the formula is shown as readable text with the command names mapped to Unicode
(``\kappa`` → κ) or dropped. Paragraph-mode text (derivation steps: ``$…$`` math inside prose, ``\emph``,
````…''``, ``~``, ``--``) becomes escaped HTML with the math converted.

>>> "<mi>&#x003BA;</mi>" in math_html(r"\kappa")
True
>>> text_html(r"The ``ridge'' root is \emph{unique}~--- see $x$.")[:47]
'The “ridge” root is <em>unique</em>\xa0— see <math'
>>> visible_text(math_html(r"\arg\min_x f"))
'argminxf'
>>> plain_math(r"\kappa \le \min(\tau,1)")
'κ ≤ min(τ,1)'
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

__all__ = ["has_raw_tex", "math_html", "plain_math", "prose_html", "text_html", "visible_text"]

_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$|\\\[(.+?)\\\]|\\\((.+?)\\\)", re.S)
_TAG = re.compile(r"<[^>]+>")
_RAW = re.compile(r"\\[A-Za-z]+")

# Commands latex2mathml reads differently from LaTeX, rewritten first.
_FIXES = [
    (re.compile(r"\\arg\s*\\min"), r"\\operatorname{arg\\,min}"),
    (re.compile(r"\\arg\s*\\max"), r"\\operatorname{arg\\,max}"),
    (re.compile(r"\\(?:[bB]igg?[lr]?)(?![a-zA-Z])"), ""),
]

# For the text fallback: a command's Unicode form (anything else loses its backslash).
_UNICODE = {
    "alpha": "α", "beta": "β", "gamma": "γ", "Gamma": "Γ", "delta": "δ", "Delta": "Δ", "epsilon": "ε",
    "varepsilon": "ε", "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "pi": "π",
    "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Omega": "Ω",
    "Theta": "Θ", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈",
    "sim": "∼", "propto": "∝", "to": "→", "rightarrow": "→", "Rightarrow": "⇒", "infty": "∞", "in": "∈",
    "cdot": "·", "times": "×", "pm": "±", "sqrt": "√", "sum": "∑", "partial": "∂", "ell": "ℓ", "quad": " ",
    "qquad": "  ", "gtrless": "≷", "ldots": "…", "dots": "…", "cdots": "⋯", "S": "§", "min": "min", "max": "max",
    "lim": "lim", "log": "log", "exp": "exp",
}  # fmt: skip


def _fixed(tex: str) -> str:
    for pattern, repl in _FIXES:
        tex = pattern.sub(repl, tex)
    return tex


def visible_text(markup: str) -> str:
    """The text a browser shows for ``markup`` (tags removed, entities decoded)."""
    return html.unescape(_TAG.sub("", markup))


def has_raw_tex(text: str) -> bool:
    r"""True when ``text`` holds a ``\command``.

    >>> has_raw_tex(r"a \kappa"), has_raw_tex("κ")
    (True, False)
    """
    return _RAW.search(text) is not None


def plain_math(tex: str) -> str:
    r"""A formula as readable text: commands mapped to Unicode or dropped, braces removed.

    >>> plain_math(r"\text{Result } \tfrac{1}{2}")
    'Result  12'
    """
    text = re.sub(r"\\(?:text|mathrm|mathbf|operatorname|rm|mbox)\b", "", tex)
    text = re.sub(r"\\([A-Za-z]+)", lambda m: _UNICODE.get(m.group(1), "" if len(m.group(1)) > 1 else m.group(1)), text)
    text = text.replace("\\,", " ").replace("\\ ", " ").replace("\\!", "").replace("\\\\", "; ")
    return re.sub(r"[{}]", "", text).replace("\\", "")


@lru_cache(maxsize=4096)
def math_html(tex: str, *, display: bool = False) -> str:
    """``tex`` (math mode, no ``$``) as a MathML element; readable text in ``<code>`` if it cannot be converted."""
    from latex2mathml.converter import convert

    try:
        markup = convert(_fixed(tex.strip()), display="block" if display else "inline")
    except Exception:  # latex2mathml raises many types on input it cannot read
        markup = ""
    if not markup or has_raw_tex(visible_text(markup)):
        return f'<code class="tex">{html.escape(plain_math(tex))}</code>'
    return markup


def _plain_text(text: str) -> str:
    text = text.replace("``", "“").replace("''", "”").replace("---", "—").replace("--", "–")
    text = re.sub(r"\\ref\{[^{}]*\}", "", text)
    text = text.replace("~", "\xa0").replace("\\,", "\u2009").replace("\\&", "&").replace("\\%", "%")
    text = text.replace("\\_", "_").replace("\\$", "$").replace("\\#", "#")
    escaped = html.escape(text, quote=False)
    for command, tag in (("emph", "em"), ("textit", "em"), ("textbf", "b"), ("texttt", "code")):
        escaped = re.sub(rf"\\{command}\{{([^{{}}]*)\}}", rf"<{tag}>\1</{tag}>", escaped)
    escaped = re.sub(r"\\(?:textrm|mathrm|text)\{([^{}]*)\}", r"\1", escaped)
    return re.sub(r"\\([A-Za-z]+)\b(?:\{\})?", lambda m: _UNICODE.get(m.group(1), m.group(1)), escaped)


def text_html(text: str) -> str:
    """Paragraph-mode LaTeX (prose with ``$…$`` math) as HTML with MathML."""
    out, pos = [], 0
    for m in _MATH.finditer(text):
        out.append(_plain_text(text[pos : m.start()]))
        tex = next(g for g in m.groups() if g is not None)
        out.append(math_html(tex, display=m.group(1) is not None or m.group(3) is not None))
        pos = m.end()
    out.append(_plain_text(text[pos:]))
    return "".join(out)


_PROSE_MATH = re.compile(r":math:`([^`]+)`|\$([^$]*[\\^_][^$]*)\$")
_LITERAL = re.compile(r"``([^`]+)``")


def _prose_plain(text: str) -> str:
    escaped = _LITERAL.sub(lambda m: "\x00" + m.group(1) + "\x01", text)
    escaped = html.escape(escaped, quote=False).replace("\x00", "<code>").replace("\x01", "</code>")
    return _RAW.sub(lambda m: _UNICODE.get(m.group(0)[1:], m.group(0)[1:]), escaped)


def prose_html(text: str) -> str:
    r"""Plain text that may quote math (reasons, evidence, docstrings): ``:math:`…``` roles and ``$…$`` with
    a command, sub- or superscript become MathML, ````literal```` becomes code, a stray ``\command`` its
    Unicode form; everything else is only escaped (``--fail-on`` and ``~/.cache`` stay as they are).

    >>> visible_text(prose_html(r"the peak :math:`j^* = \arg\max L_j` of ~/.cache --x, cost $5"))
    'the peak j*=argmaxLj of ~/.cache --x, cost $5'
    """
    out, pos = [], 0
    for m in _PROSE_MATH.finditer(text):
        out.append(_prose_plain(text[pos : m.start()]))
        out.append(math_html(m.group(1) if m.group(1) is not None else m.group(2)))
        pos = m.end()
    out.append(_prose_plain(text[pos:]))
    return "".join(out)
