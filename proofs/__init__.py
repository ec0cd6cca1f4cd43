"""Claims of the papers, each tied to a check that returns a tri-state verdict with its evidence.

Every module in this package that defines ``CLAIMS`` (a list of :class:`~iclverify.proofs.framework.claims.Claim`)
is picked up by :mod:`iclverify.proofs.framework.registry`.
"""
