"""icl-verify: a symbolic-plus-numeric verifier for theories of in-context learning.

Layers (data flows one way, each imports only the ones before it)::

    iclverify.theory    SymPy expressions and derivations
    iclverify.numerics  mpmath at any precision and a vectorised float64 path
    iclverify.empirics  finite-d Monte Carlo and trained torch models
    iclverify.proofs    claims and their verdicts
    iclverify.cli / .figures / .report   the user-facing top

>>> import iclverify
>>> iclverify.__version__ != ""
True
"""

from __future__ import annotations

from importlib import metadata

try:
    __version__ = metadata.version("icl-verify")
except metadata.PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0.0.0+source"
