r"""The Python API: predictions, verdicts, claims and figures without the command line.

Each function returns an object that prints as a short text, renders as a table in Jupyter
(``_repr_html_``) and turns into exactly the JSON the command line writes (``to_dict()``):

* :func:`predict` — a paper's formulas at one parameter point (``icl-verify predict … --json``);
* :func:`verify` — run claims to verdicts (``icl-verify verify --json``, the ``verdicts.json`` of a report);
* :func:`claims` — the registered claims, with their code paths (``icl-verify claims --json``);
* :func:`figure` — a registered figure as a :class:`matplotlib.figure.Figure` (never a backend change).

Bad input raises :class:`~iclverify.runtime.errors.UserError` (a ``ValueError``; the CLI turns it into one
line on stderr and exit status 2) with the same message as the CLI.

>>> import iclverify
>>> p = iclverify.predict("lu2024", tau=2, alpha=1, kappa="1/2", rho="0.01", dps=15)
>>> p["e_icl"], p["e_idg"]
('1.23399254303922', '0.609561406349740')
>>> iclverify.predict("mehta-gupta", "exponent", h="1/2")["alpha"]
'1/3'
>>> r = iclverify.verify(claim="lu2024.ridge.ridgeless-limit", cache=False)
>>> r.counts["confirmed"], r.outcomes[0].label
(1, 'confirmed')
>>> "lu2024.ridge.ridgeless-limit" in [c.id for c in iclverify.claims("lu2024")]
True
>>> iclverify.predict("lu2024", tau=0, alpha=1, kappa=1, rho=0)
Traceback (most recent call last):
...
iclverify.runtime.errors.ParameterError: tau must be a finite number > 0, got 0
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from iclverify.runtime.errors import ConfigError, UnknownNameError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from iclverify.proofs.framework.claims import Claim, Level
    from iclverify.proofs.framework.runner import Outcome
    from iclverify.runtime.sweep import Progress

__all__ = [
    "PREDICTORS",
    "ClaimList",
    "Prediction",
    "Verification",
    "claims",
    "figure",
    "predict",
    "run_record",
    "verify",
    "verify_claims",
]

LEVELS = ("quick", "full")
DEVICES = ("auto", "cpu", "cuda")
PACKAGES = ("icl-verify", "sympy", "mpmath", "numpy", "scipy", "torch", "matplotlib", "hypothesis")
STATUS_COLORS = {"confirmed": "#1b7a1b", "refuted": "#b01c1c", "inconclusive": "#b86e00", "error": "#a0169c"}


# ------------------------------------------------------------------------------------------ predictions


def _lu2024(**params: Any) -> dict[str, Any]:
    from iclverify.cli.predict_lu import lu_params, prediction_json
    from iclverify.numerics.lu2024.certified import evaluate
    from iclverify.runtime.validation import integer

    dps = integer("dps", params.pop("dps", 30), low=1)
    return prediction_json(evaluate(lu_params(**params), dps=dps))


def _mg_exponent(*, h: Any) -> dict[str, Any]:
    from iclverify.cli.predict_mg import exponent_json

    return exponent_json(str(h))


def _mg_allocation(*, N: Any, a: Any = "1", b: Any = "2", budget: str = "ld", ratio: Any = "1") -> dict[str, Any]:
    from iclverify.cli.predict_mg import allocation_json

    return allocation_json(str(N), str(a), str(b), budget, str(ratio))


def _mg_critical_scale(*, k: Any, h: Any) -> dict[str, Any]:
    from iclverify.cli.predict_mg import critical_scale_json

    return critical_scale_json(str(k), str(h))


def _bordelon_iso_loss(*, alpha: Any, L: Any, dps: Any = 30) -> dict[str, Any]:
    from iclverify.cli.predict_bordelon import prediction_json
    from iclverify.numerics.bordelon2025.iso import iso_loss
    from iclverify.runtime.validation import integer

    return prediction_json(iso_loss(str(alpha), integer("L", L, low=1), dps=integer("dps", dps, low=1)))


#: ``(paper, quantity)`` → the function computing the JSON object of ``icl-verify predict PAPER [QUANTITY]``.
#: A new paper registers its predictor here (the CLI command and the API then print the same numbers).
PREDICTORS: dict[tuple[str, str | None], Callable[..., dict[str, Any]]] = {
    ("lu2024", None): _lu2024,
    ("mehta-gupta", "exponent"): _mg_exponent,
    ("mehta-gupta", "allocation"): _mg_allocation,
    ("mehta-gupta", "critical-scale"): _mg_critical_scale,
    ("bordelon2025", "iso-loss"): _bordelon_iso_loss,
}


def _html_table(rows: Sequence[tuple[str, str]], caption: str = "") -> str:
    e = html.escape
    cap = f"<caption style='text-align:left'>{e(caption)}</caption>" if caption else ""
    body = "".join(f"<tr><th style='text-align:left'>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows)
    return f"<table>{cap}<tbody>{body}</tbody></table>"


def _flat(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in data.items():
        if isinstance(value, Mapping):
            yield from _flat(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", "" if value is None else str(value)


@dataclasses.dataclass(frozen=True)
class Prediction(Mapping[str, Any]):
    """What a theory predicts at one point: a read-only mapping with the keys of the CLI's ``--json``."""

    paper: str
    quantity: str | None
    data: Mapping[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``icl-verify predict … --json`` (a deep copy)."""
        return json.loads(json.dumps(self.data))

    def __str__(self) -> str:
        name = self.paper + (f" {self.quantity}" if self.quantity else "")
        return name + "\n" + "\n".join(f"  {k} = {v}" for k, v in _flat(self.data))

    def _repr_html_(self) -> str:
        name = self.paper + (f" {self.quantity}" if self.quantity else "")
        return _html_table(list(_flat(self.data)), caption=f"icl-verify prediction: {name}")


def predict(paper: str, quantity: str | None = None, /, **params: Any) -> Prediction:
    """Evaluate a paper's formulas at one point: the numbers of ``icl-verify predict PAPER [QUANTITY] --json``.

    Parameters are keyword arguments named as the CLI's options (``tau``, ``alpha``, ``kappa``, ``rho``,
    ``lam``, ``dps`` for ``lu2024``; ``h``; ``N``, ``a``, ``b``, ``budget``, ``ratio``; ``k``, ``h`` for
    ``mehta-gupta`` with quantity ``exponent``, ``allocation`` or ``critical-scale``; ``alpha``, ``L``, ``dps``
    for ``bordelon2025`` ``iso-loss``). Numbers may be ints,
    floats (read as the decimal they print as), decimal strings or exact fractions (``"1/2"``).

    >>> predict("mehta-gupta", "critical-scale", k=20, h=2)["N_c"]
    '4096000000'
    >>> predict("bordelon2025", "iso-loss", alpha=2, L=2, dps=12)["loss"]
    '0.185185185185'
    >>> predict("lu2024", "exponent")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    iclverify.runtime.errors.UnknownNameError: unknown prediction 'lu2024 exponent'; choose one of: bordelon2025 ...
    """
    fn = PREDICTORS.get((paper, quantity))
    if fn is None:
        names = sorted(p + (f" {q}" if q else "") for p, q in PREDICTORS)
        asked = paper + (f" {quantity}" if quantity else "")
        raise UnknownNameError(f"unknown prediction {asked!r}; choose one of: {', '.join(names)}")
    try:
        data = fn(**params)
    except TypeError as exc:  # a missing or unknown keyword: the caller's input, not a bug
        raise ConfigError(f"predict({paper!r}{', ' + repr(quantity) if quantity else ''}): {exc}") from None
    return Prediction(paper, quantity, data)


# ------------------------------------------------------------------------------------------------ claims


def _claim_dict(c: Claim) -> dict[str, Any]:
    return {
        "id": c.id,
        "paper": c.paper,
        "title": c.title,
        "where": c.where,
        "provenance": c.provenance,
        "layers": list(c.layers),
        "statement_tex": c.statement_tex,
        "figure": c.figure,
        "random": c.random,
        "code": c.code_paths(),
    }


class ClaimList(tuple["Claim", ...]):
    """A tuple of :class:`~iclverify.proofs.framework.claims.Claim` that renders as a table in Jupyter."""

    def to_dict(self) -> list[dict[str, Any]]:
        """The list ``icl-verify claims --json`` prints."""
        return [_claim_dict(c) for c in self]

    def _repr_html_(self) -> str:
        e = html.escape
        head = "".join(f"<th style='text-align:left'>{h}</th>" for h in ("claim", "title", "where", "provenance"))
        rows = "".join(
            f"<tr><td><code>{e(c.id)}</code></td><td>{e(c.title)}</td><td>{e(c.where)}</td><td>{e(c.provenance)}</td></tr>"
            for c in self
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def claims(paper: str | None = None) -> ClaimList:
    """The registered claims (built in and from ``icl_verify.papers`` plugins), of one paper or all.

    >>> {"lu2024", "mehta-gupta"} <= {c.paper for c in claims()}
    True
    """
    from iclverify.proofs.framework.registry import select

    return ClaimList(select(paper=paper))


# ----------------------------------------------------------------------------------------------- verdicts


def _git_commit() -> str | None:
    """The checkout's commit when the package runs from a git work tree (``+dirty`` with local changes)."""
    here = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+dirty" if dirty else "") if head else None


