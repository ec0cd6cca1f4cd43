"""Faults during a run: disk full, read-only cache, SIGTERM/SIGINT, a killed pool worker."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from iclverify.runtime import cache as cache_module
from iclverify.runtime.cache import CacheWriteError, ResultCache, check_entry
from iclverify.runtime.parallel import run_sweep_parallel, shutdown_pool
from iclverify.runtime.sweep import run_sweep


def _square(cfg):
    return {"y": cfg["x"] ** 2}


def _leftovers(root):
    return [p for p in root.rglob("*") if p.is_file() and (p.name.startswith(".") or p.suffix == ".lease")]


def test_disk_full_is_a_clear_error_and_leaves_nothing_half_written(tmp_path, monkeypatch):
    cache = ResultCache(tmp_path)
    run_sweep([{"x": 0}], _square, namespace="t", cache=cache)
    real_fsync, writes = os.fsync, []

    def fsync(fd):  # the disk fills up on the third entry
        writes.append(fd)
        if len(writes) >= 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(cache_module.os, "fsync", fsync)
    with pytest.raises(CacheWriteError, match=r"No space left on device .*free some space"):
        run_sweep([{"x": i} for i in range(4)], _square, namespace="t", cache=cache)
    monkeypatch.undo()
    assert not _leftovers(tmp_path)  # no temporary file, no lease
    entries = sorted(cache.entries())
    assert len(entries) == 2 and all(check_entry(p.read_bytes()) is None for p in entries)  # whole entries only
    assert [r["y"] for r in run_sweep([{"x": i} for i in range(4)], _square, namespace="t", cache=cache)] == [
        0,
        1,
        4,
        9,
    ]


def test_read_only_cache_fails_before_computing(tmp_path, monkeypatch):
    def refuse(folder, suffix):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(cache_module, "_temporary", refuse)
    calls = []
    with pytest.raises(CacheWriteError, match=r"Read-only file system .*writable --cache-dir"):
        run_sweep([{"x": 1}], lambda c: calls.append(c) or {"y": 1}, namespace="t", cache=ResultCache(tmp_path))
    assert calls == [] and not _leftovers(tmp_path)


def test_cli_reports_an_unwritable_cache_in_one_line(cli, tmp_path, monkeypatch):
    def refuse(folder, suffix):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(cache_module, "_temporary", refuse)
    result = cli("cache", "prune", "--cache-dir", str(tmp_path))  # nothing to write: fine
    assert result.code == 0
    pytest.importorskip("torch")
    result = cli(
        "train",
        "--model",
        "gamma",
        "--d",
        "2",
        "--steps",
        "2",
        "--test-contexts",
        "8",
        "--no-progress",
        "--cache-dir",
        str(tmp_path / "c"),
    )
    assert result.code == 2 and "Traceback" not in result.err
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1 and "cannot write the cache" in lines[0] and "Read-only" in lines[0]


STOPPABLE = textwrap.dedent(
    """
    import sys, time
    from iclverify.cli import main
    from iclverify.cli.app import app
    from iclverify.runtime.cache import ResultCache
    from iclverify.runtime.sweep import run_sweep

    def slow(cfg):
        time.sleep(0.15)
        return {"y": cfg["x"] + 1}

    @app.command("slow-sweep")
    def slow_sweep(cache_dir: str, n: int) -> None:
        cache = ResultCache(cache_dir, fingerprint="stop")
        results = run_sweep([{"x": i} for i in range(n)], slow, namespace="slow", cache=cache)
        print("sum", sum(r["y"] for r in results))

    sys.exit(main(["slow-sweep", *sys.argv[1:]]))
    """
)


@pytest.mark.parametrize(("sig", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_stops_cleanly_and_the_rerun_resumes(tmp_path, sig, status):
    root, n = tmp_path / "cache", 40
    proc = subprocess.Popen([sys.executable, "-c", STOPPABLE, str(root), str(n)], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    # finished entries only: pathlib's glob also matches the writer's temporary ".tmp-*.json" files
    while len([p for p in root.glob("slow/??/*.json") if not p.name.startswith(".")]) < 3 and (
        time.monotonic() < deadline
    ):
        time.sleep(0.05)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == status
    assert "Traceback" not in err and "interrupted: finished results are cached" in err
    assert len([line for line in err.splitlines() if line.strip()]) == 1
    assert not _leftovers(root)  # leases released, no temporary files
    done = list(ResultCache(root, fingerprint="stop").entries())
    assert 3 <= len(done) < n and all(check_entry(p.read_bytes()) is None for p in done)
    calls = []
    rerun = run_sweep(
        [{"x": i} for i in range(n)],
        lambda c: calls.append(c) or {"y": c["x"] + 1},
        namespace="slow",
        cache=ResultCache(root, fingerprint="stop"),
    )
    assert [r["y"] for r in rerun] == list(range(1, n + 1)) and len(calls) == n - len(done)  # resumed


def test_killed_pool_worker_is_replaced_and_the_sweep_completes(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "crashy.py").write_text(
        "import os, signal, time\n"
        + textwrap.dedent(
            """
            class CrashOnce:
                def __init__(self, marker):
                    self.marker = marker
                def __call__(self, cfg):
                    if cfg["x"] == 3 and not os.path.exists(self.marker):
                        open(self.marker, "w").close()
                        os.kill(os.getpid(), signal.SIGKILL)
                    time.sleep(0.02)
                    return {"y": cfg["x"] ** 2}
            """
        )
    )
    import crashy

    cache = ResultCache(tmp_path / "cache")
    try:
        results = run_sweep_parallel(
            [{"x": i} for i in range(8)],
            crashy.CrashOnce(str(tmp_path / "marker")),
            namespace="k",
            cache=cache,
            workers=2,
        )
    finally:
        shutdown_pool()
    assert (tmp_path / "marker").exists()  # a worker really died
    assert [r["y"] for r in results] == [i**2 for i in range(8)]
    assert len(list(cache.entries())) == 8 and json.loads(sorted(cache.entries())[0].read_text())["result"]
