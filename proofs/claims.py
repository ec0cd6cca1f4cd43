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
    from iclverify.empirics.cache import ResultCache
    from iclverify.empirics.sweep import Progress
    from iclverify.theory.derivation import Derivation

Status = Literal["confirmed", "refuted", "inconclusive"]
Level = Literal["quick", "full"]
Provenance = Literal["stated", "reconstructed"]
Layer = Literal["symbolic", "numeric", "montecarlo", "trained"]

STATUSES: tuple[Status, ...] = ("confirmed", "refuted", "inconclusive")
LEVELS: tuple[Level, ...] = ("quick", "full")
PROVENANCES: tuple[Provenance, ...] = ("stated", "reconstructed")
LAYERS: tuple[Layer, ...] = ("symbolic", "numeric", "montecarlo", "trained")

__all__ = ["CheckContext", "Claim", "LAYERS", "LEVELS", "Level", "Status", "STATUSES", "Verdict"]


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
    def confirmed(cls, reason: str, *, condition: str | None = None, **evidence: Any) -> "Verdict":
        return cls(status="confirmed", reason=reason, evidence=evidence, condition=condition)

    @classmethod
    def refuted(cls, reason: str, **evidence: Any) -> "Verdict":
        return cls(status="refuted", reason=reason, evidence=evidence)

    @classmethod
    def inconclusive(cls, reason: str, **evidence: Any) -> "Verdict":
        return cls(status="inconclusive", reason=reason, evidence=evidence)


@dataclasses.dataclass(frozen=True, kw_only=True)
class CheckContext:
    """What a check may use: the level, the one seed, a cache, a device preference, a progress sink."""

    level: Level = "quick"
    seed: int = 0
    cache: "ResultCache | None" = None
    device: str = "auto"
    progress: "Progress | None" = None

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

    ``provenance`` is ``stated`` when the paper (or, for Mehta & Gupta, the summary of it) states the
    claim, and ``reconstructed`` when icl-verify derived the statement it checks; a reconstruction is never
    reported as the paper's own result. ``statement_tex`` is the claim as a LaTeX *math-mode* formula
    (no ``$`` delimiters; ``\text{...}`` for words), displayed on its own line by the report.
    ``derivation`` (optional) returns the SymPy derivation the report
    prints; ``figure`` names a figure (see ``icl-verify figure``) that illustrates it.
    """

    id: str
    paper: str
    title: str
    where: str
    provenance: Provenance
    statement_tex: str
    layers: tuple[Layer, ...]
    check: Callable[[CheckContext], Verdict]
    derivation: Callable[[], "Derivation"] | None = None
    figure: str | None = None
    random: bool = False  # True when the verdict's numbers depend on the seed

    def __post_init__(self) -> None:
        if not self.id.startswith(self.paper + "."):
            raise ValueError(f"claim id {self.id!r} must start with its paper {self.paper!r} and a dot")
        if self.provenance not in PROVENANCES:
            raise ValueError(f"claim {self.id}: provenance must be one of {PROVENANCES}")
        bad = [layer for layer in self.layers if layer not in LAYERS]
        if not self.layers or bad:
            raise ValueError(f"claim {self.id}: layers must be a non-empty subset of {LAYERS}, got {self.layers}")
