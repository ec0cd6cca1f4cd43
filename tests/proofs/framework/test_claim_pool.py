"""Whole claims as tasks: pooled verdicts equal in-process ones; a dead worker loses nothing; LPT order."""

from __future__ import annotations

import json
import os
import signal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iclverify.proofs.framework import claim_pool
from iclverify.proofs.framework.claims import CheckContext, Claim, Verdict
from iclverify.proofs.framework.registry import get_claim
from iclverify.proofs.framework.runner import run_claims
from iclverify.runtime import parallel

# two cheap registered random claims (about a second each) and one symbolic one
RANDOM_IDS = ("lu2024.numerics.float-path", "lu2024.ridge.unique-root")
SYMBOLIC_ID = "lu2024.limit.tau-inf"


def _fields(outcomes):
    return [(o.claim.id, o.label, o.verdict.reason, dict(o.verdict.evidence)) for o in outcomes]


@given(
    seconds=st.dictionaries(st.sampled_from("abcdef"), st.floats(0, 1e4, allow_nan=False)),
    ids=st.lists(st.sampled_from("abcdef"), unique=True),
)
def test_longest_first_is_a_permutation_untimed_first_then_by_decreasing_seconds(seconds, ids):
    order = claim_pool.longest_first(ids, seconds)
    assert sorted(order) == sorted(ids)
    keys = [seconds.get(i, float("inf")) for i in order]
    assert keys == sorted(keys, reverse=True)


def test_pooled_verdicts_equal_in_process_ones_in_the_given_order(tmp_path, cache):
    claims = [get_claim(RANDOM_IDS[0]), get_claim(SYMBOLIC_ID), get_claim(RANDOM_IDS[1])]
    alone = run_claims(claims, CheckContext(seed=3), jobs=1)
    ctx = CheckContext(seed=3, cache=cache)
    pooled = run_claims(claims, ctx, jobs=2)
    assert _fields(pooled) == _fields(alone)
    assert [o.claim for o in pooled] == claims
    # the seconds are remembered for the next run's order; the pooled claims' cache use came back
    history = json.loads((tmp_path / "cache" / claim_pool.SECONDS_FILE).read_text())
    assert set(history["quick"]) == {c.id for c in claims}
    assert all(o.cache_counts is not None for o in pooled)


def test_a_worker_killed_mid_run_loses_no_claim(cache, monkeypatch):
    real = parallel.spawn_pool

    def spawn_then_kill_one(workers, *, env=None):
        executor = real(workers, env=env)
        victim = next(iter(executor._processes.values()))
        os.kill(victim.pid, signal.SIGKILL)
        victim.join(timeout=30)
        return executor

    monkeypatch.setattr(parallel, "spawn_pool", spawn_then_kill_one)
    claims = [get_claim(i) for i in RANDOM_IDS]
    outcomes = run_claims(claims, CheckContext(seed=1, cache=cache), jobs=2)
    assert _fields(outcomes) == _fields(run_claims(claims, CheckContext(seed=1), jobs=1))


def test_claims_not_in_the_registry_run_here():
    calls = []

    def check(ctx):
        calls.append(os.getpid())
        return Verdict.confirmed("ran")

    mine = [
        Claim(
            id=f"demo.r{i}",
            paper="demo",
            title="t",
            where="-",
            provenance="stated",
            statement_tex="",
            layers=("numeric",),
            check=check,
            random=True,
        )
        for i in range(2)
    ]
    assert [o.label for o in run_claims(mine, CheckContext(), jobs=2)] == ["confirmed", "confirmed"]
    assert calls == [os.getpid(), os.getpid()]


def test_jobs_must_be_a_positive_integer():
    from iclverify.api import verify
    from iclverify.runtime.errors import UserError

    with pytest.raises(UserError, match="jobs"):
        verify(claim=SYMBOLIC_ID, cache=False, jobs=0)


def test_the_reference_times_name_registered_random_claims_and_a_last_run_overrides_them(tmp_path, cache):
    from iclverify.proofs.framework.registry import all_claims

    random_ids = {c.id for c in all_claims() if c.random}
    reference = claim_pool.expected_seconds(None, "quick")
    assert set(reference) <= random_ids and len(reference) >= len(random_ids) // 2
    (tmp_path / "cache").mkdir()
    some = sorted(reference)[0]
    (tmp_path / "cache" / claim_pool.SECONDS_FILE).write_text(json.dumps({"quick": {some: 1e9}}))
    assert claim_pool.expected_seconds(cache, "quick")[some] == 1e9
    assert claim_pool.expected_seconds(cache, "full")[some] == claim_pool.expected_seconds(None, "full")[some]
    # a level without its own reference times falls back to the quick level's
    assert set(claim_pool.expected_seconds(None, "full")) >= set(reference)


@pytest.mark.parametrize("value", ["0", "-2", "two", ""])
def test_a_malformed_jobs_variable_is_refused(monkeypatch, value):
    from iclverify.runtime.errors import ConfigError

    monkeypatch.setenv("ICLVERIFY_JOBS", value)
    with pytest.raises(ConfigError, match="ICLVERIFY_JOBS"):
        parallel.default_jobs()
