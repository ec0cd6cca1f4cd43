"""``icl-verify verify`` and ``icl-verify claims``: run registered claims, print and save verdicts.

Exit status of ``verify``: 0 when every selected check ran to a verdict (whatever the verdict: a refuted
claim is a result, not a failure); 1 when some check raised an error; 3 when a verdict named in
``--fail-on`` occurred (e.g. ``--fail-on refuted``); 2 for bad input.

The verdicts JSON (``--json PATH``, and ``verdicts.json`` beside a ``--report``) is
:meth:`iclverify.api.Verification.to_dict`: counts, one entry per claim (verdict, evidence, code paths,
whether its numbers were computed or read from the cache) and the run record (code fingerprint, git
commit, command line, device, workers, library versions).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from iclverify.cli import common
from iclverify.cli.app import app
from iclverify.cli.common import (
    CacheDirOption,
    DeviceOption,
    JsonOption,
    LevelOption,
    NoCacheOption,
    SchedulerOption,
    SeedOption,
    err,
    json_to_stdout,
    log,
    out,
    progress_bar,
    write_json,
)
from iclverify.proofs.framework.claims import STATUSES, CheckContext
from iclverify.proofs.framework.registry import all_claims, get_claim, select
from iclverify.runtime.errors import ConfigError

if TYPE_CHECKING:
    from iclverify.api import Verification
    from iclverify.proofs.framework.runner import Outcome

STYLE = {"confirmed": "green", "refuted": "red", "inconclusive": "yellow", "error": "magenta"}


def _claim_ids(incomplete: str) -> list[str]:
    return [c.id for c in all_claims() if c.id.startswith(incomplete)]


def _papers(incomplete: str) -> list[str]:
    return sorted({c.paper for c in all_claims() if c.paper.startswith(incomplete)})


def _table(outcomes: tuple[Outcome, ...] | list[Outcome]) -> Table:
    table = Table(show_lines=False, pad_edge=False)
    for name in ("claim", "verdict", "reason", "s"):
        table.add_column(name, overflow="fold", no_wrap=name in ("claim", "s"))
    for o in outcomes:
        status = o.verdict.status if o.verdict else "error"
        reason = o.verdict.reason if o.verdict else o.error or ""
        table.add_row(o.claim.id, f"[{STYLE[status]}]{o.label}[/]", reason, f"{o.seconds:.1f}")
    return table


def draw_figures(result: Verification, out_dir: Path, ctx: CheckContext) -> dict[str, list[Path]]:
    """Each figure the claims name, drawn once, at the run's level and seed: ``{figure name: files}``."""
    from iclverify.figures import FigureRequest, get_figure

    drawn: dict[str, list[Path]] = {}
    for o in result.outcomes:
        name = o.claim.figure
        if name is None or name in drawn:
            continue
        request = FigureRequest(
            out=out_dir / name,
            level=ctx.level,
            seed=ctx.seed,
            device=ctx.device,
            cache=ctx.cache,
            progress=ctx.progress,
        )
        log(f"figure {name} ...", level=2)
        try:
            drawn[name] = get_figure(name).build(request)
        except Exception as exc:  # a figure must not sink the report
            err.print(f"warning: figure {name} failed: {type(exc).__name__}: {exc}", markup=False)
            drawn[name] = []
    return drawn


def _write_report(result: Verification, folder: Path, drawn: dict[str, list[Path]]) -> None:
    from iclverify.report.document import write_report
    from iclverify.report.latex_pdf import pdflatex_available

    try:
        files = write_report(result, folder, figures=drawn, pdf=pdflatex_available())
    except OSError as exc:
        raise ConfigError(f"cannot write the report into {folder}: {exc.strerror}") from None
    for path in (files.pdf, files.html, files.tex):
        if path is not None:
            log(f"wrote {path}", level=0)
    if files.pdf is None:
        err.print(
            "pdflatex not found: wrote report.tex and report.html only "
            "(apt-get install texlive-latex-recommended lmodern)"
        )


