"""The cache is content-addressed and atomic; sweeps resume without recomputing finished points."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iclverify.runtime.cache import ResultCache, canonical_json, config_key
from iclverify.runtime.errors import ConfigError, ParameterError
from iclverify.runtime.seeding import rng, stream_seed
from iclverify.runtime.sweep import run_sweep

configs = st.dictionaries(
    st.sampled_from("abcdef"), st.one_of(st.integers(), st.floats(allow_nan=False), st.text(max_size=5))
)


@given(configs)
def test_key_ignores_order_of_keys(cfg):
    reordered = dict(reversed(list(cfg.items())))
    assert config_key("ns", cfg) == config_key("ns", reordered)


@given(configs, configs)
def test_different_configs_have_different_keys(a, b):
    if canonical_json(a) != canonical_json(b):
        assert config_key("ns", a) != config_key("ns", b)


def test_namespace_and_schema_separate_entries(cache):
    cache.put("a", {"x": 1}, {"v": 1})
    assert cache.get("b", {"x": 1}) is None
    assert cache.get("a", {"x": 1}, schema=2) is None


def test_corrupt_entry_counts_as_missing(cache):
    cache.put("a", {"x": 1}, {"v": 1})
    cache.path("a", {"x": 1}).write_text("{truncated", encoding="utf-8")
    assert cache.get("a", {"x": 1}) is None


def test_infinities_round_trip_as_strings(cache):
    stored = cache.put("a", {"kappa": math.inf}, {"e": math.inf})
    assert stored == {"e": "inf"} and cache.get("a", {"kappa": math.inf}) == {"e": "inf"}


def test_unstorable_value_is_a_clear_error(cache):
    with pytest.raises(ConfigError, match="cannot store"):
        cache.put("a", {"x": 1}, {"v": object()})


def test_interrupted_sweep_resumes_without_recomputing(tmp_path):
    cache = ResultCache(tmp_path)
    calls: list[int] = []

    def compute(cfg):
        if cfg["x"] == 3 and not calls.count(-1):
            calls.append(-1)
            raise KeyboardInterrupt  # the user presses Ctrl-C during the fourth point
        calls.append(cfg["x"])
        return {"y": cfg["x"] * 10}

    points = [{"x": i} for i in range(5)]
    with pytest.raises(KeyboardInterrupt):
        run_sweep(points, compute, namespace="t", cache=cache)
    assert calls == [0, 1, 2, -1]
    results = run_sweep(points, compute, namespace="t", cache=cache)
    assert [r["y"] for r in results] == [0, 10, 20, 30, 40]
    assert calls == [0, 1, 2, -1, 3, 4]  # finished points were not computed again


def test_streams_are_reproducible_and_distinct():
    a = rng(3, "train", 0).standard_normal(4)
    assert (a == rng(3, "train", 0).standard_normal(4)).all()
    assert not (a == rng(3, "train", 1).standard_normal(4)).any()
    assert not (a == rng(4, "train", 0).standard_normal(4)).any()
    assert 0 <= stream_seed(3, "init") < 2**63


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_bad_seed_is_rejected(bad):
    with pytest.raises(ParameterError, match="seed"):
        rng(bad, "x")
