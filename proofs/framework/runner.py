"""Run checks and collect their outcomes (verdict, timing, or the error that stopped a check).

>>> from iclverify.proofs.framework.claims import Claim, CheckContext, Verdict
>>> ok = Claim(id="demo.one", paper="demo", title="one", where="-", provenance="stated",
...            statement_tex="1=1", layers=("symbolic",), check=lambda ctx: Verdict.confirmed("1 = 1"))
>>> [o.label for o in run_claims([ok], CheckContext())]
['confirmed']
"""

from __future__ import annotations

import dataclasses
import time
import traceback
from collections.abc import Callable, Iterable
from typing import Any

from iclverify.proofs.framework.claims import CheckContext, Claim, Verdict
from iclverify.runtime.device import missing_dependency
from iclverify.runtime.errors import MissingDependencyError, UserError

__all__ = ["Outcome", "run_claims", "run_one"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Outcome:
    """A claim with its verdict, or with the error its check raised (a bug, or a missing dependency)."""

    claim: Claim
    verdict: Verdict | None
    error: str | None
    seconds: float
    level: str
    seed: int
    cache_counts: tuple[int, int] | None = None  # cache (hits, misses) of this claim's check; None: no cache

    @property
    def label(self) -> str:
        return self.verdict.label if self.verdict is not None else "error"

    def to_json(self) -> dict[str, Any]:
        c, v = self.claim, self.verdict
        return {
            "id": c.id,
            "paper": c.paper,
            "title": c.title,
            "where": c.where,
            "provenance": c.provenance,
            "layers": list(c.layers),
            "statement_tex": c.statement_tex,
            "status": v.status if v else "error",
            "condition": v.condition if v else None,
            "reason": v.reason if v else self.error,
            "evidence": dict(v.evidence) if v else {},
            "random": c.random,
            "level": self.level,
            "seed": self.seed,
            "seconds": round(self.seconds, 3),
        }


def run_claims(
    claims: Iterable[Claim],
    ctx: CheckContext,
    *,
    on_done: Callable[[Outcome], None] | None = None,
    jobs: int = 1,
) -> list[Outcome]:
    """Run each claim's check; a failing check becomes an ``error`` outcome, not a crash.

    With ``jobs > 1`` the registered claims whose numbers are random (the Monte Carlo and trained ones) run
    in ``jobs`` worker processes, the costliest first (:mod:`~iclverify.proofs.framework.claim_pool`), while
    the others run here; outcomes come back in the order given, ``on_done`` as each finishes.
    """
    chosen = list(claims)
    if jobs > 1:
        from iclverify.proofs.framework.claim_pool import run_pooled

        return run_pooled(chosen, ctx, jobs=jobs, on_done=on_done)
    outcomes = []
    for claim in chosen:
        outcome = run_one(claim, ctx)
        outcomes.append(outcome)
        if on_done is not None:
            on_done(outcome)
    return outcomes


def _counts(ctx: CheckContext) -> tuple[int, int] | None:
    stats = getattr(ctx.cache, "stats", None)
    if not callable(stats):
        return None
    counts = stats()
    return int(counts["hits"]), int(counts["misses"])


def run_one(claim: Claim, ctx: CheckContext) -> Outcome:
    """Run one claim's check to an :class:`Outcome` (its verdict or error, time and cache use)."""
    before = _counts(ctx)
    start = time.perf_counter()
    verdict, error = None, None
    try:
        verdict = claim.check(ctx)
        if not isinstance(verdict, Verdict):
            raise TypeError(f"check of {claim.id} returned {type(verdict).__name__}, not a Verdict")
    except (KeyboardInterrupt, MissingDependencyError):
        raise  # a trained claim without torch: the command stops with the one clear line (exit 2)
    except UserError as exc:
        error = str(exc)
    except Exception as exc:  # a bug in a check must not hide the other verdicts
        if (missing := missing_dependency(exc)) is not None:
            raise missing from None
        error = f"{type(exc).__name__}: {exc} [{traceback.extract_tb(exc.__traceback__)[-1].name}]"
    seconds = time.perf_counter() - start
    after = _counts(ctx)
    counts = None if before is None or after is None else (after[0] - before[0], after[1] - before[1])
    return Outcome(
        claim=claim, verdict=verdict, error=error, seconds=seconds, level=ctx.level, seed=ctx.seed, cache_counts=counts
    )
