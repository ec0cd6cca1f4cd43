r"""The verification report: one LaTeX/PDF document and one HTML page (:mod:`iclverify.report.html`).

For each paper: a summary table (claim, where in the paper, provenance, verdict, one-line reason), then
each claim with its statement, the numbers that decided it, its derivation (from the SymPy layer; printed
once, later claims refer to it) and its figure. The run record (code fingerprint, commit, command, device,
package versions), seed, level and per-claim run times and cache use close the report. Numbers that depend
on the seed are marked as random, with the intervals their checks computed.

``statement_tex`` is a math-mode formula, derivation texts are paragraph-mode LaTeX (math inside ``$...$``).

>>> rows = evidence_rows({"max_rel_error": 1.2e-41, "worst_point": {"tau": 2}, "seeds": list(range(20))})
>>> rows[0]
('max_rel_error', '1.2e-41')
>>> rows[2][1]
'[0, 1, 2, 3, 4, 5, 6, 7, ... (20 items)]'
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iclverify.proofs.framework.runner import Outcome
from iclverify.theory.latex import PREAMBLE, render_derivation, tex_escape, unicode_to_tex

if TYPE_CHECKING:
    from iclverify.api import Verification
    from iclverify.theory.derivation import Derivation

__all__ = ["PAPER_TITLES", "ReportFiles", "derivations_of", "evidence_rows", "report_tex", "titles", "write_report"]

PAPER_TITLES = {
    "lu2024": "Lu, Letey, Zavatone-Veth, Maiti, Pehlevan (2024/25): asymptotic theory of ICL by linear attention",
    "mehta-gupta": "Mehta & Gupta (2025): scaling laws and in-context learning (claims as stated in the summary)",
}
COLORS = {
    "confirmed": "green!45!black",
    "refuted": "red!70!black",
    "inconclusive": "orange!80!black",
    "error": "magenta",
}


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReportFiles:
    """The files a report consists of (``pdf`` is None without pdflatex)."""

    tex: Path
    html: Path
    pdf: Path | None


def titles() -> dict[str, str]:
    """Display titles of the papers: the built-in ones, then any a claim module or plugin declares."""
    from iclverify.proofs.framework.registry import paper_titles

    return {**PAPER_TITLES, **paper_titles()}


def derivations_of(outcomes: Sequence[Outcome]) -> dict[str, Derivation | Exception]:
    """Each claim's derivation (computed once per derivation function), or the exception that stopped it."""
    by_function: dict[Any, Derivation | Exception] = {}
    found: dict[str, Derivation | Exception] = {}
    for o in outcomes:
        fn = o.claim.derivation
        if fn is None:
            continue
        if fn not in by_function:
            try:
                by_function[fn] = fn()
            except Exception as exc:  # a derivation that fails must not sink the report; it says so instead
                by_function[fn] = exc
        found[o.claim.id] = by_function[fn]
    return found


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


