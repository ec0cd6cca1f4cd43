"""All registered claims: every module under :mod:`iclverify.proofs` that defines ``CLAIMS``.

>>> ids = [c.id for c in all_claims()]
>>> len(ids) == len(set(ids))
True
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from functools import cache

import iclverify.proofs as _package
from iclverify.proofs.framework.claims import Claim
from iclverify.runtime.errors import UnknownNameError

__all__ = ["all_claims", "get_claim", "papers", "select"]


@cache
def all_claims() -> tuple[Claim, ...]:
    """Every claim, sorted by id; duplicate ids are a programming error."""
    found: list[Claim] = []
    for info in pkgutil.walk_packages(_package.__path__, prefix=_package.__name__ + "."):
        module = importlib.import_module(info.name)
        found.extend(getattr(module, "CLAIMS", ()))
    ids = [c.id for c in found]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise RuntimeError(f"duplicate claim ids: {dupes}")
    return tuple(sorted(found, key=lambda c: c.id))


def papers() -> tuple[str, ...]:
    """The papers that have claims, sorted."""
    return tuple(sorted({c.paper for c in all_claims()}))


def get_claim(claim_id: str) -> Claim:
    """The claim with this id, or an error that suggests the nearest ids."""
    by_id = {c.id: c for c in all_claims()}
    if claim_id in by_id:
        return by_id[claim_id]
    near = difflib.get_close_matches(claim_id, list(by_id), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(near)}?" if near else "; 'icl-verify claims' lists them"
    raise UnknownNameError(f"unknown claim id {claim_id!r}{hint}")


def select(*, paper: str | None = None, claim_ids: tuple[str, ...] = ()) -> tuple[Claim, ...]:
    """Claims of one paper and/or the named ones (all when neither is given)."""
    if paper is not None and paper not in papers():
        raise UnknownNameError(f"unknown paper {paper!r}; known papers: {', '.join(papers())}")
    chosen = [get_claim(i) for i in claim_ids] if claim_ids else list(all_claims())
    if paper is not None:
        chosen = [c for c in chosen if c.paper == paper]
    return tuple(chosen)
