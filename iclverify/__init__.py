"""icl-verify: a symbolic-plus-numeric verifier for theories of in-context learning.

Layers (data flows one way, each imports only the ones before it)::

    iclverify.theory    SymPy expressions and derivations
    iclverify.numerics  mpmath at any precision and a vectorised float64 path
    iclverify.empirics  finite-d Monte Carlo and trained torch models
    iclverify.proofs    claims and their verdicts
    iclverify.api / .cli / .figures / .report   the user-facing top

The Python API (:mod:`iclverify.api`) is available here, imported on first use so that ``import iclverify``
stays light: :func:`~iclverify.api.predict`, :func:`~iclverify.api.verify`, :func:`~iclverify.api.claims`,
:func:`~iclverify.api.figure`.

>>> import iclverify
>>> iclverify.__version__ != ""
True
>>> iclverify.predict("mehta-gupta", "exponent", h=1)["alpha"]
'1/4'
"""

from __future__ import annotations

from importlib import metadata
from typing import TYPE_CHECKING, Any

try:
    __version__ = metadata.version("icl-verify")
except metadata.PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0.0.0+source"

if TYPE_CHECKING:
    from iclverify.api import claims, figure, predict, verify

__all__ = ["__version__", "claims", "figure", "predict", "verify"]

_API = ("claims", "figure", "predict", "verify")


def __getattr__(name: str) -> Any:
    """The API functions, imported from :mod:`iclverify.api` when first asked for."""
    if name in _API:
        from iclverify import api

        return getattr(api, name)
    raise AttributeError(f"module 'iclverify' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})
