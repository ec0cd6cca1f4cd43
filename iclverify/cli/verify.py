"""``icl-verify verify`` and ``icl-verify claims``: run registered claims, print and save verdicts.

Exit status of ``verify``: 0 when every selected check ran to a verdict (whatever the verdict: a refuted
claim is a result, not a failure); 1 when some check raised an error; 3 when a verdict named in
``--fail-on`` occurred (e.g. ``--fail-on refuted``); 2 for bad input.
"""

from __future__ import annotations

import platform
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

import iclverify
from iclverify.cli.app import app
from iclverify.cli.common import (
    CacheDirOption,
    DeviceOption,
    LevelOption,
    NoCacheOption,
    SeedOption,
    check_level,
    err,
    make_cache,
    out,
    progress_bar,
    write_json,
)
from iclverify.figures import FigureRequest, get_figure
from iclverify.proofs.framework.claims import STATUSES, CheckContext
from iclverify.proofs.framework.registry import select
from iclverify.proofs.framework.runner import Outcome, run_claims
from iclverify.report.document import environment, write_report
from iclverify.report.latex_pdf import pdflatex_available
from iclverify.runtime.errors import ConfigError

STYLE = {"confirmed": "green", "refuted": "red", "inconclusive": "yellow", "error": "magenta"}


def _table(outcomes: list[Outcome]) -> Table:
    table = Table(show_lines=False, pad_edge=False)
    for name in ("claim", "verdict", "reason", "s"):
        table.add_column(name, overflow="fold", no_wrap=name in ("claim", "s"))
    for o in outcomes:
        status = o.verdict.status if o.verdict else "error"
        reason = o.verdict.reason if o.verdict else o.error or ""
        table.add_row(o.claim.id, f"[{STYLE[status]}]{o.label}[/]", reason, f"{o.seconds:.1f}")
    return table


def summary_json(outcomes: list[Outcome], *, level: str, seed: int, seconds: float) -> dict:
    counts = {s: 0 for s in (*STATUSES, "error")}
    for o in outcomes:
        counts[o.verdict.status if o.verdict else "error"] += 1
    return {
        "icl_verify_version": iclverify.__version__,
        "python": platform.python_version(),
        "level": level,
        "seed": seed,
        "seconds": round(seconds, 3),
        "counts": counts,
        "claims": [o.to_json() for o in outcomes],
    }


def _draw_figures(outcomes: list[Outcome], out_dir: Path, ctx: CheckContext) -> dict[str, list[Path]]:
    """Each claim's figure (drawn once when claims share one), at the run's level and seed."""
    by_name: dict[str, list[Path]] = {}
    drawn: dict[str, list[Path]] = {}
    for o in outcomes:
        name = o.claim.figure
        if name is None:
            continue
        if name not in by_name:
            request = FigureRequest(
                out=out_dir / name,
                level=ctx.level,
                seed=ctx.seed,
                device=ctx.device,
                cache=ctx.cache,
                progress=ctx.progress,
            )
            try:
                by_name[name] = get_figure(name).build(request)
            except Exception as exc:  # a figure must not sink the report
                err.print(f"warning: figure {name} failed: {type(exc).__name__}: {exc}", markup=False)
                by_name[name] = []
        drawn[o.claim.id] = by_name[name]
    return drawn


def _write_report(
    outcomes: list[Outcome], folder: Path, drawn: dict[str, list[Path]], *, level: str, seed: int, seconds: float
) -> None:
    env = environment(level=level, seed=seed, seconds=seconds)
    try:
        files = write_report(outcomes, folder, env=env, figures=drawn, pdf=pdflatex_available())
    except OSError as exc:
        raise ConfigError(f"cannot write the report into {folder}: {exc.strerror}") from None
    for path in (files.pdf, files.html, files.tex):
        if path is not None:
            out.print(f"wrote {path}")
    if files.pdf is None:
        err.print(
            "pdflatex not found: wrote report.tex and report.html only (apt-get install texlive-latex-recommended lmodern)"
        )


@app.command()
def verify(
    paper: Annotated[str | None, typer.Option(help="Only this paper's claims (see 'icl-verify claims').")] = None,
    claim: Annotated[list[str] | None, typer.Option(help="Only this claim id (repeatable).")] = None,
    level: LevelOption = "quick",
    seed: SeedOption = 0,
    device: DeviceOption = "auto",
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the verdicts as JSON to this file ('-': stdout).")
    ] = None,
    fail_on: Annotated[
        str, typer.Option(help="Comma-separated verdicts that make the exit status 3, e.g. refuted,inconclusive.")
    ] = "",
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
    progress: Annotated[bool, typer.Option(help="Show progress bars on stderr.")] = True,
    report: Annotated[
        Path | None, typer.Option(help="Write the report (PDF via LaTeX, and HTML) into this folder.")
    ] = None,
    figures: Annotated[bool, typer.Option(help="Draw each claim's figure into the report.")] = True,
) -> int:
    """Run the registered claims and print one row per claim with its verdict."""
    check_level(level)
    failing = {s.strip() for s in fail_on.split(",") if s.strip()}
    if unknown := failing - set(STATUSES):
        raise ConfigError(f"--fail-on takes {', '.join(STATUSES)}; got {', '.join(sorted(unknown))}")
    claims = select(paper=paper, claim_ids=tuple(claim or ()))
    start = time.perf_counter()
    with progress_bar(progress) as sink:
        ctx = CheckContext(level=level, seed=seed, cache=make_cache(cache_dir, no_cache), device=device, progress=sink)

        def done(outcome: Outcome) -> None:
            if sink is not None:
                sink("claims", len(finished) + 1, len(claims))
            finished.append(outcome)

        finished: list[Outcome] = []
        if sink is not None:
            sink("claims", 0, len(claims))
        outcomes = run_claims(claims, ctx, on_done=done)
        drawn = _draw_figures(outcomes, report / "figures", ctx) if report is not None and figures else {}
    seconds = time.perf_counter() - start
    data = summary_json(outcomes, level=level, seed=seed, seconds=seconds)
    to_stdout = json_path is not None and str(json_path) == "-"
    if not to_stdout:
        out.print(_table(outcomes))
        counts = ", ".join(f"{n} {s}" for s, n in data["counts"].items() if n)
        out.print(f"{len(outcomes)} claims at level {level}, seed {seed}: {counts} ({seconds:.1f} s)")
    if json_path is not None:
        write_json(data, json_path)
    if report is not None:
        _write_report(outcomes, report, drawn, level=level, seed=seed, seconds=seconds)
        write_json(data, report / "verdicts.json")
    if any(o.verdict is None for o in outcomes):
        err.print("some checks failed with an error (status 'error' above)")
        return 1
    if any(o.verdict.status in failing for o in outcomes if o.verdict):
        return 3
    return 0


@app.command("claims")
def list_claims(
    paper: Annotated[str | None, typer.Option(help="Only this paper's claims.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the registered claims: id, where in the paper, provenance, layers."""
    claims = select(paper=paper)
    if as_json:
        write_json(
            [
                {
                    "id": c.id,
                    "paper": c.paper,
                    "title": c.title,
                    "where": c.where,
                    "provenance": c.provenance,
                    "layers": list(c.layers),
                }
                for c in claims
            ],
            None,
        )
        return
    table = Table(pad_edge=False)
    for name in ("claim", "title", "where", "provenance", "layers"):
        table.add_column(name, overflow="fold", no_wrap=name == "claim")
    for c in claims:
        table.add_row(c.id, c.title, c.where, c.provenance, ",".join(c.layers))
    out.print(table)