def _tex_claim(
    o: Outcome,
    *,
    figure_files: Sequence[Path],
    seed: int,
    tex_dir: Path,
    derivation: Derivation | Exception | None,
    first_use: bool,
    source: str,
) -> str:
    c = o.claim
    status = _status(o)
    parts = [
        rf"\subsection{{\texttt{{{tex_escape(c.id)}}}: {tex_escape(c.title)}}}\label{{claim:{c.id}}}",
        rf"\textbf{{Where:}} {tex_escape(c.where)}. \textbf{{Provenance:}} {c.provenance}. "
        rf"\textbf{{Layers:}} {tex_escape(', '.join(c.layers))}. "
        rf"\textbf{{Verdict:}} \textcolor{{{COLORS[status]}}}{{\textbf{{{tex_escape(o.label)}}}}} "
        rf"({o.seconds:.1f}\,s, {tex_escape(source)}).",
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
    parts.append(r"\paragraph{Code.}")
    parts += [rf"{tex_escape(role)}: \texttt{{{tex_escape(path)}}}\\" for role, path in c.code_paths().items()]
    if isinstance(derivation, Exception):
        parts.append(
            r"\emph{The derivation could not be produced: "
            + tex_escape(f"{type(derivation).__name__}: {derivation}")
            + "}"
        )
    elif derivation is not None and first_use:
        parts.append(rf"\label{{derivation:{derivation.id}}}")
        parts.append(render_derivation(derivation, level="subsubsection"))
    elif derivation is not None:
        parts.append(
            rf"\paragraph{{Derivation.}} Printed once, in \S\ref{{derivation:{derivation.id}}} "
            rf"(page \pageref{{derivation:{derivation.id}}})."
        )
    for path in figure_files:
        if path.suffix == ".pdf":
            rel = os.path.relpath(path, tex_dir).replace(os.sep, "/")
            parts += [
                r"\begin{center}",
                rf"\includegraphics[width=0.85\linewidth,height=0.4\textheight,keepaspectratio]{{{rel}}}",
                r"\end{center}",
            ]
    return "\n".join(parts) + "\n"


def report_tex(
    result: Verification,
    *,
    figures: Mapping[str, Sequence[Path]],
    tex_dir: Path,
    derivations: Mapping[str, Derivation | Exception] | None = None,
) -> str:
    """The report as a standalone LaTeX document (``figures`` maps figure names to their files)."""
    import iclverify

    outcomes = list(result.outcomes)
    derivations = derivations_of(outcomes) if derivations is None else derivations
    record = dict(result.record)
    paper_titles = titles()
    body = [
        PREAMBLE,
        r"\title{icl-verify: verification report}",
        rf"\author{{icl-verify {tex_escape(iclverify.__version__)}}}",
        rf"\date{{{tex_escape(str(record.get('date', '')))} --- level \texttt{{{result.level}}}, seed {result.seed}}}",
        r"\begin{document}",
        r"\maketitle",
        r"Verdicts: \textcolor{green!45!black}{confirmed}, \textcolor{red!70!black}{refuted}, "
        r"\textcolor{orange!80!black}{inconclusive} (the evidence was too weak to decide). "
        r"\emph{Provenance} says whether the paper states the claim or icl-verify reconstructed it; a reconstruction "
        r"is never the paper's own result.",
        r"\tableofcontents",
    ]
    printed: set[str] = set()
    figures_shown: set[str] = set()
    for paper, group in _by_paper(outcomes).items():
        body.append(rf"\section{{{tex_escape(paper_titles.get(paper, paper))}}}")
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
                rf"{o.claim.provenance} & \textcolor{{{COLORS[status]}}}{{{tex_escape(o.label)}}} & "
                rf"{tex_escape(_reason(o))} \\"
            )
        body += [r"\bottomrule", r"\end{longtable}", r"\end{footnotesize}"]
        for o in group:
            der = derivations.get(o.claim.id)
            first = der is not None and not isinstance(der, Exception) and der.id not in printed
            if first and der is not None and not isinstance(der, Exception):
                printed.add(der.id)
            name = o.claim.figure
            files = figures.get(name, ()) if name is not None and name not in figures_shown else ()
            if name is not None:
                figures_shown.add(name)
            source = str(result.cache_use.get(o.claim.id, {}).get("source", "unknown"))
            body.append(
                _tex_claim(
                    o,
                    figure_files=files,
                    seed=result.seed,
                    tex_dir=tex_dir,
                    derivation=der,
                    first_use=first,
                    source=source,
                )
            )
    versions = record.pop("versions", {})
    body += [r"\section{Run record}", r"\begin{longtable}{@{}lp{0.7\linewidth}@{}}", r"\toprule"]
    rows = [("level", result.level), ("seed", result.seed), ("total seconds", f"{result.seconds:.1f}")]
    rows += [(k.replace("_", " "), "-" if v is None else v) for k, v in record.items()]
    rows += [(f"version of {k}", v) for k, v in versions.items()]
    body += [rf"{tex_escape(str(k))} & \texttt{{{tex_escape(str(v))}}} \\" for k, v in rows]
    body += [
        r"\bottomrule",
        r"\end{longtable}",
        r"\paragraph{Per claim.}",
        r"\begin{small}",
        r"\begin{longtable}{@{}llr@{}}",
    ]
    body += [
        rf"\texttt{{{tex_escape(o.claim.id)}}} & "
        rf"{tex_escape(str(result.cache_use.get(o.claim.id, {}).get('source', 'unknown')))} & {o.seconds:.1f}\,s \\"
        for o in outcomes
    ]
    body += [r"\end{longtable}", r"\end{small}", r"\end{document}"]
    return unicode_to_tex("\n".join(body) + "\n")


def write_report(
    result: Verification,
    out_dir: Path,
    *,
    figures: Mapping[str, Sequence[Path]] | None = None,
    pdf: bool = True,
) -> ReportFiles:
    """Write ``report.html``, ``report.tex`` (and ``report.pdf`` when ``pdf``) into ``out_dir``.

    ``figures`` maps figure names (``Claim.figure``) to the files drawn for them.
    """
    from iclverify.report.html import report_html
    from iclverify.report.latex_pdf import compile_pdf

    figures = figures or {}
    out_dir.mkdir(parents=True, exist_ok=True)
    derivations = derivations_of(result.outcomes)
    page = out_dir / "report.html"
    page.write_text(
        report_html(result, derivations=derivations, figures=figures, titles=titles(), base=out_dir),
        encoding="utf-8",
    )
    tex = out_dir / "report.tex"
    tex.write_text(report_tex(result, figures=figures, tex_dir=out_dir, derivations=derivations), encoding="utf-8")
    return ReportFiles(tex=tex, html=page, pdf=compile_pdf(tex) if pdf else None)
