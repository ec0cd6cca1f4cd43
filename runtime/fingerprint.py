"""A fingerprint of the code that computes results: the SHA-256 of the computing modules' source files.

Cache keys include it (:mod:`iclverify.runtime.cache`), so editing any line of the computation turns
every result it produced into a miss instead of serving it stale. The default covers the computing
layers (runtime, theory, numerics, empirics): an edit to the CLI, figures or verdict rules does not
invalidate simulations. Files are hashed by their bytes, in a fixed order, with their relative paths;
a file's digest is memoised on its path, size and modification time, so a source edited while the
process runs is noticed.

>>> import tempfile, pathlib
>>> src = pathlib.Path(tempfile.mkdtemp()) / "step.py"
>>> _ = src.write_text("def step(x):\\n    return x + 1\\n")
>>> before = code_fingerprint(src)
>>> _ = src.write_text("def step(x):\\n    return x + 2\\n")
>>> code_fingerprint(src) != before, len(before)
(True, 16)
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path
from types import ModuleType

from iclverify.runtime.errors import ConfigError

__all__ = ["COMPUTING_PACKAGES", "code_fingerprint", "source_files"]

COMPUTING_PACKAGES = ("iclverify.runtime", "iclverify.theory", "iclverify.numerics", "iclverify.empirics")
_DIGESTS: dict[tuple[str, int, int], str] = {}

Source = str | ModuleType | os.PathLike[str]


def _locations(source: Source) -> list[Path]:
    """Files or folders behind a module name, a module object or a path (without importing packages)."""
    if isinstance(source, ModuleType):
        paths = list(getattr(source, "__path__", []) or [])
        if not paths and getattr(source, "__file__", None):
            paths = [source.__file__]
        return [Path(p) for p in paths]
    if isinstance(source, str) and os.sep not in source and not source.endswith(".py"):
        try:
            spec = importlib.util.find_spec(source)
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            raise ConfigError(f"cannot fingerprint {source!r}: no such module")
        if spec.submodule_search_locations:
            return [Path(p) for p in spec.submodule_search_locations]
        if spec.origin is None:
            raise ConfigError(f"cannot fingerprint {source!r}: it has no source file")
        return [Path(spec.origin)]
    return [Path(source)]


def source_files(*sources: Source) -> list[Path]:
    """The ``.py`` files of ``sources`` (packages recursively), sorted, without duplicates."""
    files: set[Path] = set()
    for source in sources or COMPUTING_PACKAGES:
        for loc in _locations(source):
            if loc.is_dir():
                files.update(p.resolve() for p in loc.rglob("*.py") if "__pycache__" not in p.parts)
            elif loc.is_file():
                files.add(loc.resolve())
            else:
                raise ConfigError(f"cannot fingerprint {str(loc)!r}: no such file or folder")
    return sorted(files)


def _digest(path: Path) -> str:
    st = path.stat()
    memo = (str(path), st.st_size, st.st_mtime_ns)
    if memo not in _DIGESTS:
        _DIGESTS[memo] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _DIGESTS[memo]


def code_fingerprint(*sources: Source) -> str:
    """16 hex digits of SHA-256 over the sources' files (default: :data:`COMPUTING_PACKAGES`).

    ``sources`` are module names (``"iclverify.numerics"``), module objects or paths of files or folders.
    The default is taken once per process — the code this process runs, even if the files are edited
    while it runs (results it computes are then keyed by the code that computed them).
    """
    if not sources:
        if "default" not in _PROCESS:
            _PROCESS["default"] = _fingerprint(COMPUTING_PACKAGES)
        return _PROCESS["default"]
    return _fingerprint(sources)


_PROCESS: dict[str, str] = {}


def _fingerprint(sources: tuple[Source, ...]) -> str:
    h = hashlib.sha256()
    files = source_files(*sources)
    common = Path(os.path.commonpath([str(f.parent) for f in files])) if files else Path()
    for path in files:
        rel = path.relative_to(common).as_posix()
        h.update(f"{rel}\0{_digest(path)}\n".encode())
    return h.hexdigest()[:16]