def _fingerprint() -> str | None:
    try:
        from iclverify.runtime.fingerprint import code_fingerprint
    except ImportError:
        return None
    return str(code_fingerprint())


def _device_used(device: str) -> str | None:
    """The torch device ``device`` resolved to, when torch was loaded by the run (None when nothing used it)."""
    if "torch" not in sys.modules:
        return None
    try:
        from iclverify.runtime.device import pick_device

        return str(pick_device(device))
    except Exception:  # a run that never needed the device must not fail on recording it
        return None


def _versions() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def run_record(*, device: str, workers: int | None = None, command: Sequence[str] | None = None) -> dict[str, Any]:
    """How and where verdicts were computed: code fingerprint, git commit, command, device, versions.

    >>> record = run_record(device="cpu", command=["icl-verify", "verify"])
    >>> record["command"], record["device"], "sympy" in record["versions"]
    ('icl-verify verify', 'cpu', True)
    """
    import datetime as _dt
    import shlex

    if workers is None:
        try:
            from iclverify.runtime.parallel import default_workers

            workers = default_workers()
        except Exception:  # an unreadable ICLVERIFY_WORKERS must not sink the record
            workers = None
    return {
        "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "code_fingerprint": _fingerprint(),
        "git_commit": _git_commit(),
        "command": shlex.join(command) if command is not None else None,
        "device": device,
        "device_used": _device_used(device),
        "workers": workers,
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "cpus": os.cpu_count(),
        "versions": _versions(),
    }


