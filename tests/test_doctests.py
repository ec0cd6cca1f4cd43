"""Every module's doctests (the formulas' known values) run as part of the suite."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import iclverify

OPTIONAL = {"torch"}  # modules that need an extra are skipped when it is missing


def _modules() -> list[str]:
    names = ["iclverify"]
    for info in pkgutil.walk_packages(iclverify.__path__, prefix="iclverify."):
        if info.name != "iclverify.__main__":
            names.append(info.name)
    return sorted(set(names))


@pytest.mark.parametrize("name", _modules())
def test_doctests(name: str) -> None:
    try:
        module = importlib.import_module(name)
    except ImportError as exc:
        if exc.name in OPTIONAL:
            pytest.skip(f"{name} needs {exc.name}")
        raise
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} doctest(s) failed in {name}"
