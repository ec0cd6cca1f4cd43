"""Lazy code links: named without importing, resolved to the very function on use."""

from __future__ import annotations

import math

from iclverify.proofs.framework.claims import qualified_name
from iclverify.proofs.framework.lazy import LazyCallable


def test_a_lazy_link_names_and_resolves_to_the_function():
    link = LazyCallable("math", "hypot")
    assert qualified_name(link) == "math:hypot" and link.func is math.hypot and link(6, 8) == 10.0


def test_a_link_whose_module_cannot_be_imported_still_has_its_name():
    link = LazyCallable("iclverify_no_such_module", "f")
    assert link.func is link and qualified_name(link) == "iclverify_no_such_module:f"
