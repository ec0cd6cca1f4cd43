r"""The report as one HTML page a theorist reads from the top.

First screen: the counts per paper and verdict, a filter by verdict, the forest plot of predicted against
measured values, and the table of contents (one row per claim: where, provenance, verdict, reason). Then
one section per claim (statement in MathML, why, evidence as tables, links to its derivation, figure and
code, computed or cached), each derivation once and each figure once (with links to its CSV), each linking
back to the claims that use it, and the run record. Every section links back to the overview.

The page is well-formed XHTML (it parses as XML), needs no network, and its only script is the filter.
Figures are embedded as palette PNGs (downscaled) so that the quick report stays well under 2 MB.
"""

from __future__ import annotations

import base64
import html
import inspect
import io
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iclverify.report.forest import forest_svg, quantities
from iclverify.report.mathml import math_html, prose_html, text_html

if TYPE_CHECKING:
    from iclverify.api import Verification
    from iclverify.proofs.framework.claims import Claim
    from iclverify.proofs.framework.runner import Outcome
    from iclverify.theory.derivation import Derivation

__all__ = ["STATUS_ORDER", "evidence_html", "report_html"]

STATUS_ORDER = ("confirmed", "refuted", "inconclusive", "error")
MAX_FIGURE_WIDTH = 1400  # pixels of an embedded figure
EMBED_BUDGET = 1_500_000  # bytes of embedded figures; later figures are linked instead

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:70em;margin:1.5em auto;padding:0 1em;
line-height:1.45;color:#222}
h1{margin-bottom:0.2em}h2{border-bottom:2px solid #ddd;padding-bottom:0.2em;margin-top:2em}
table{border-collapse:collapse;margin:0.5em 0}td,th{border-bottom:1px solid #ddd;padding:0.2em 0.55em;
text-align:left;vertical-align:top}th{background:#f3f3f3}
.count{text-align:right;font-variant-numeric:tabular-nums}.meta{color:#555}
.status{font-weight:bold}#contents td:nth-child(4){min-width:6em;max-width:18em}td{overflow-wrap:anywhere}
.s-confirmed{color:#1b7a1b}.s-refuted{color:#b01c1c}.s-inconclusive{color:#b86e00}.s-error{color:#a0169c}
section.claim{border-left:4px solid #ccc;padding-left:0.9em;margin:1.6em 0}
section.claim[data-status=confirmed]{border-color:#1b7a1b}section.claim[data-status=refuted]{border-color:#b01c1c}
section.claim[data-status=inconclusive]{border-color:#b86e00}section.claim[data-status=error]{border-color:#a0169c}
.back{font-size:0.85em;float:right}.how{color:#777;font-size:0.85em}
.statement{margin:0.5em 0 0.5em 1em;font-size:1.1em;overflow-x:auto}
table.evidence{display:block;max-width:100%;overflow-x:auto}table.evidence table{margin:0}
table.evidence td:first-child{color:#444;overflow-wrap:normal}
img.fig{max-width:100%}figure{margin:1em 0}#filter{display:inline;border:none;padding:0;margin:0 1em 0 0}
#filter legend{display:inline;float:left;margin-right:0.6em;padding:0}#filter label{margin-right:0.8em}
#overview h2{margin-top:1em}
.forest-wrap{overflow-x:auto}.badge{font-size:0.8em;border:1px solid #bbb;border-radius:3px;padding:0 0.3em;color:#555}
code.tex{color:#444}
"""

_SCRIPT = """
(function () {
  var boxes = document.querySelectorAll('#filter input[data-filter]');
  function apply() {
    var shown = {};
    boxes.forEach(function (b) { shown[b.getAttribute('data-filter')] = b.checked; });
    document.querySelectorAll('[data-status]').forEach(function (el) {
      if (el.closest('#counts')) { return; }
      el.hidden = shown[el.getAttribute('data-status')] === false;
    });
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  apply();
})();
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _status(o: Outcome) -> str:
    return o.verdict.status if o.verdict else "error"


def _reason(o: Outcome) -> str:
    return o.verdict.reason if o.verdict else (o.error or "")


def _badge(o: Outcome) -> str:
    return f'<span class="status s-{_status(o)}">{_e(o.label)}</span>'


# ------------------------------------------------------------------------------------------ evidence


def _format_scalar(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return text if len(text) <= 200 else text[:197] + "…"


def _humanise(key: str) -> str:
    return key.replace("_", " ")


def evidence_html(value: Any, depth: int = 0) -> str:
    """Evidence as readable HTML: mappings as two-column tables, lists of records as tables, long lists cut.

    >>> evidence_html({"max_rel_error": 1.2e-41, "seeds": list(range(20))})[:88]
    '<table class="evidence"><tbody><tr><td>max rel error</td><td>1.2e-41</td></tr><tr><td>se'
    >>> "… (20 items)" in evidence_html({"seeds": list(range(20))})
    True
    """
    if isinstance(value, Mapping):
        if not value:
            return "–"
        if depth >= 3:
            return prose_html(_format_scalar(dict(value)))
        rows = "".join(
            f"<tr><td>{_e(_humanise(str(k)))}</td><td>{evidence_html(v, depth + 1)}</td></tr>" for k, v in value.items()
        )
        return f'<table class="evidence"><tbody>{rows}</tbody></table>'
    if isinstance(value, (list, tuple)):
        items = list(value)
        if items and all(isinstance(v, Mapping) for v in items) and depth < 3:
            columns = list(dict.fromkeys(k for v in items[:20] for k in v))[:10]
            head = "".join(f"<th>{_e(_humanise(str(c)))}</th>" for c in columns)
            body = "".join(
                "<tr>" + "".join(f"<td>{evidence_html(v.get(c), depth + 2)}</td>" for c in columns) + "</tr>"
                for v in items[:20]
            )
            more = f"<p class='meta'>… ({len(items)} rows)</p>" if len(items) > 20 else ""
            return f'<table class="evidence"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}'
        shown = ", ".join(_format_scalar(v) if not isinstance(v, (list, dict)) else str(v) for v in items[:12])
        more = f", … ({len(items)} items)" if len(items) > 12 else ""
        return prose_html("[" + shown + more + "]")
    return prose_html(_format_scalar(value))


# ------------------------------------------------------------------------------------------ code links


def _source(fn: Callable[..., Any]) -> tuple[str, int] | None:
    inner = getattr(fn, "func", fn)
    try:
        path = inspect.getsourcefile(inner)
        line = inspect.getsourcelines(inner)[1]
    except (TypeError, OSError):
        return None
    return (path, line) if path else None


def _code_links(c: Claim) -> str:
    rows = []
    callables: dict[str, Callable[..., Any]] = {str(role): fn for role, fn in c.code.items()}
    callables["check"] = c.check
    for role, path in c.code_paths().items():
        where = _source(callables[role]) if role in callables else None
        if where is not None:
            uri = Path(where[0]).resolve().as_uri()
            link = f'<a href="{_e(uri)}"><code>{_e(path)}</code></a> <span class="meta">line {where[1]}</span>'
        else:
            link = f"<code>{_e(path)}</code>"
        rows.append(f"<tr><td>{_e(role)}</td><td>{link}</td></tr>")
    return f'<table class="code"><tbody>{"".join(rows)}</tbody></table>'


# ------------------------------------------------------------------------------------------ figures


def _png_data(path: Path) -> bytes:
    """The PNG downscaled to :data:`MAX_FIGURE_WIDTH` and reduced to a 128-colour palette (Pillow)."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow comes with matplotlib
        return path.read_bytes()
    with Image.open(path) as im:
        rgb = im.convert("RGB")
    if rgb.width > MAX_FIGURE_WIDTH:
        rgb = rgb.resize((MAX_FIGURE_WIDTH, round(rgb.height * MAX_FIGURE_WIDTH / rgb.width)), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    rgb.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(buf, "PNG", optimize=True)
    return buf.getvalue()


def _rel(path: Path, base: Path | None) -> str:
    if base is None:
        return path.resolve().as_uri()
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_uri()


# ------------------------------------------------------------------------------------------ the page


def _derivation_html(der: Derivation, users: Sequence[str]) -> str:
    from iclverify.theory.latex import math_tex

    items = []
    for step in der.steps:
        shown = ""
        if step.lhs is not None or step.rhs is not None:
            rel = step.relation if step.lhs is not None else ""
            tex = " ".join(p for p in (math_tex(step.lhs), rel, math_tex(step.rhs)) if p)
            shown = f'<div class="statement">{math_html(tex, display=True)}</div>'
        detail = f": {step.detail}" if step.detail else ""
        how = f' <span class="how">[{_e(step.how)}{_e(detail)}]</span>'
        items.append(f"<li>{text_html(step.text)}{how}{shown}</li>")
    summary = f"<p>{text_html(der.summary)}</p>" if der.summary else ""
    used = ", ".join(f'<a href="#claim-{_e(u)}"><code>{_e(u)}</code></a>' for u in users)
    return (
        f'<article id="derivation-{_e(der.id)}"><h3>{text_html(der.title)}</h3>'
        f'<p class="meta">Used by {used}. <a href="#overview">↑ overview</a></p>{summary}<ol>{"".join(items)}</ol>'
        "</article>"
    )


def _overview(outcomes: Sequence[Outcome], titles: Mapping[str, str]) -> list[str]:
    papers = list(dict.fromkeys(o.claim.paper for o in outcomes))
    head = "".join(f'<th class="s-{s}">{s}</th>' for s in STATUS_ORDER)
    rows = []
    for paper in [*papers, "all"]:
        group = [o for o in outcomes if paper in ("all", o.claim.paper)]
        cells = "".join(
            f'<td class="count" data-paper="{_e(paper)}" data-status="{s}">{sum(_status(o) == s for o in group)}</td>'
            for s in STATUS_ORDER
        )
        name = (
            f'<a href="#paper-{_e(paper)}">{_e(titles.get(paper, paper))}</a>'
            if paper != "all"
            else "<b>all papers</b>"
        )
        rows.append(f'<tr><td>{name}</td>{cells}<td class="count">{len(group)}</td></tr>')
    boxes = "".join(
        f'<label><input type="checkbox" data-filter="{s}" checked="checked"/> <span class="s-{s}">{s}</span></label>'
        for s in STATUS_ORDER
    )
    return [
        '<section id="overview"><h2>Overview</h2>',
        f'<table id="counts"><thead><tr><th>paper</th>{head}<th>claims</th></tr></thead><tbody>{"".join(rows)}'
        "</tbody></table>",
        f'<div><fieldset id="filter"><legend>Show:</legend>{boxes}</fieldset></div>',
        '<p class="meta">Jump to: <a href="#forest">predicted vs measured</a> · <a href="#contents">contents</a> · '
        '<a href="#derivations">derivations</a> · <a href="#figures">figures</a> · <a href="#run">run record</a></p>',
        "</section>",
    ]


def _contents(outcomes: Sequence[Outcome], titles: Mapping[str, str]) -> list[str]:
    parts = ['<section id="contents"><h2>Contents</h2>']
    for paper in dict.fromkeys(o.claim.paper for o in outcomes):
        parts.append(f'<h3 id="paper-{_e(paper)}">{_e(titles.get(paper, paper))}</h3>')
        parts.append(
            "<table><thead><tr><th>claim</th><th>where</th><th>provenance</th><th>verdict</th><th>reason</th></tr>"
            "</thead><tbody>"
        )
        for o in outcomes:
            if o.claim.paper != paper:
                continue
            parts.append(
                f'<tr class="toc-row" data-status="{_status(o)}"><td><a href="#claim-{_e(o.claim.id)}">'
                f"<code>{_e(o.claim.id)}</code></a></td><td>{prose_html(o.claim.where)}</td><td>{_e(o.claim.provenance)}</td>"
                f"<td>{_badge(o)}</td><td>{prose_html(_reason(o))}</td></tr>"
            )
        parts.append("</tbody></table>")
    parts.append("</section>")
    return parts


def _claim_section(
    o: Outcome, *, seed: int, derivation_id: str | None, derivation_error: str | None, cache: Mapping[str, Any]
) -> str:
    c = o.claim
    status = _status(o)
    links = []
    if derivation_id is not None:
        links.append(f'<a href="#derivation-{_e(derivation_id)}">derivation</a>')
    if c.figure is not None:
        links.append(f'<a href="#figure-{_e(c.figure)}">figure {_e(c.figure)}</a>')
    source = cache.get("source", "unknown")
    hits, misses = cache.get("hits"), cache.get("misses")
    counts = f" ({hits} cache hits, {misses} misses)" if isinstance(hits, int) and isinstance(misses, int) else ""
    random_note = (
        f"Random: these numbers depend on the seed ({seed}); the same seed reproduces them on a CPU, and the "
        "intervals in the evidence give their sampling uncertainty."
        if c.random
        else "Deterministic: these numbers do not depend on the seed."
    )
    evidence = evidence_html(dict(o.verdict.evidence)) if o.verdict and o.verdict.evidence else "–"
    parts = [
        f'<section class="claim" id="claim-{_e(c.id)}" data-status="{status}">',
        f'<a class="back" href="#overview">↑ overview</a><h3><code>{_e(c.id)}</code>: {prose_html(c.title)}</h3>',
        f'<p class="meta"><b>Where:</b> {prose_html(c.where)}. <b>Provenance:</b> {_e(c.provenance)}. <b>Layers:</b> '
        f"{_e(', '.join(c.layers))}. <b>Verdict:</b> {_badge(o)} in {o.seconds:.1f} s, "
        f'<span class="badge">{_e(source)}</span>{_e(counts)}.</p>',
        f'<div class="statement">{math_html(c.statement_tex, display=True)}</div>',
        f"<p><b>Why.</b> {prose_html(_reason(o))}</p>",
    ]
    if links:
        parts.append(f"<p><b>See:</b> {' · '.join(links)}</p>")
    if derivation_error:
        parts.append(f"<p><em>The derivation could not be produced: {_e(derivation_error)}</em></p>")
    parts += [
        f"<p><b>Evidence.</b> {_e(random_note)}</p>",
        evidence,
        f"<details><summary>Code that computes this verdict</summary>{_code_links(c)}</details>",
        "</section>",
    ]
    return "".join(parts)


def _figures(
    outcomes: Sequence[Outcome], figures: Mapping[str, Sequence[Path]], base: Path | None
) -> tuple[list[str], int]:
    users: dict[str, list[str]] = {}
    for o in outcomes:
        if o.claim.figure is not None:
            users.setdefault(o.claim.figure, []).append(o.claim.id)
    parts = ['<section id="figures"><h2>Figures</h2>']
    embedded = 0
    for name, claim_ids in users.items():
        paths = list(figures.get(name, ()))
        used = ", ".join(f'<a href="#claim-{_e(u)}"><code>{_e(u)}</code></a>' for u in claim_ids)
        files = " · ".join(f'<a href="{_e(_rel(p, base))}">{_e(p.suffix[1:].upper())}</a>' for p in paths)
        body = "<p class='meta'>Not drawn in this run (icl-verify figure " + _e(name) + ").</p>"
        png = next((p for p in paths if p.suffix == ".png" and p.is_file()), None)
        if png is not None:
            data = _png_data(png)
            if embedded + len(data) <= EMBED_BUDGET:
                embedded += len(data)
                src = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
            else:
                src = _rel(png, base)
            body = f'<img class="fig" alt="{_e(name)}" src="{_e(src)}"/>'
        parts.append(
            f'<figure id="figure-{_e(name)}"><figcaption><b>{_e(name)}</b> — used by {used}. '
            f'Files: {files or "–"}. <a href="#overview">↑ overview</a></figcaption>{body}</figure>'
        )
    parts.append("</section>")
    return parts, embedded


def _run_record(result: Verification) -> list[str]:
    record = dict(result.record)
    versions = record.pop("versions", {})
    rows = [("level", result.level), ("seed", result.seed), ("total seconds", f"{result.seconds:.1f}")]
    rows += [(k.replace("_", " "), "–" if v is None else v) for k, v in record.items()]
    rows += [(f"version of {k}", v) for k, v in versions.items()]
    parts = ['<section id="run"><h2>Run record</h2><a class="back" href="#overview">↑ overview</a>', "<table><tbody>"]
    parts += [f"<tr><td>{_e(k)}</td><td><code>{_e(v)}</code></td></tr>" for k, v in rows]
    parts.append("</tbody></table><h3>Per claim</h3><table><thead><tr><th>claim</th><th>verdict</th>")
    parts.append("<th>numbers</th><th>cache hits</th><th>misses</th><th>seconds</th></tr></thead><tbody>")
    for o in result.outcomes:
        use = result.cache_use.get(o.claim.id, {})
        parts.append(
            f'<tr data-status="{_status(o)}"><td><a href="#claim-{_e(o.claim.id)}"><code>{_e(o.claim.id)}</code></a>'
            f"</td><td>{_badge(o)}</td><td>{_e(use.get('source', 'unknown'))}</td>"
            f'<td class="count">{_e(use.get("hits", "–"))}</td><td class="count">{_e(use.get("misses", "–"))}</td>'
            f'<td class="count">{o.seconds:.1f}</td></tr>'
        )
    parts.append("</tbody></table></section>")
    return parts


def report_html(
    result: Verification,
    *,
    derivations: Mapping[str, Derivation | Exception],
    figures: Mapping[str, Sequence[Path]],
    titles: Mapping[str, str],
    base: Path | None = None,
) -> str:
    """The page. ``derivations`` maps claim ids to their derivation (or the error that stopped it),
    ``figures`` figure names to their files, ``base`` is the folder the page is written into (for links)."""
    import iclverify

    outcomes = list(result.outcomes)
    counts = result.counts
    summary = ", ".join(f"{counts[s]} {s}" for s in STATUS_ORDER if counts.get(s))
    record = result.record
    parts = [
        "<!DOCTYPE html>",
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/>',
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
        f"<title>icl-verify report: {_e(summary)}</title><style>{_STYLE}</style></head><body>",
        "<h1>icl-verify: verification report</h1>",
        f'<p class="meta">{len(outcomes)} claims: {_e(summary)}. Level <code>{_e(result.level)}</code>, seed '
        f"{result.seed}, icl-verify {_e(iclverify.__version__)}, {_e(record.get('date', ''))}"
        f"{', commit ' + _e(record['git_commit']) if record.get('git_commit') else ''}. "
        "<em>Inconclusive</em>: the evidence was too weak to decide; <em>provenance</em>: whether the paper "
        "states the claim, a summary reports it, or icl-verify reconstructed it.</p>",
    ]
    parts += _overview(outcomes, titles)
    rows = [q for o in outcomes if o.verdict for q in quantities(o.claim.id, _status(o), o.verdict.evidence)]
    # what a reader looks for first: refuted and inconclusive comparisons, then measured ones with intervals
    rank = {"refuted": 0, "inconclusive": 1, "error": 2, "confirmed": 3}
    rows.sort(key=lambda q: (rank.get(q.status, 4), q.interval is None))
    parts.append('<section id="forest"><h2>Predicted against measured</h2>')
    if rows:
        parts.append(
            f'<p class="meta">{len(rows)} comparisons from {len({q.claim for q in rows})} claims, refuted and '
            "inconclusive first: the deviation of the measured (or computed) value from the theory's prediction, "
            "relative to the prediction (absolute where it is 0), with the check's interval where it has one; "
            "colour is the verdict; names link to the claims; points beyond ±100% sit at the edge as arrows.</p>"
            '<div class="forest-wrap">' + forest_svg(rows) + "</div>"
        )
    else:
        parts.append('<p class="meta">No claim in this run reports a predicted and a measured value.</p>')
    parts.append("</section>")
    parts += _contents(outcomes, titles)

    # each derivation once, keyed by its id, in first-use order
    der_by_id: dict[str, Derivation] = {}
    der_users: dict[str, list[str]] = {}
    for o in outcomes:
        der = derivations.get(o.claim.id)
        if der is not None and not isinstance(der, Exception):
            der_by_id.setdefault(der.id, der)
            der_users.setdefault(der.id, []).append(o.claim.id)

    parts.append('<section id="claims"><h2>Claims</h2>')
    for o in outcomes:
        der = derivations.get(o.claim.id)
        parts.append(
            _claim_section(
                o,
                seed=result.seed,
                derivation_id=der.id if der is not None and not isinstance(der, Exception) else None,
                derivation_error=f"{type(der).__name__}: {der}" if isinstance(der, Exception) else None,
                cache=result.cache_use.get(o.claim.id, {}),
            )
        )
    parts.append("</section>")
    parts.append('<section id="derivations"><h2>Derivations</h2>')
    parts += [_derivation_html(d, der_users[i]) for i, d in der_by_id.items()] or ["<p>None in this run.</p>"]
    parts.append("</section>")
    figure_parts, _ = _figures(outcomes, figures, base)
    parts += figure_parts
    parts += _run_record(result)
    parts.append(f"<script>//<![CDATA[{_SCRIPT}//]]></script></body></html>")
    return "\n".join(parts) + "\n"
