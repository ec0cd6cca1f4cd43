"""All registered claims: every module under :mod:`iclverify.proofs` that defines ``CLAIMS``, and every
plugin registered in the entry-point group ``icl_verify.papers``.

A plugin is a distribution whose ``pyproject.toml`` names an object in that group::

    [project.entry-points."icl_verify.papers"]
    toy = "toy_paper.claims"          # a module defining CLAIMS (and optionally PAPER_TITLES)

The object may be a module with ``CLAIMS``, a sequence of claims, or a function returning one. A plugin that
fails to load is skipped with a warning naming it (the built-in claims still run).

>>> ids = [c.id for c in all_claims()]
>>> len(ids) == len(set(ids))
True
>>> all(isinstance(t, str) for t in paper_titles().values())
True
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
import warnings
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import metadata
from types import ModuleType
from typing import Any

import iclverify.proofs as _package
from iclverify.proofs.framework.claims import Claim
from iclverify.runtime.errors import UnknownNameError

__all__ = ["ENTRY_POINT_GROUP", "all_claims", "get_claim", "paper_titles", "papers", "plugin_sources", "select"]

ENTRY_POINT_GROUP = "icl_verify.papers"


def _builtin_modules() -> list[ModuleType]:
    prefix = _package.__name__ + "."
    return [importlib.import_module(info.name) for info in pkgutil.walk_packages(_package.__path__, prefix=prefix)]


def _plugin_claims(obj: Any, name: str) -> tuple[list[Claim], Mapping[str, str]]:
    """The claims (and paper titles) an entry point's object provides."""
    titles: Mapping[str, str] = {}
    if isinstance(obj, ModuleType):
        titles = getattr(obj, "PAPER_TITLES", {})
        obj = getattr(obj, "CLAIMS", None)
        if obj is None:
            raise TypeError(f"module {name} defines no CLAIMS")
    elif callable(obj) and not isinstance(obj, Claim):
        obj = obj()
    found = list(obj) if isinstance(obj, Iterable) else [obj]
    bad = [type(c).__name__ for c in found if not isinstance(c, Claim)]
    if bad:
        raise TypeError(f"expected Claim objects, got {', '.join(sorted(set(bad)))}")
    return found, titles


@cache
def _plugins() -> tuple[tuple[tuple[Claim, ...], dict[str, str], str], ...]:
    """``(claims, titles, source)`` per installed entry point of :data:`ENTRY_POINT_GROUP`."""
    loaded = []
    for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        source = f"{ep.name} = {ep.value}"
        try:
            claims, titles = _plugin_claims(ep.load(), ep.value)
        except Exception as exc:  # a broken plugin must not take the built-in claims down with it
            warnings.warn(
                f"icl-verify plugin {source!r} skipped: {type(exc).__name__}: {exc}", UserWarning, stacklevel=2
            )
            continue
        loaded.append((tuple(claims), dict(titles), source))
    return tuple(loaded)


def plugin_sources() -> dict[str, str]:
    """``{claim id: "entry-point name = object"}`` for every claim that a plugin registered."""
    return {c.id: source for claims, _, source in _plugins() for c in claims}


@cache
def all_claims() -> tuple[Claim, ...]:
    """Every claim, built in or from a plugin, sorted by id; duplicate ids are a programming error."""
    found: list[Claim] = []
    for module in _builtin_modules():
        found.extend(getattr(module, "CLAIMS", ()))
    for claims, _, _ in _plugins():
        found.extend(claims)
    ids = [c.id for c in found]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise RuntimeError(f"duplicate claim ids: {dupes}")
    return tuple(sorted(found, key=lambda c: c.id))


@cache
def paper_titles() -> dict[str, str]:
    """Display titles of papers, from ``PAPER_TITLES`` mappings of claim modules and plugins (may be partial)."""
    titles: dict[str, str] = {}
    for module in _builtin_modules():
        titles.update(getattr(module, "PAPER_TITLES", {}))
    for _, plugin_titles, _ in _plugins():
        titles.update(plugin_titles)
    return titles


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
