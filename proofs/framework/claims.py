r"""Claims and verdicts.

A :class:`Claim` is data (id, where in the paper, provenance, LaTeX statement, which layers check it)
plus a ``check`` that computes a :class:`Verdict`. A verdict is ``confirmed``, ``refuted`` or
``inconclusive`` and carries the evidence that decided it: compared values, tolerance, worst point,
precision, seed, sizes. ``confirmed`` with a ``condition`` means "confirmed only under this condition".

Rules for checks (see DESIGN.md): a check's verdict comes from a computation that could have come out
the other way; a check returns ``inconclusive`` (never ``confirmed``) when its evidence is too weak, and
says why in ``reason``; randomness comes from ``ctx.seed`` only.

>>> v = Verdict.confirmed("agrees to 1e-40", max_rel_error=1e-45)
>>> v.status, v.evidence["max_rel_error"]
('confirmed', 1e-45)
>>> Verdict(status="maybe", reason="?")
Traceback (most recent call last):
...
ValueError: verdict status must be one of confirmed, refuted, inconclusive; got 'maybe'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from iclverify.runtime.cache import ResultCache
    from iclverify.runtime.sweep import Progress
    from iclverify.theory.derivation import Derivation

Status = Literal["confirmed", "refuted", "inconclusive"]
Level = Literal["quick", "full"]
Provenance = Literal["stated", "summary", "reconstructed"]
Layer = Literal["symbolic", "numeric", "montecarlo", "trained"]

STATUSES: tuple[Status, ...] = ("confirmed", "refuted", "inconclusive")
LEVELS: tuple[Level, ...] = ("quick", "full")
PROVENANCES: tuple[Provenance, ...] = ("stated", "summary", "reconstructed")
CodeRole = Literal["theory", "numerics", "empirics", "rule"]
CODE_ROLES: tuple[CodeRole, ...] = ("theory", "numerics", "empirics", "rule")
LAYERS: tuple[Layer, ...] = ("symbolic", "numeric", "montecarlo", "trained")

__all__ = [
    "CODE_ROLES",
    "LAYERS",
    "LEVELS",
    "STATUSES",
    "CheckContext",
    "Claim",
    "CodeRole",
    "Level",
    "Status",
    "Verdict",
    "qualified_name",
]


def qualified_name(obj: Callable[..., Any]) -> str:
    """``module:qualname`` of a function or class: where to read the code.

    >>> qualified_name(qualified_name)
    'iclverify.proofs.framework.claims:qualified_name'
    """
    inner = getattr(obj, "func", obj)  # functools.partial
    return f"{inner.__module__}:{inner.__qualname__}"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Verdict:
    """The outcome of a check: status, one line a user understands, and the numbers behind it."""

    status: Status
    reason: str
    evidence: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    condition: str | None = None  # for "confirmed only under <condition>"

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"verdict status must be one of {', '.join(STATUSES)}; got {self.status!r}")
        if not self.reason.strip():
            raise ValueError("a verdict needs a reason")
        if self.condition is not None and self.status != "confirmed":
            raise ValueError("only a confirmed verdict can carry a condition")

    @property
    def label(self) -> str:
        """``confirmed``, ``confirmed if …``, ``refuted`` or ``inconclusive``."""
        return f"confirmed if {self.condition}" if self.condition else self.status

    @classmethod
    def confirmed(cls, reason: str, *, condition: str | None = None, **evidence: Any) -> Verdict:
        return cls(status="confirmed", reason=reason, evidence=evidence, condition=condition)

    @classmethod
    def refuted(cls, reason: str, **evidence: Any) -> Verdict:
        return cls(status="refuted", reason=reason, evidence=evidence)

    @classmethod
    def inconclusive(cls, reason: str, **evidence: Any) -> Verdict:
        return cls(status="inconclusive", reason=reason, evidence=evidence)


@dataclasses.dataclass(frozen=True, kw_only=True)
class CheckContext:
    """What a check may use: the level, the one seed, a cache, a device preference, a progress sink."""

    level: Level = "quick"
    seed: int = 0
    cache: ResultCache | None = None
    device: str = "auto"
    progress: Progress | None = None

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)}; got {self.level!r}")

    def report(self, description: str, completed: int, total: int) -> None:
        """Forward progress to the sink, if any."""
        if self.progress is not None:
            self.progress(description, completed, total)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Claim:
    """A verifiable statement of a paper and the check that decides it.

    ``provenance`` is ``stated`` when the paper states the claim, ``summary`` when only a third-party summary
    of the paper reports it (which may be wrong), and ``reconstructed`` when icl-verify derived the statement
    it checks; a reconstruction is never reported as the paper's own result. ``statement_tex`` is the claim as a
    LaTeX *math-mode* formula (no ``$`` delimiters; ``\text{...}`` for words), displayed on its own line by the report.
    ``derivation`` (optional) returns the SymPy derivation the report
    prints; ``figure`` names a figure (see ``icl-verify figure``) that illustrates it.

    ``code`` is the one hop from a verdict to the code of every layer that checks it: for each role in
    :data:`CODE_ROLES` that applies, the callable that computes it — ``theory`` the SymPy expression or
    derivation, ``numerics`` the evaluation, ``empirics`` the experiment, ``rule`` the verdict rule in
    :mod:`iclverify.proofs` (comparison, tolerance, interval). :meth:`code_paths` names them as
    ``module:qualname``.
    """

    id: str
    paper: str
    title: str
    where: str
    provenance: Provenance
    statement_tex: str
    layers: tuple[Layer, ...]
    check: Callable[[CheckContext], Verdict]
    derivation: Callable[[], Derivation] | None = None
    figure: str | None = None
    random: bool = False  # True when the verdict's numbers depend on the seed
    code: Mapping[CodeRole, Callable[..., Any]] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.id.startswith(self.paper + "."):
            raise ValueError(f"claim id {self.id!r} must start with its paper {self.paper!r} and a dot")
        if self.provenance not in PROVENANCES:
            raise ValueError(f"claim {self.id}: provenance must be one of {PROVENANCES}")
        bad = [layer for layer in self.layers if layer not in LAYERS]
        if not self.layers or bad:
            raise ValueError(f"claim {self.id}: layers must be a non-empty subset of {LAYERS}, got {self.layers}")
        unknown = [role for role in self.code if role not in CODE_ROLES]
        if unknown:
            raise ValueError(f"claim {self.id}: code roles must be among {CODE_ROLES}, got {unknown}")

    def code_paths(self) -> dict[str, str]:
        """``{role: "module:qualname"}`` for each layer's code, the check itself under ``check``."""
        paths: dict[str, str] = {role: qualified_name(fn) for role, fn in self.code.items()}
        paths["check"] = qualified_name(self.check)
        return paths