def _plain(value: Any) -> Any:
    """JSON-ready data exactly as ``verdicts.json`` stores it (``inf`` as ``'inf'``, other objects as text).

    >>> _plain({"x": (1, float("inf")), "y": {"z": None}})
    {'x': [1, 'inf'], 'y': {'z': None}}
    """
    from iclverify.runtime.cache import to_plain

    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    try:
        return to_plain(value)
    except ConfigError:
        return str(value)


def _counts(outcomes: Sequence[Outcome]) -> dict[str, int]:
    from iclverify.proofs.framework.claims import STATUSES

    counts = {s: 0 for s in (*STATUSES, "error")}
    for o in outcomes:
        counts[o.verdict.status if o.verdict else "error"] += 1
    return counts


def cache_source(counts: tuple[int, int] | None, *, enabled: bool) -> dict[str, Any]:
    """Whether a claim's numbers were computed or read from the cache, from its cache (hits, misses).

    >>> cache_source((3, 0), enabled=True)["source"], cache_source((0, 2), enabled=True)["source"]
    ('cached', 'computed')
    >>> cache_source((2, 1), enabled=True)["source"], cache_source(None, enabled=False)["source"]
    ('partly cached', 'computed')
    """
    if not enabled:
        return {"source": "computed", "hits": 0, "misses": 0, "note": "cache disabled"}
    if counts is None:
        return {"source": "unknown", "hits": None, "misses": None}
    hits, misses = counts
    source = "computed" if hits == 0 else "cached" if misses == 0 else "partly cached"
    return {"source": source, "hits": hits, "misses": misses}


