"""A claim's link to code that needs an optional dependency (torch), named now and imported when used.

The registry imports every claim module without torch, yet a trained-model claim's ``code`` names
torch-backed experiments. :class:`LazyCallable` carries the ``module:qualname`` of such a function; calling
it (or reading ``.func``, as :func:`~iclverify.proofs.framework.claims.qualified_name` does) imports the
module and returns or calls the real function. Where the import fails, ``.func`` is the link itself, so
its name can still be shown.

>>> f = LazyCallable("math", "hypot")
>>> f(3, 4), f.func.__name__, f"{f.__module__}:{f.__qualname__}"
(5.0, 'hypot', 'math:hypot')
"""

from __future__ import annotations

import importlib
from typing import Any

from iclverify.runtime.errors import MissingDependencyError

__all__ = ["LazyCallable"]


class LazyCallable:
    """``module:qualname`` of a function, imported on first use."""

    def __init__(self, module: str, qualname: str) -> None:
        self.__module__ = module
        self.__qualname__ = qualname

    def _load(self) -> Any:
        obj: Any = importlib.import_module(self.__module__)
        for part in self.__qualname__.split("."):
            obj = getattr(obj, part)
        return obj

    @property
    def func(self) -> Any:
        """The function itself (this link when its module cannot be imported, e.g. without torch)."""
        try:
            return self._load()
        except (ImportError, MissingDependencyError):
            return self

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._load()(*args, **kwargs)

    def __repr__(self) -> str:
        return f"LazyCallable({self.__module__!r}, {self.__qualname__!r})"
