"""Dask as the executor: a real scheduler and two worker processes on 127.0.0.1 give bit-identical results,
share the cache as storage, and lose nothing when a worker is killed mid-sweep."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import pytest

from iclverify.runtime.cache import ResultCache
from iclverify.runtime.errors import ConfigError
from iclverify.runtime.executors import InProcess, check_scheduler, use_scheduler
from iclverify.runtime.parallel import run_sweep_parallel
from iclverify.runtime.sweep import run_sweep

distributed = pytest.importorskip("distributed")

from iclverify.empirics.montecarlo.simulate import gamma_config, gamma_run  # noqa: E402
from iclverify.theory.params import LuParams  # noqa: E402

POINT = LuParams(tau=2, alpha=1, kappa="0.5", rho="0.01")


def _numbers(result):
    return {k: v for k, v in result.items() if "seconds" not in k}  # timings differ run to run


@pytest.fixture(autouse=True)
def fresh_code_fingerprint():
    """The client's fingerprint taken now, like the workers' (a checkout being edited changes it)."""
    from iclverify.runtime import fingerprint

    fingerprint._PROCESS.clear()


@pytest.fixture(scope="module")
def cluster():
    """A real scheduler and two single-threaded worker processes on localhost."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as lc:
        yield lc


def test_scheduler_addresses_are_checked():
    assert check_scheduler("local") == "local" and check_scheduler("tcp://10.0.0.1:8786").startswith("tcp")
    for bad in ("", "remote", "http://x:1", "tcp://", "tcp:/x"):
        with pytest.raises(ConfigError, match="--scheduler"):
            check_scheduler(bad)


def test_monte_carlo_sweep_on_two_workers_is_bit_identical_to_in_process(cluster, tmp_path):
    configs = [gamma_config(POINT, d=6, seed=3, run=r) for r in range(6)]
    reference = run_sweep(configs, gamma_run, namespace="g", cache=None, executor=InProcess())
    cache = ResultCache(tmp_path)
    with use_scheduler(cluster.scheduler_address) as scheduler:
        results = run_sweep_parallel(configs, gamma_run, namespace="g", cache=cache, workers=1)
        ran_on = scheduler.client.run(os.getpid)
    assert [_numbers(r) for r in results] == [_numbers(r) for r in reference]  # bit-identical floats
    assert len(ran_on) == 2
    # the workers stored every result in the shared cache: a second sweep computes nothing
    calls = []
    again = run_sweep(configs, lambda c: calls.append(c) or gamma_run(c), namespace="g", cache=cache)
    assert calls == [] and [_numbers(r) for r in again] == [_numbers(r) for r in reference]


# The slow task the two tests below run. It lives in a module shipped to the workers with
# ``Client.upload_file`` (re-sent to a restarted worker by its plugin): the test module itself is not
# importable there (pytest imports it with --import-mode=importlib), and a worker that cannot unpickle a
# task stops handling its scheduler stream, which hung these tests.
SLOW_TASKS = """
import time

from iclverify.empirics.montecarlo.simulate import gamma_run


def slow_gamma(cfg):
    time.sleep(0.4)
    result = gamma_run(cfg)
    with open(cfg["log"], "a") as fh:
        fh.write(f"{cfg['run']}\\n")
    return result
"""


@pytest.fixture(scope="module")
def slow_gamma(cluster, tmp_path_factory):
    """``slow_gamma`` imported here and uploaded to the cluster's workers (present and future)."""
    path = tmp_path_factory.mktemp("tasks") / "icl_slow_tasks.py"
    path.write_text(SLOW_TASKS)
    sys.path.insert(0, str(path.parent))
    try:
        import icl_slow_tasks

        with distributed.Client(cluster.scheduler_address) as client:
            client.upload_file(str(path))
        yield icl_slow_tasks.slow_gamma
    finally:
        sys.path.remove(str(path.parent))
        sys.modules.pop("icl_slow_tasks", None)


def test_killing_a_worker_mid_sweep_loses_nothing(cluster, slow_gamma, tmp_path):
    log = tmp_path / "log"
    configs = [{**gamma_config(POINT, d=6, seed=5, run=r), "log": str(log)} for r in range(10)]
    reference = [_numbers(gamma_run(c)) for c in configs]
    cache = ResultCache(tmp_path / "cache")
    killed = []

    def kill_one_worker(client):
        while not log.exists():  # wait until the sweep is under way
            time.sleep(0.05)
        pid = next(iter(client.run(os.getpid).values()))
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    with use_scheduler(cluster.scheduler_address) as scheduler:
        killer = threading.Thread(target=kill_one_worker, args=(scheduler.client,))
        killer.start()
        results = run_sweep_parallel(configs, slow_gamma, namespace="slow", cache=cache)
        killer.join()
        scheduler.client.wait_for_workers(2, timeout=60)  # the nanny restarts it for the next test
    assert killed
    assert [_numbers(r) for r in results] == reference  # every result, bit-identical
    assert len(list(cache.entries())) == len(configs)
    finished = [int(x) for x in log.read_text().split()]
    assert sorted(set(finished)) == list(range(10))
    assert len(finished) <= len(configs) + 1  # at most the task in flight on the killed worker ran again


def test_two_clients_share_one_task_per_configuration(cluster, slow_gamma, tmp_path):
    log = tmp_path / "log"
    configs = [{**gamma_config(POINT, d=5, seed=9, run=r), "log": str(log)} for r in range(4)]
    out: dict[int, list] = {}

    def one_client(n):
        with use_scheduler(cluster.scheduler_address):
            out[n] = run_sweep_parallel(configs, slow_gamma, namespace="shared", cache=ResultCache(tmp_path / "c"))

    threads = [threading.Thread(target=one_client, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [_numbers(r) for r in out[0]] == [_numbers(r) for r in out[1]]
    assert sorted(int(x) for x in log.read_text().split()) == [0, 1, 2, 3]  # each computed once


def test_a_worker_running_other_code_refuses_to_compute():
    from iclverify.runtime.executors import _check_worker_code
    from iclverify.runtime.fingerprint import code_fingerprint

    _check_worker_code(code_fingerprint())  # the same code: fine
    with pytest.raises(ConfigError, match="other icl-verify code"):
        _check_worker_code("0123456789abcdef")
