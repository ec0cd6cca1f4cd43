"""Leases: one owner per checkpoint; a dead or silent owner's lease is stale; a straggler never overwrites."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from iclverify.runtime.lease import Lease, LeaseLost, holder, is_stale


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _fake_lease(path, *, pid, host=None, age=0.0):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"host": host or socket.gethostname(), "pid": pid, "token": "t0", "since": 0}))
    if age:
        then = time.time() - age
        os.utime(path, (then, then))


def test_lease_names_host_and_pid_and_excludes_others(tmp_path):
    path = tmp_path / "a.lease"
    lease = Lease.acquire(path)
    info = holder(path)
    assert info["host"] == socket.gethostname() and info["pid"] == os.getpid()
    assert Lease.acquire(path) is None  # this (live) process holds it
    lease.release()
    assert holder(path) is None and Lease.acquire(path) is not None


def test_lease_of_a_dead_process_on_this_host_is_stale(tmp_path):
    path = tmp_path / "a.lease"
    _fake_lease(path, pid=_dead_pid())
    assert is_stale(holder(path), ttl=3600)
    assert Lease.acquire(path, ttl=3600) is not None


def test_lease_on_another_host_is_stale_only_after_ttl(tmp_path):
    path = tmp_path / "a.lease"
    _fake_lease(path, pid=1, host="elsewhere", age=10)
    assert Lease.acquire(path, ttl=60) is None  # renewed 10 s ago: alive
    _fake_lease(path, pid=1, host="elsewhere", age=120)
    assert Lease.acquire(path, ttl=60) is not None  # silent for 2 min: stale, taken over


def test_renewal_keeps_a_lease_alive(tmp_path):
    path = tmp_path / "a.lease"
    lease = Lease.acquire(path)
    then = time.time() - 100
    os.utime(path, (then, then))
    assert is_stale(holder(path), ttl=50)
    lease.renew()
    assert not is_stale(holder(path), ttl=50)


STRAGGLER = textwrap.dedent(
    """
    import sys, time, pathlib, torch
    from iclverify.runtime.lease import Lease, LeaseLost
    from iclverify.runtime.checkpoint import save_torch
    lease_path, ckpt, go = (pathlib.Path(a) for a in sys.argv[1:4])
    lease = Lease.acquire(lease_path, ttl=1.0)
    save_torch({"owner": torch.tensor(1)}, ckpt, lease=lease)   # checkpoint 1, then the process stalls
    print("saved", flush=True)
    while not go.exists():
        time.sleep(0.05)
    try:
        save_torch({"owner": torch.tensor(1), "late": torch.tensor(1)}, ckpt, lease=lease)
    except LeaseLost as exc:
        print("lost:", exc, flush=True)
        sys.exit(3)
    sys.exit(0)
    """
)


def test_straggler_never_overwrites_a_rescheduled_runs_checkpoint(tmp_path):
    torch = pytest.importorskip("torch")
    from iclverify.runtime.checkpoint import load_torch, save_torch

    lease_path, ckpt, go = tmp_path / "run.lease", tmp_path / "ns" / "ab" / "run.ckpt.pt", tmp_path / "go"
    straggler = subprocess.Popen(
        [sys.executable, "-c", STRAGGLER, str(lease_path), str(ckpt), str(go)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert straggler.stdout.readline().strip() == "saved"
        assert Lease.acquire(lease_path, ttl=1.0) is None  # the straggler is alive and owns it
        time.sleep(1.3)  # it stops renewing: after the ttl the lease is stale
        mine = Lease.acquire(lease_path, ttl=1.0)
        assert mine is not None
        save_torch({"owner": torch.tensor(2)}, ckpt, lease=mine)  # the rescheduled run's checkpoint
        go.touch()  # the straggler wakes up and tries to save
        assert straggler.wait(timeout=60) == 3
        assert "taken over" in straggler.stdout.read()
    finally:
        straggler.kill()
    state = load_torch(ckpt)
    assert int(state["owner"]) == 2 and "late" not in state
    with pytest.raises(LeaseLost):
        Lease(lease_path, "not-mine").check()