@dataclasses.dataclass(frozen=True, kw_only=True)
class Verification:
    """Verdicts of a run: the outcomes, per-claim cache use, the run record; ``to_dict()`` is ``verdicts.json``."""

    outcomes: tuple[Outcome, ...]
    level: str
    seed: int
    seconds: float
    record: Mapping[str, Any]
    cache_use: Mapping[str, Mapping[str, Any]]

    @property
    def counts(self) -> dict[str, int]:
        """Claims per verdict (``confirmed``, ``refuted``, ``inconclusive``, ``error``)."""
        return _counts(self.outcomes)

    def to_dict(self) -> dict[str, Any]:
        """The verdicts JSON (``icl-verify verify --json``, ``REPORT/verdicts.json``)."""
        import iclverify

        claims_json = []
        for o in self.outcomes:
            entry = o.to_json()
            entry["code"] = o.claim.code_paths()
            entry["cache"] = dict(self.cache_use.get(o.claim.id, {"source": "unknown"}))
            claims_json.append(entry)
        return _plain(
            {
                "icl_verify_version": iclverify.__version__,
                "python": platform.python_version(),
                "level": self.level,
                "seed": self.seed,
                "seconds": round(self.seconds, 3),
                "counts": self.counts,
                "run": dict(self.record),
                "claims": claims_json,
            }
        )

    def write_report(self, folder: str | os.PathLike[str], *, figures: bool = False, pdf: bool = False) -> Path:
        """Write ``report.html`` (and ``report.tex``; ``report.pdf`` with ``pdf``) and ``verdicts.json``
        into ``folder``; with ``figures``, draw each claim's figure first (at this run's level and seed).
        Returns the HTML page's path."""
        from iclverify.report.document import write_report

        out = Path(folder)
        drawn: dict[str, list[Path]] = {}
        if figures:
            from iclverify.figures import FigureRequest, get_figure

            for name in dict.fromkeys(o.claim.figure for o in self.outcomes if o.claim.figure):
                request = FigureRequest(out=out / "figures" / name, level=cast("Level", self.level), seed=self.seed)
                drawn[name] = get_figure(name).build(request)
        files = write_report(self, out, figures=drawn, pdf=pdf)
        (out / "verdicts.json").write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        return files.html

    def __str__(self) -> str:
        lines = [f"{o.claim.id}: {o.label}" for o in self.outcomes]
        counts = ", ".join(f"{n} {s}" for s, n in self.counts.items() if n)
        return "\n".join([*lines, f"{len(self.outcomes)} claims at level {self.level}, seed {self.seed}: {counts}"])

    def _repr_html_(self) -> str:
        e = html.escape
        rows = []
        for o in self.outcomes:
            status = o.verdict.status if o.verdict else "error"
            reason = o.verdict.reason if o.verdict else o.error or ""
            rows.append(
                f"<tr><td><code>{e(o.claim.id)}</code></td>"
                f"<td style='color:{STATUS_COLORS[status]}'><b>{e(o.label)}</b></td><td>{e(reason)}</td></tr>"
            )
        counts = ", ".join(f"{n} {s}" for s, n in self.counts.items() if n)
        return (
            f"<table><caption style='text-align:left'>{len(self.outcomes)} claims, level {e(self.level)}, "
            f"seed {self.seed}: {e(counts)}</caption><thead><tr><th>claim</th><th>verdict</th><th>reason</th></tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table>"
        )


def verify(
    paper: str | None = None,
    claim: str | Sequence[str] | None = None,
    *,
    level: str = "quick",
    seed: int = 0,
    device: str = "auto",
    cache: bool | str | os.PathLike[str] = True,
    progress: Progress | None = None,
    on_done: Callable[[Outcome], None] | None = None,
    command: Sequence[str] | None = None,
    jobs: int | None = None,
) -> Verification:
    """Run registered claims to verdicts: all of them, one ``paper``'s, or the ``claim`` id(s) given.

    ``cache`` is ``True`` (the default cache folder), ``False`` (compute everything, store nothing) or a
    folder. ``progress`` receives ``(description, completed, total)``; ``on_done`` each finished outcome.
    A check that raises becomes an ``error`` outcome, never an exception here. ``jobs`` worker processes run
    the Monte Carlo and trained claims side by side (default: ``$ICLVERIFY_JOBS``, else the number of CPUs;
    1 under a Dask ``--scheduler``, whose workers take the claims' sweeps instead).
    """
    from iclverify.proofs.framework.registry import select

    ids = (claim,) if isinstance(claim, str) else tuple(claim or ())
    return verify_claims(
        select(paper=paper, claim_ids=ids),
        level=level,
        seed=seed,
        device=device,
        cache=cache,
        progress=progress,
        on_done=on_done,
        command=command,
        jobs=jobs,
    )


