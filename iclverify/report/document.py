r"""The verification report: one self-contained LaTeX/PDF document and one HTML page.

For each paper: a summary table (claim, where in the paper, provenance, verdict, one-line reason), then
each claim with its statement, its derivation (from the SymPy layer), the numbers that decided it and its
figure. Environment, package versions, seed, level and run times close the report. Numbers that depend on
the seed are marked as random, with the intervals their checks computed.

``statement_tex`` is a math-mode formula, derivation texts are paragraph-mode LaTeX (math inside ``$...$``).
The HTML page renders the math with matplotlib's mathtext into embedded SVG (no network, no JavaScript),
after mapping the few LaTeX commands mathtext lacks, and falls back to the LaTeX source where it still
cannot parse it.

>>> rows = evidence_rows({"max_rel_error": 1.2e-41, "worst_point": {"tau": 2}, "seeds": list(range(20))})
>>> rows[0]
('max_rel_error', '1.2e-41')
>>> rows[2][1]
'[0, 1, 2, 3, 4, 5, 6, 7, ... (20 items)]'
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import html
import io
import os
import platform
import re
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from iclverify.proofs.framework.runner import Outcome
from iclverify.theory.latex import PREAMBLE, render_derivation, tex_escape, unicode_to_tex

__all__ = ["ReportFiles", "environment", "evidence_rows", "report_html", "report_tex", "write_report"]

PAPER_TITLES = {
    "lu2024": "Lu, Letey, Zavatone-Veth, Maiti, Pehlevan (2024/25): asymptotic theory of ICL by linear attention",
    "mehta-gupta": "Mehta \\& Gupta (2025): scaling laws and in-context learning (claims as stated in the summary)",
}
COLORS = {
    "confirmed": "green!45!black",
    "refuted": "red!70!black",
    "inconclusive": "orange!80!black",
    "error": "magenta",
}
HTML_COLORS = {"confirmed": "#1b7a1b", "refuted": "#b01c1c", "inconclusive": "#b86e00", "error": "#a0169c"}
PACKAGES = ("icl-verify", "sympy", "mpmath", "numpy", "scipy", "torch", "matplotlib", "hypothesis")


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReportFiles:
    tex: Path
    html: Path
    pdf: Path | None


def environment(*, level: str, seed: int, seconds: float) -> dict[str, Any]:
    """Where and how the verdicts were computed."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "level": level,
        "seed": seed,
        "total_seconds": round(seconds, 1),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "cpus": os.cpu_count(),
        "versions": versions,
    }


def _format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        items = [_format_value(v) for v in value[:8]]
        more = f", ... ({len(value)} items)" if len(value) > 8 else ""
        return "[" + ", ".join(items) + more + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_format_value(v)}" for k, v in list(value.items())[:8]) + "}"
    text = str(value)
    return text if len(text) <= 160 else text[:157] + "..."