@app.command()
def verify(
    *,
    paper: Annotated[
        str | None, typer.Option(help="Only this paper's claims (see 'icl-verify claims').", autocompletion=_papers)
    ] = None,
    claim: Annotated[
        list[str] | None, typer.Option(help="Only this claim id (repeatable).", autocompletion=_claim_ids)
    ] = None,
    level: LevelOption = "quick",
    seed: SeedOption = 0,
    device: DeviceOption = "auto",
    json_path: JsonOption = None,
    fail_on: Annotated[
        str, typer.Option(help="Comma-separated verdicts that make the exit status 3, e.g. refuted,inconclusive.")
    ] = "",
    cache_dir: CacheDirOption = None,
    no_cache: NoCacheOption = False,
    scheduler: SchedulerOption = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            help="Worker processes that run the Monte Carlo and trained claims side by side "
            "(default: $ICLVERIFY_JOBS, else the CPUs; 1 with --scheduler).",
        ),
    ] = None,
    progress: Annotated[bool, typer.Option(help="Show progress bars on stderr (when it is a terminal).")] = True,
    report: Annotated[
        Path | None, typer.Option(help="Write the report (HTML, and PDF via LaTeX) and verdicts.json into this folder.")
    ] = None,
    figures: Annotated[bool, typer.Option(help="Draw each claim's figure into the report.")] = True,
) -> int:
    """Run the registered claims and print one row per claim with its verdict."""
    from iclverify.api import verify as run_verify
    from iclverify.runtime.cache import ResultCache

    failing = {s.strip() for s in fail_on.split(",") if s.strip()}
    if unknown := failing - set(STATUSES):
        raise ConfigError(f"--fail-on takes {', '.join(STATUSES)}; got {', '.join(sorted(unknown))}")
    claims = select(paper=paper, claim_ids=tuple(claim or ()))
    cache: bool | Path = False if no_cache else (cache_dir if cache_dir is not None else True)
    finished: list[Outcome] = []
    with progress_bar(progress) as sink:

        def done(outcome: Outcome) -> None:
            finished.append(outcome)
            if sink is not None:
                sink("claims", len(finished), len(claims))
            elif common.verbosity() >= 1:
                log(f"[{len(finished)}/{len(claims)}] {outcome.claim.id}: {outcome.label} ({outcome.seconds:.1f} s)")
            if common.verbosity() >= 2:
                reason = outcome.verdict.reason if outcome.verdict else outcome.error
                log(f"    {reason}", level=2)

        if sink is not None:
            sink("claims", 0, len(claims))
        result = run_verify(
            claim=[c.id for c in claims],
            level=level,
            seed=seed,
            device=device,
            cache=cache,
            progress=sink,
            on_done=done,
            command=common.COMMAND or None,
            jobs=jobs,
        )
        drawn: dict[str, list[Path]] = {}
        if report is not None and figures:
            store = None if no_cache else ResultCache(cache_dir)
            ctx = CheckContext(level=level, seed=seed, cache=store, device=device, progress=sink)
            drawn = draw_figures(result, report / "figures", ctx)
    data = result.to_dict()
    if not json_to_stdout(json_path):
        out.print(_table(result.outcomes))
        counts = ", ".join(f"{n} {s}" for s, n in data["counts"].items() if n)
        out.print(f"{len(result.outcomes)} claims at level {level}, seed {seed}: {counts} ({result.seconds:.1f} s)")
    if json_path is not None:
        write_json(data, json_path)
    if report is not None:
        _write_report(result, report, drawn)
        write_json(data, report / "verdicts.json")
    if any(o.verdict is None for o in result.outcomes):
        err.print("some checks failed with an error (status 'error' above)")
        return 1
    if any(o.verdict.status in failing for o in result.outcomes if o.verdict):
        return 3
    return 0


def _show_claim(claim_id: str) -> None:
    c = get_claim(claim_id)
    out.print(f"{c.id}: {c.title}", markup=False)
    rows = [
        ("paper", c.paper),
        ("where", c.where),
        ("provenance", c.provenance),
        ("layers", ", ".join(c.layers)),
        ("statement", c.statement_tex),
        ("figure", c.figure or "-"),
        ("random", "yes (depends on the seed)" if c.random else "no"),
    ]
    for key, value in rows:
        out.print(f"  {key:11s} {value}", markup=False)
    out.print("  code:", markup=False)
    for role, path in c.code_paths().items():
        out.print(f"    {role:9s} {path}", markup=False)


@app.command("claims")
def list_claims(
    *,
    paper: Annotated[str | None, typer.Option(help="Only this paper's claims.", autocompletion=_papers)] = None,
    show: Annotated[
        str | None,
        typer.Option(help="Print one claim in full, with the code of each layer.", autocompletion=_claim_ids),
    ] = None,
    json_path: JsonOption = None,
) -> None:
    """List the registered claims: id, where in the paper, provenance, layers (built in and from plugins)."""
    from iclverify.api import ClaimList

    if show is not None:
        _show_claim(show)
        if json_path is not None:
            write_json(ClaimList([get_claim(show)]).to_dict()[0], json_path)
        return
    claims = ClaimList(select(paper=paper))
    if json_path is not None:
        write_json(claims.to_dict(), json_path)
        if json_to_stdout(json_path):
            return
    table = Table(pad_edge=False)
    for name in ("claim", "title", "where", "provenance", "layers"):
        table.add_column(name, overflow="fold", no_wrap=name == "claim")
    for c in claims:
        table.add_row(c.id, c.title, c.where, c.provenance, ",".join(c.layers))
    out.print(table)
