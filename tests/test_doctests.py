"""Every module's doctests (the formulas' known values) run as part of the suite."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import iclverify
import iclverify.empirics
import iclverify.numerics
import iclverify.proofs
import iclverify.runtime
import iclverify.theory

# The layers are mapped packages (their folders are not inside iclverify/), so walk each one.
PACKAGES = (iclverify, iclverify.runtime, iclverify.theory, iclverify.numerics, iclverify.empirics, iclverify.proofs)
OPTIONAL = {"torch"}  # modules that need an extra are skipped when it is missing


def _modules() -> list[str]:
    names = []
    for package in PACKAGES:
        names.append(package.__name__)
        for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + "."):
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