def evidence_rows(evidence: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(key, formatted value)`` rows; nested mappings one level deep become ``key.sub`` rows."""
    rows: list[tuple[str, str]] = []
    for key, value in evidence.items():
        if (
            isinstance(value, Mapping)
            and 0 < len(value) <= 12
            and all(not isinstance(v, Mapping) for v in value.values())
        ):
            rows.extend((f"{key}.{k}", _format_value(v)) for k, v in value.items())
        else:
            rows.append((str(key), _format_value(value)))
    return rows


def _by_paper(outcomes: Sequence[Outcome]) -> dict[str, list[Outcome]]:
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        groups.setdefault(o.claim.paper, []).append(o)
    return groups


def _status(o: Outcome) -> str:
    return o.verdict.status if o.verdict else "error"


def _reason(o: Outcome) -> str:
    return o.verdict.reason if o.verdict else (o.error or "")


def _random_note(o: Outcome, seed: int) -> str:
    if not o.claim.random:
        return "Deterministic: these numbers do not depend on the seed."
    return (
        f"Random: these numbers depend on the seed ({seed}); rerunning with the same seed reproduces them on a "
        "CPU, and the intervals in the evidence give their sampling uncertainty."
    )


# --------------------------------------------------------------------------------------------- LaTeX


def _tex_claim(o: Outcome, figures: Mapping[str, Sequence[Path]], seed: int, tex_dir: Path) -> str:
    c = o.claim
    status = _status(o)
    parts = [
        rf"\subsection{{\texttt{{{tex_escape(c.id)}}}: {tex_escape(c.title)}}}\label{{claim:{c.id}}}",
        rf"\textbf{{Where:}} {tex_escape(c.where)}. \textbf{{Provenance:}} {c.provenance}. "
        rf"\textbf{{Layers:}} {tex_escape(', '.join(c.layers))}. "
        rf"\textbf{{Verdict:}} \textcolor{{{COLORS[status]}}}{{\textbf{{{tex_escape(o.label)}}}}} "
        rf"({o.seconds:.1f}\,s).",
        "",
        r"\paragraph{Statement.}",
        r"\begin{center}",
        rf"\fitmath{{{c.statement_tex}}}",
        r"\end{center}",
        "",
        r"\paragraph{Why.} " + tex_escape(_reason(o)),
        "",
        r"\paragraph{Evidence.} " + tex_escape(_random_note(o, seed)),
    ]
    rows = evidence_rows(o.verdict.evidence) if o.verdict else []
    if rows:
        # a longtable breaks across pages: a long evidence table must not push a blank page before it
        parts += [r"\begin{small}", r"\begin{longtable}{@{}p{0.3\linewidth}p{0.62\linewidth}@{}}", r"\toprule"]
        parts += [rf"\texttt{{{tex_escape(k)}}} & {tex_escape(v)} \\" for k, v in rows]
        parts += [r"\bottomrule", r"\end{longtable}", r"\end{small}"]
    if c.derivation is not None:
        try:
            parts.append(render_derivation(c.derivation(), level="subsubsection"))
        except Exception as exc:  # a derivation that fails must not sink the report; say so instead
            parts.append(
                r"\emph{The derivation could not be produced: " + tex_escape(f"{type(exc).__name__}: {exc}") + "}"
            )
    for path in figures.get(c.id, ()):
        if path.suffix == ".pdf":
            rel = os.path.relpath(path, tex_dir).replace(os.sep, "/")
            parts += [
                r"\begin{center}",
                rf"\includegraphics[width=0.85\linewidth,height=0.4\textheight,keepaspectratio]{{{rel}}}",
                r"\end{center}",
            ]
    return "\n".join(parts) + "\n"


def report_tex(
    outcomes: Sequence[Outcome], *, env: Mapping[str, Any], figures: Mapping[str, Sequence[Path]], tex_dir: Path
) -> str:
    """The report as a standalone LaTeX document."""
    seed = int(env["seed"])
    body = [
        PREAMBLE,
        r"\title{icl-verify: verification report}",
        rf"\author{{icl-verify {tex_escape(env['versions']['icl-verify'])}}}",
        rf"\date{{{tex_escape(env['date'])} --- level \texttt{{{env['level']}}}, seed {seed}}}",
        r"\begin{document}",
        r"\maketitle",
        r"Verdicts: \textcolor{green!45!black}{confirmed}, \textcolor{red!70!black}{refuted}, "
        r"\textcolor{orange!80!black}{inconclusive} (the evidence was too weak to decide). "
        r"\emph{Provenance} says whether the paper states the claim or icl-verify reconstructed it; a reconstruction "
        r"is never the paper's own result.",
        r"\tableofcontents",
    ]
    for paper, group in _by_paper(outcomes).items():
        body.append(rf"\section{{{PAPER_TITLES.get(paper, tex_escape(paper))}}}")
        body += [
            r"\begin{footnotesize}",
            r"\begin{longtable}{@{}"
            + "".join(rf">{{\raggedright\arraybackslash}}p{{{w}\linewidth}}" for w in (0.26, 0.11, 0.1, 0.1, 0.31))
            + "@{}}",
            r"\toprule claim & where & provenance & verdict & reason \\ \midrule \endhead",
        ]
        for o in group:
            status = _status(o)
            breakable = tex_escape(o.claim.id).replace(".", r".\allowbreak{}").replace("-", r"-\allowbreak{}")
            body.append(
                rf"\hyperref[claim:{o.claim.id}]{{\texttt{{{breakable}}}}} & {tex_escape(o.claim.where)} & "
                rf"{o.claim.provenance} & \textcolor{{{COLORS[status]}}}{{{tex_escape(o.label)}}} & {tex_escape(_reason(o))} \\"
            )
        body += [r"\bottomrule", r"\end{longtable}", r"\end{footnotesize}"]
        body.extend(_tex_claim(o, figures, seed, tex_dir) for o in group)
    body += [r"\section{Environment}", r"\begin{tabular}{@{}ll@{}}", r"\toprule"]
    for key in ("date", "level", "seed", "total_seconds", "python", "platform", "cpus"):
        body.append(rf"{tex_escape(key)} & {tex_escape(str(env[key]))} \\")
    for name, version in env["versions"].items():
        body.append(rf"{tex_escape(name)} & {tex_escape(version)} \\")
    body += [
        r"\bottomrule",
        r"\end{tabular}",
        "",
        r"\paragraph{Run times.}",
        r"\begin{small}",
        r"\begin{longtable}{@{}lr@{}}",
    ]
    body += [rf"\texttt{{{tex_escape(o.claim.id)}}} & {o.seconds:.1f}\,s \\" for o in outcomes]
    body += [r"\end{longtable}", r"\end{small}", r"\end{document}"]
    return unicode_to_tex("\n".join(body) + "\n")


# ---------------------------------------------------------------------------------------------- HTML

_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$|\\\[(.+?)\\\]", re.S)


_MATHTEXT_FIXES = [
    (re.compile(r"\\(?:text|textrm|mbox)\{([^{}]*)\}"), lambda m: r"\mathrm{" + m.group(1).replace(" ", r"\ ") + "}"),
    (re.compile(r"\\operatorname\{([^{}]*)\}"), lambda m: r"\mathrm{" + m.group(1) + "}"),
    (re.compile(r"\\[td]frac"), lambda m: r"\frac"),
    (re.compile(r"\\(?:[bB]igg?[lr]?|textstyle|displaystyle|left|right)(?![a-zA-Z])\.?"), lambda m: ""),
]


def _mathtext_compat(tex: str) -> str:
    r"""Map LaTeX commands matplotlib's mathtext lacks onto ones it has (\text -> \mathrm, \tfrac -> \frac, ...).

    >>> print(_mathtext_compat(r"\tfrac12 \bigl[x\bigr] \text{is the root}"))
    \frac12 [x] \mathrm{is\ the\ root}
    """
    for pattern, repl in _MATHTEXT_FIXES:
        tex = pattern.sub(repl, tex)
    return tex


def _math_svg(tex: str) -> str | None:
    """An ``<img>`` with the SVG of ``tex`` rendered by mathtext, or None when mathtext cannot parse it."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import mathtext

    buf = io.BytesIO()
    try:
        mathtext.math_to_image(f"${_mathtext_compat(tex.strip())}$", buf, format="svg", dpi=100)
    except Exception:
        return None
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img class="math" alt="{html.escape(tex, quote=True)}" src="data:image/svg+xml;base64,{data}"/>'


def _html_math_text(text: str) -> str:
    """Paragraph-mode LaTeX to HTML: math rendered, text escaped, a few text macros simplified."""
    out, pos = [], 0
    for m in _MATH.finditer(text):
        out.append(_html_plain(text[pos : m.start()]))
        tex = next(g for g in m.groups() if g is not None)
        out.append(_math_svg(tex) or f"<code>{html.escape(tex)}</code>")
        pos = m.end()
    out.append(_html_plain(text[pos:]))
    return "".join(out)


def _html_plain(text: str) -> str:
    text = re.sub(r"\\(emph|textit|textbf|texttt|mathrm)\{([^{}]*)\}", r"\2", text)
    text = text.replace("~", " ").replace("\\,", " ").replace("--", "–")
    return html.escape(text)


def _html_math(tex: str) -> str:
    return _math_svg(tex) or f"<code>{html.escape(tex)}</code>"


def _html_derivation(o: Outcome) -> str:
    from iclverify.theory.latex import math_tex

    if o.claim.derivation is None:
        return ""
    try:
        der = o.claim.derivation()
    except Exception as exc:
        return f"<p><em>The derivation could not be produced: {html.escape(str(exc))}</em></p>"
    items = []
    for step in der.steps:
        shown = ""
        if step.lhs is not None or step.rhs is not None:
            rel = step.relation if step.lhs is not None else ""
            shown = (
                "<div>" + _html_math(" ".join(p for p in (math_tex(step.lhs), rel, math_tex(step.rhs)) if p)) + "</div>"
            )
        how = f' <span class="how">[{html.escape(step.how)}{": " + html.escape(step.detail) if step.detail else ""}]</span>'
        items.append(f"<li>{_html_math_text(step.text)}{how}{shown}</li>")
    summary = f"<p>{_html_math_text(der.summary)}</p>" if der.summary else ""
    return f"<h4>Derivation: {_html_math_text(der.title)}</h4>{summary}<ol>{''.join(items)}</ol>"


def _html_figure(paths: Sequence[Path]) -> str:
    out = []
    for path in paths:
        if path.suffix == ".png" and path.is_file():
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            out.append(
                f'<figure><img class="fig" alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}"/></figure>'
            )
    return "".join(out)


def report_html(outcomes: Sequence[Outcome], *, env: Mapping[str, Any], figures: Mapping[str, Sequence[Path]]) -> str:
    """The report as one self-contained XHTML-compatible HTML page (figures and math embedded)."""
    seed = int(env["seed"])
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/>',
        "<title>icl-verify report</title>",
        "<style>body{font-family:sans-serif;max-width:62em;margin:2em auto;padding:0 1em;line-height:1.4}"
        "table{border-collapse:collapse;margin:0.6em 0}td,th{border-bottom:1px solid #ccc;padding:0.25em 0.6em;"
        "text-align:left;vertical-align:top}img.math{vertical-align:middle;max-width:100%}img.fig{max-width:100%}"
        ".how{color:#777;font-size:0.85em}code{font-size:0.9em}</style></head><body>",
        "<h1>icl-verify: verification report</h1>",
        f"<p>{e(env['date'])} — level <code>{e(env['level'])}</code>, seed {seed}, "
        f"icl-verify {e(env['versions']['icl-verify'])}. Verdicts: confirmed, refuted, inconclusive (evidence too weak "
        "to decide). Provenance says whether the paper states the claim or icl-verify reconstructed it.</p>",
    ]
    for paper, group in _by_paper(outcomes).items():
        title = PAPER_TITLES.get(paper, paper).replace("\\&", "&")
        parts.append(f'<h2 id="paper-{e(paper)}">{e(title)}</h2>')
        parts.append(
            "<table><thead><tr><th>claim</th><th>where</th><th>provenance</th><th>verdict</th><th>reason</th></tr></thead><tbody>"
        )
        for o in group:
            color = HTML_COLORS[_status(o)]
            parts.append(
                f'<tr><td><a href="#{e(o.claim.id)}"><code>{e(o.claim.id)}</code></a></td><td>{e(o.claim.where)}</td>'
                f'<td>{e(o.claim.provenance)}</td><td style="color:{color}"><b>{e(o.label)}</b></td><td>{e(_reason(o))}</td></tr>'
            )
        parts.append("</tbody></table>")
        for o in group:
            c = o.claim
            color = HTML_COLORS[_status(o)]
            parts += [
                f'<section id="{e(c.id)}"><h3><code>{e(c.id)}</code>: {e(c.title)}</h3>',
                f"<p><b>Where:</b> {e(c.where)}. <b>Provenance:</b> {e(c.provenance)}. <b>Layers:</b> {e(', '.join(c.layers))}. "
                f'<b>Verdict:</b> <span style="color:{color}"><b>{e(o.label)}</b></span> ({o.seconds:.1f} s).</p>',
                f"<p><b>Statement.</b> {_html_math(c.statement_tex)}</p>",
                f"<p><b>Why.</b> {e(_reason(o))}</p>",
                f"<p><b>Evidence.</b> {e(_random_note(o, seed))}</p>",
            ]
            rows = evidence_rows(o.verdict.evidence) if o.verdict else []
            if rows:
                parts.append(
                    "<table><tbody>"
                    + "".join(f"<tr><td><code>{e(k)}</code></td><td>{e(v)}</td></tr>" for k, v in rows)
                    + "</tbody></table>"
                )
            parts.append(_html_derivation(o))
            parts.append(_html_figure(figures.get(c.id, ())) + "</section>")
    parts.append("<h2>Environment</h2><table><tbody>")
    for key in ("date", "level", "seed", "total_seconds", "python", "platform", "cpus"):
        parts.append(f"<tr><td>{e(key)}</td><td>{e(str(env[key]))}</td></tr>")
    for name, version in env["versions"].items():
        parts.append(f"<tr><td>{e(name)}</td><td>{e(version)}</td></tr>")
    parts.append("</tbody></table><h3>Run times</h3><table><tbody>")
    parts += [f"<tr><td><code>{e(o.claim.id)}</code></td><td>{o.seconds:.1f} s</td></tr>" for o in outcomes]
    parts.append("</tbody></table></body></html>")
    return "\n".join(parts) + "\n"


def write_report(
    outcomes: Sequence[Outcome],
    out_dir: Path,
    *,
    env: Mapping[str, Any],
    figures: Mapping[str, Sequence[Path]] | None = None,
    pdf: bool = True,
) -> ReportFiles:
    """Write ``report.tex`` (and ``report.pdf`` when ``pdf``) and ``report.html`` into ``out_dir``."""
    from iclverify.report.latex_pdf import compile_pdf

    figures = figures or {}
    out_dir.mkdir(parents=True, exist_ok=True)
    tex = out_dir / "report.tex"
    tex.write_text(report_tex(outcomes, env=env, figures=figures, tex_dir=out_dir), encoding="utf-8")
    page = out_dir / "report.html"
    page.write_text(report_html(outcomes, env=env, figures=figures), encoding="utf-8")
    return ReportFiles(tex=tex, html=page, pdf=compile_pdf(tex) if pdf else None)
