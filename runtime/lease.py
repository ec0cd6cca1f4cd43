"""Leases: one writer at a time for a cache entry or a checkpoint, across processes and hosts.

A lease is a lock file created exclusively (``os.link`` of a complete temporary file, atomic on POSIX and
NFS) that names its holder: host, pid and a random token. **Stale-lease rule**: a lease is stale when its
holder is on this host and its process is gone, or when it has not been renewed for ``ttl`` seconds
(holders renew it while they work, see :class:`LeaseKeeper`); only a stale lease may be broken, and
breaking goes through a short exclusive ``.break`` lock so that two processes never both take over.
A holder checks that it still owns its lease (:meth:`Lease.check`) right before it writes, so a
straggler whose lease was broken and handed to a rescheduled run never overwrites that run's work.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "entry.lease"
>>> first = Lease.acquire(path)
>>> Lease.acquire(path) is None      # held (by a live process on this host)
True
>>> first.release(); second = Lease.acquire(path); second.held()
True
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from iclverify.runtime.errors import UserError

__all__ = ["DEFAULT_TTL", "Lease", "LeaseKeeper", "LeaseLost", "holder", "is_stale", "lease_ttl", "leased"]

DEFAULT_TTL = 300.0  # seconds without renewal after which a lease held on another host is stale
BREAK_TTL = 30.0  # a .break lock older than this belongs to a breaker that died


class LeaseLost(UserError, RuntimeError):
    """This process's lease was broken (it was judged stale) and another run now owns the work."""


def lease_ttl() -> float:
    """``$ICLVERIFY_LEASE_SECONDS`` if set, else :data:`DEFAULT_TTL`."""
    try:
        return float(os.environ.get("ICLVERIFY_LEASE_SECONDS", DEFAULT_TTL))
    except ValueError:
        return DEFAULT_TTL


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except (OverflowError, ValueError):
        return False
    return True


def holder(path: Path) -> dict[str, Any] | None:
    """The lease file's content (host, pid, token, ``age`` in seconds), ``{}`` if unreadable, ``None`` if free."""
    try:
        st = path.stat()
        info = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        info = {}
        try:
            st = path.stat()
        except FileNotFoundError:
            return None
    if not isinstance(info, dict):
        info = {}
    info["age"] = time.time() - st.st_mtime
    return info


def is_stale(info: dict[str, Any] | None, ttl: float) -> bool:
    """The stale-lease rule (module doc); a missing lease is not stale, it is free."""
    if info is None:
        return False
    if info.get("age", 0.0) > ttl:
        return True
    if not info.get("token"):  # unreadable or garbled: stale once it is older than a write takes
        return info.get("age", 0.0) > 5.0
    pid = info.get("pid")
    return info.get("host") == socket.gethostname() and isinstance(pid, int) and not _pid_alive(pid)


class Lease:
    """A held lease (make one with :meth:`acquire`)."""

    def __init__(self, path: Path, token: str) -> None:
        self.path, self.token = path, token

    def __repr__(self) -> str:
        return f"Lease({str(self.path)!r})"

    @classmethod
    def acquire(cls, path: str | os.PathLike[str], *, ttl: float | None = None) -> Lease | None:
        """Take the lease at ``path`` if it is free or stale; ``None`` if someone else holds it."""
        path = Path(path)
        ttl = lease_ttl() if ttl is None else ttl
        token = secrets.token_hex(8)
        for _ in range(3):
            if _create(path, token):
                return cls(path, token)
            info = holder(path)
            if info is None:
                continue  # released meanwhile: try again
            if not is_stale(info, ttl) or not _break(path, info.get("token"), ttl):
                return None
        return None

    def held(self) -> bool:
        """Whether the lease file still names this holder."""
        info = holder(self.path)
        return info is not None and info.get("token") == self.token

    def check(self) -> None:
        """Raise :class:`LeaseLost` unless this process still holds the lease (call right before writing)."""
        if not self.held():
            raise LeaseLost(f"the lease {self.path.name} was taken over by another run; this one stops here")

    def renew(self) -> None:
        """Mark the lease as alive now (its modification time is the heartbeat)."""
        if self.held():
            with contextlib.suppress(OSError):
                os.utime(self.path)

    def release(self) -> None:
        """Give the lease up (a no-op if it was lost)."""
        if self.held():
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _create(path: Path, token: str) -> bool:
    """Create the lease file with its full content, atomically, only if it does not exist."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"host": socket.gethostname(), "pid": os.getpid(), "token": token, "since": time.time()})
    tmp = path.with_name(f".{path.name}.{token}")
    tmp.write_text(body, encoding="utf-8")
    try:
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)


def _break(path: Path, stale_token: str | None, ttl: float) -> bool:
    """Remove a stale lease, unless it changed meanwhile; only one breaker at a time (``.break`` lock)."""
    guard = path.with_name(path.name + ".break")
    token = secrets.token_hex(8)
    if not _create(guard, token):
        info = holder(guard)
        if info is not None and info.get("age", 0.0) > BREAK_TTL:
            guard.unlink(missing_ok=True)  # a breaker died holding it
        return False
    try:
        info = holder(path)
        if info is None:
            return True
        if info.get("token") != stale_token or not is_stale(info, ttl):
            return False  # renewed or replaced since we looked
        path.unlink(missing_ok=True)
        return True
    finally:
        guard.unlink(missing_ok=True)


class LeaseKeeper:
    """Renews leases from a background thread every ``ttl / 5`` seconds while work is in progress.

    >>> import tempfile, pathlib
    >>> with LeaseKeeper(ttl=1.0) as keeper:
    ...     lease = keeper.acquire(pathlib.Path(tempfile.mkdtemp()) / "x.lease")
    ...     lease is not None and lease.held()
    True
    """

    def __init__(self, *, ttl: float | None = None) -> None:
        self.ttl = lease_ttl() if ttl is None else ttl
        self._leases: dict[Path, Lease] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def acquire(self, path: Path) -> Lease | None:
        """Acquire and keep renewing the lease at ``path`` (``None`` if it is held elsewhere)."""
        lease = Lease.acquire(path, ttl=self.ttl)
        if lease is not None:
            with self._lock:
                self._leases[lease.path] = lease
        return lease

    def release(self, lease: Lease) -> None:
        """Stop renewing ``lease`` and release it."""
        with self._lock:
            self._leases.pop(lease.path, None)
        lease.release()

    def _run(self) -> None:
        while not self._stop.wait(self.ttl / 5):
            with self._lock:
                leases = list(self._leases.values())
            for lease in leases:
                lease.renew()

    def __enter__(self) -> LeaseKeeper:
        self._thread = threading.Thread(target=self._run, name="lease-keeper", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            leases, self._leases = list(self._leases.values()), {}
        for lease in leases:
            lease.release()


@contextlib.contextmanager
def leased(path: str | os.PathLike[str], *, wait: float = 0.0, ttl: float | None = None) -> Iterator[Lease | None]:
    """``with leased(path) as lease:`` — the lease, kept renewed, or ``None`` if held elsewhere after ``wait`` s."""
    deadline = time.monotonic() + wait
    with LeaseKeeper(ttl=ttl) as keeper:
        while (lease := keeper.acquire(Path(path))) is None and time.monotonic() < deadline:
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
        yield lease
