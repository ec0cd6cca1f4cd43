"""Two runs at once on one cache: every result computed once (common case), never torn, identical for both."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections import Counter

from iclverify.runtime.cache import QUARANTINE, ResultCache

RUNNER = textwrap.dedent(
    """
    import json, os, sys, time
    from iclverify.runtime.cache import ResultCache
    from iclverify.runtime.sweep import run_sweep
    root, log, n, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

    def compute(cfg):
        time.sleep(0.05)
        with open(log, "a") as fh:
            fh.write(f"{os.getpid()} {cfg['x']}\\n")
        return {"y": cfg["x"] ** 3, "pid": 0}

    while not os.path.exists(go):   # both start together
        time.sleep(0.005)
    cache = ResultCache(root, fingerprint='race')
    results = run_sweep([{"x": i} for i in range(n)], compute, namespace="race", cache=cache)
    print(json.dumps({"y": [r["y"] for r in results], "stats": cache.stats()}))
    """
)


def _race(tmp_path, n):
    root, log, go = tmp_path / "cache", tmp_path / "log", tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RUNNER, str(root), str(log), str(n), str(go)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    go.touch()
    outs = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    computed = Counter(int(line.split()[1]) for line in log.read_text().splitlines())
    workers = {line.split()[0] for line in log.read_text().splitlines()}
    return outs, computed, workers, root


def test_two_processes_racing_compute_each_result_once(tmp_path):
    n = 24
    outs, computed, workers, root = _race(tmp_path, n)
    expected = [x**3 for x in range(n)]
    assert outs[0]["y"] == outs[1]["y"] == expected  # both get every result, identical
    assert computed == Counter(range(n))  # each configuration computed exactly once across the two runs
    assert len(workers) == 2  # and the work was shared, not serialised behind one run
    assert not (root / QUARANTINE).exists()  # no torn or corrupt entry was ever seen
    assert not list(root.rglob("*.lease")) and not list(root.rglob(".tmp-*"))


WRITER = textwrap.dedent(
    """
    import sys
    from iclverify.runtime.cache import ResultCache
    cache = ResultCache(sys.argv[1], fingerprint="f")
    for i in range(150):
        cache.put("hot", {"x": 0}, {"blob": [int(sys.argv[2])] * 2000, "i": i})
    """
)


def test_concurrent_writers_of_one_entry_never_show_a_torn_entry(tmp_path, capsys):
    cache = ResultCache(tmp_path, fingerprint="f")
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(w)]) for w in (1, 2)]
    seen = 0
    while any(w.poll() is None for w in writers):
        hit = cache.get("hot", {"x": 0})
        if hit is not None:
            seen += 1
            assert len(set(hit["blob"])) == 1 and len(hit["blob"]) == 2000  # whole, from one writer
    assert [w.wait() for w in writers] == [0, 0]
    assert seen > 0 and cache.stats()["bad"] == 0 and "warning" not in capsys.readouterr().err