def verify_claims(
    chosen: Sequence[Claim],
    *,
    level: str = "quick",
    seed: int = 0,
    device: str = "auto",
    cache: bool | str | os.PathLike[str] = True,
    progress: Progress | None = None,
    on_done: Callable[[Outcome], None] | None = None,
    command: Sequence[str] | None = None,
    jobs: int | None = None,
) -> Verification:
    """Run the given :class:`~iclverify.proofs.framework.claims.Claim` objects (registered or not) to verdicts.

    Try a new paper's claims with this before registering them (see "Verify your own paper" in the docs).

    >>> from iclverify.proofs.framework.claims import Claim, Verdict
    >>> two = Claim(id="toy.two", paper="toy", title="1 + 1 = 2", where="-", provenance="stated",
    ...             statement_tex="1+1=2", layers=("numeric",),
    ...             check=lambda ctx: Verdict.confirmed("equal") if 1 + 1 == 2 else Verdict.refuted("differ"))
    >>> verify_claims([two], cache=False).counts["confirmed"]
    1
    """
    from iclverify.proofs.framework.claims import CheckContext
    from iclverify.proofs.framework.runner import run_claims
    from iclverify.runtime.cache import ResultCache
    from iclverify.runtime.validation import nonnegative_int, one_of, positive_int

    one_of("level", level, LEVELS)
    one_of("device", device, DEVICES)
    seed = nonnegative_int("seed", seed)
    store = None if cache is False else ResultCache(None if cache is True else Path(cache))
    ctx = CheckContext(level=cast("Level", level), seed=seed, cache=store, device=device, progress=progress)
    if jobs is None:
        from iclverify.runtime.executors import active_scheduler
        from iclverify.runtime.parallel import default_jobs

        jobs = 1 if active_scheduler() is not None else default_jobs()
    jobs = positive_int("jobs", jobs)
    start = time.perf_counter()
    outcomes = run_claims(chosen, ctx, on_done=on_done, jobs=jobs)
    seconds = time.perf_counter() - start
    cache_use = {o.claim.id: cache_source(o.cache_counts, enabled=store is not None) for o in outcomes}
    record = run_record(device=device, command=command if command is not None else _python_command())
    record["jobs"] = jobs
    return Verification(
        outcomes=tuple(outcomes), level=level, seed=seed, seconds=seconds, record=record, cache_use=cache_use
    )


def _python_command() -> list[str]:
    return [Path(sys.executable).name, *sys.argv] if sys.argv and sys.argv[0] else [Path(sys.executable).name]


# ------------------------------------------------------------------------------------------------ figures


def figure(
    name: str,
    *,
    level: str = "quick",
    seed: int = 0,
    device: str = "auto",
    d: Sequence[int] | None = None,
    runs: int | None = None,
    cache: bool | str | os.PathLike[str] = True,
    progress: Progress | None = None,
) -> Figure:
    """Draw a registered figure and return it as a :class:`matplotlib.figure.Figure` (the backend is untouched).

    In a notebook the figure displays itself; ``fig.savefig("x.png")`` writes it. ``icl-verify figure NAME``
    draws the same figure and also writes its data as CSV.

    >>> fig = figure("lu2024-fig3")
    >>> type(fig).__module__, len(fig.axes) >= 3
    ('matplotlib.figure', True)
    """
    from iclverify.figures import FigureRequest, get_figure
    from iclverify.runtime.cache import ResultCache
    from iclverify.runtime.validation import one_of

    spec = get_figure(name)
    one_of("level", level, LEVELS)
    one_of("device", device, DEVICES)
    store = None if cache is False else ResultCache(None if cache is True else Path(cache))
    request = FigureRequest(
        d=tuple(d) if d else None,
        runs=runs,
        level=cast("Level", level),
        seed=seed,
        device=device,
        cache=store,
        progress=progress,
    )
    return spec.draw(request).figure
