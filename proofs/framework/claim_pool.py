"""Whole claims as tasks: the random (Monte Carlo and trained) claims run in worker processes, at once.

A verification is mostly a handful of long trained and Monte Carlo claims, each of which alone cannot keep
every core busy (its tail, its serial searches). So :func:`run_pooled` gives each such claim to one of
``jobs`` spawned worker processes — each single-threaded, with its own sweeps in-process
(``ICLVERIFY_WORKERS=1``), so the machine is never oversubscribed — while the symbolic and numeric claims
run in this process meanwhile. Claims are submitted longest first (longest-processing-time scheduling), by
the seconds each took the last time at this level, which are remembered beside the cache
(``claim-seconds.json``); before a first run, by the seconds measured at that level (else at the quick
level) on the reference 2-core machine (``claim_seconds.json`` in this package); a claim never timed counts
as longest. Verdicts do not depend on where a claim ran: each check draws only from its own named streams,
and the worker reads and writes the same cache.

Only registered claims travel (a worker looks its claim up by id); a claim built on the fly runs here. A
worker that dies (killed, out of memory) does not lose the verification: the claims it left unfinished run
again in this process, resuming from whatever their sweeps had already stored.

>>> longest_first(["a", "b", "c"], {"a": 1.0, "c": 5.0})
['b', 'c', 'a']
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from iclverify.proofs.framework.claims import CheckContext, Claim
from iclverify.proofs.framework.runner import Outcome, run_one
from iclverify.runtime.cache import ResultCache, atomic_write_text
from iclverify.runtime.errors import MissingDependencyError

__all__ = ["REFERENCE", "SECONDS_FILE", "expected_seconds", "longest_first", "run_pooled"]

SECONDS_FILE = "claim-seconds.json"  # {level: {claim id: seconds}} of the last run, beside the cache
REFERENCE = Path(__file__).with_name("claim_seconds.json")  # {level: {claim id: seconds}}, reference machine


def longest_first(ids: Sequence[str], seconds: Mapping[str, float]) -> list[str]:
    """``ids`` by the seconds each took last time, longest first; ids never timed first, in their order."""
    return sorted(ids, key=lambda i: -seconds.get(i, float("inf")))


def _pooled(claim: Claim) -> bool:
    from iclverify.proofs.framework.registry import all_claims

    return claim.random and any(c is claim for c in all_claims())


def expected_seconds(cache: ResultCache | None, level: str) -> dict[str, float]:
    """Each claim's expected seconds at ``level``: its last run beside ``cache``, else the reference time at
    ``level``, else at the quick level."""
    try:
        reference = json.loads(REFERENCE.read_text())
    except (OSError, ValueError):
        reference = {}
    known: dict[str, float] = {}
    for lvl in dict.fromkeys(("quick", level)):
        times = reference.get(lvl, {})
        known |= {k: float(v) for k, v in times.items() if isinstance(v, (int, float))}
    return known | _history(cache).get(level, {})


def _history(cache: ResultCache | None) -> dict[str, dict[str, float]]:
    if cache is None:
        return {}
    try:
        data = json.loads((Path(cache.root) / SECONDS_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _remember(cache: ResultCache | None, level: str, outcomes: Sequence[Outcome]) -> None:
    if cache is None:
        return
    history = _history(cache)
    history.setdefault(level, {}).update({o.claim.id: round(o.seconds, 3) for o in outcomes if o.verdict is not None})
    try:
        Path(cache.root).mkdir(parents=True, exist_ok=True)
        atomic_write_text(Path(cache.root) / SECONDS_FILE, json.dumps(history, indent=1, sort_keys=True))
    except OSError:
        pass  # a scheduling hint only: a read-only cache folder costs the order, not the verdicts


def _check_in_worker(claim_id: str, ctx: CheckContext) -> tuple[Any, ...]:
    """Run on a worker: the claim's outcome fields, or ``("missing", message)`` for a missing dependency."""
    from iclverify.proofs.framework.registry import get_claim

    try:
        o = run_one(get_claim(claim_id), ctx)
    except MissingDependencyError as exc:
        return ("missing", str(exc))
    return ("done", o.verdict, o.error, o.seconds, o.cache_counts)


def run_pooled(
    claims: Sequence[Claim],
    ctx: CheckContext,
    *,
    jobs: int,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Outcomes of ``claims`` in their order; the random registered ones run on ``jobs`` worker processes."""
    from iclverify.runtime.parallel import spawn_pool

    pooled = [c for c in claims if _pooled(c)]
    if len(pooled) < 2:  # one long claim is better off with its own sweeps spread over the cores
        pooled = []
    by_id = {c.id: c for c in pooled}
    done: dict[str, Outcome] = {}

    def finish(outcome: Outcome) -> None:
        done[outcome.claim.id] = outcome
        if on_done is not None:
            on_done(outcome)

    def collect(fut: Future[tuple[Any, ...]], claim: Claim) -> None:
        result = fut.result()
        if result[0] == "missing":
            raise MissingDependencyError(result[1])
        _, verdict, error, seconds, counts = result
        finish(
            Outcome(
                claim=claim,
                verdict=verdict,
                error=error,
                seconds=seconds,
                level=ctx.level,
                seed=ctx.seed,
                cache_counts=counts,
            )
        )

    futures: dict[Future[tuple[Any, ...]], Claim] = {}
    pending: set[Future[tuple[Any, ...]]] = set()

    def drain(block: bool) -> None:
        nonlocal pending
        if not pending:
            return
        finished, pending = wait(pending, timeout=None if block else 0, return_when=FIRST_COMPLETED)
        for fut in finished:
            collect(fut, futures[fut])

    executor = None
    finished_normally = False
    try:
        try:
            if pooled:
                executor = spawn_pool(min(jobs, len(pooled)), env={"ICLVERIFY_WORKERS": "1"})
                shipped = CheckContext(level=ctx.level, seed=ctx.seed, cache=ctx.cache, device=ctx.device)
                seconds = expected_seconds(ctx.cache, ctx.level)
                for claim_id in longest_first(list(by_id), seconds):
                    futures[executor.submit(_check_in_worker, claim_id, shipped)] = by_id[claim_id]
                pending = set(futures)
            for claim in claims:
                if claim.id not in by_id:
                    finish(run_one(claim, ctx))
                    drain(block=False)
            while pending:
                drain(block=True)
        except BrokenProcessPool:  # a worker died: what is unfinished runs here, its sweeps from the cache
            for claim in claims:
                if claim.id not in done:
                    finish(run_one(claim, ctx))
        finished_normally = True
    finally:
        if executor is not None:
            if not finished_normally:  # interrupted or failed: stop the claims still running, not just the queue
                for process in list(getattr(executor, "_processes", {}).values()):
                    process.terminate()
            executor.shutdown(wait=False, cancel_futures=True)
    outcomes = [done[c.id] for c in claims]
    _remember(ctx.cache, ctx.level, outcomes)
    return outcomes
