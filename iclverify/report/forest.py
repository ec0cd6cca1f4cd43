r"""Predicted against measured, for every quantitative claim: the report's forest plot (inline SVG).

Quantities are read from a verdict's evidence by a small convention (what :func:`~iclverify.proofs.framework
.evidence.interval_rule` and :func:`~iclverify.proofs.framework.evidence.agreement` already write):

* ``predicted`` (the theory's value; alias ``stated``, ``expected``, ``reference``) with ``measured`` or
  ``estimate`` (what the check found) and, when there is one, ``interval`` or ``ci`` ``[low, high]``; beside
  a prediction in the same mapping, ``computed``, ``slope`` or ``ratio`` count as measured too;
* the same keys in nested mappings (and lists of them), which inherit an enclosing ``predicted`` (a list of
  equal predictions counts as one); the shallowest level that has comparisons gives them, at most
  :data:`MAX_ROWS` per claim;
* ``stated_NAME`` beside (or above) ``NAME``; ``NAME`` with ``NAME_interval``, compared with the prediction,
  or with 0 when ``NAME`` is a ``gap`` or ``diff``;
* ``worst_reference`` and ``worst_computed`` of an agreement check (no interval: the worst point).

Each row shows the relative deviation (measured − predicted)/|predicted| (the absolute one where the
prediction is 0), so exponents, ratios and thresholds share one axis, with 0 marking "as predicted".

>>> ev = {"what": "slope", "estimate": -0.48, "interval": [-0.55, -0.41], "predicted": -0.5}
>>> [(q.label, q.deviation, q.deviation_interval) for q in quantities("demo.slope", "confirmed", ev)]
[('slope', 0.04, (-0.1, 0.18))]
>>> ev = {"slope_L": {"estimate": -0.6, "interval": [-0.7, -0.5]}, "slope_d": {"estimate": -0.5},
...       "predicted": [-0.5, -0.5]}
>>> [q.label for q in quantities("demo.eta", "refuted", ev)]
['slope_L', 'slope_d']
>>> quantities("demo.none", "confirmed", {"roots": 1})
[]
"""

from __future__ import annotations

import dataclasses
import html
import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

__all__ = ["Quantity", "forest_svg", "quantities"]

COLORS = {"confirmed": "#1b7a1b", "refuted": "#b01c1c", "inconclusive": "#b86e00", "error": "#a0169c"}
CLIP = 1.0  # the axis spans deviations in [-CLIP, CLIP]; points beyond it are drawn at the edge
PREDICTED = ("predicted", "stated", "expected", "reference")
MEASURED = ("measured", "estimate")  # may take the prediction from an enclosing mapping
MEASURED_NEAR = ("computed", "slope", "ratio")  # only beside a prediction in the same mapping
MAX_ROWS = 6  # comparisons shown per claim
MAX_DEPTH = 3  # levels of nested evidence searched


def _number(value: Any) -> float | None:
    """A finite float from a number or a numeric string (``'2/3'`` included); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(float(value)) else None
    if isinstance(value, str):
        try:
            x = float(Fraction(value.strip()))
        except (ValueError, ZeroDivisionError):
            return None
        return x if math.isfinite(x) else None
    if hasattr(value, "__float__") and not isinstance(value, complex):  # numpy and mpmath numbers
        try:
            y = float(value)
        except (TypeError, ValueError, OverflowError):
            return None
        return y if math.isfinite(y) else None
    return None


def _interval(value: Any) -> tuple[float, float] | None:
    if isinstance(value, (list, tuple)) and len(value) == 2:
        lo, hi = _number(value[0]), _number(value[1])
        if lo is not None and hi is not None and lo <= hi:
            return lo, hi
    return None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Quantity:
    """One predicted-vs-measured comparison of a claim."""

    claim: str
    label: str
    status: str
    predicted: float
    measured: float
    interval: tuple[float, float] | None = None

    @property
    def relative(self) -> bool:
        """True when the deviation is relative (the prediction is not 0)."""
        return self.predicted != 0

    def _dev(self, x: float) -> float:
        d = (x - self.predicted) / abs(self.predicted) if self.relative else x - self.predicted
        return round(d, 12)

    @property
    def deviation(self) -> float:
        return self._dev(self.measured)

    @property
    def deviation_interval(self) -> tuple[float, float] | None:
        return None if self.interval is None else (self._dev(self.interval[0]), self._dev(self.interval[1]))


def _first(ev: Mapping[str, Any], keys: Sequence[str]) -> float | None:
    for key in keys:
        if key in ev and (x := _number(ev[key])) is not None:
            return x
    return None


def _predicted_here(ev: Mapping[str, Any]) -> float | None:
    """The mapping's own prediction; a list of equal predictions counts as one."""
    for key in PREDICTED:
        value = ev.get(key)
        if isinstance(value, (list, tuple)) and value and len({_number(v) for v in value}) == 1:
            value = value[0]
        if (x := _number(value)) is not None:
            return x
    return None


def _rows_in(
    ev: Mapping[str, Any], path: str, inherited: float | None, pairs: Mapping[str, float]
) -> tuple[
    list[tuple[str, float, float, tuple[float, float] | None]],
    list[tuple[str, Mapping[str, Any], float | None, dict[str, float]]],
]:
    """The comparisons of one mapping, and its child mappings (with what they inherit) to look at next."""
    own = _predicted_here(ev)
    predicted = own if own is not None else inherited
    stated = dict(pairs)
    stated.update(
        {
            str(k)[len("stated_") :]: x
            for k, v in ev.items()
            if str(k).startswith("stated_") and (x := _number(v)) is not None
        }
    )
    rows = []
    measured = _first(ev, MEASURED)
    if measured is None and own is not None:
        measured = _first(ev, MEASURED_NEAR)
    interval = _interval(ev.get("interval")) or _interval(ev.get("ci"))
    if predicted is not None and measured is not None:
        rows.append((path, predicted, measured, interval))
    for key, value in ev.items():
        if str(key) in stated and (x := _number(value)) is not None:
            rows.append((f"{path}.{key}".strip("."), stated[str(key)], x, None))
    for key, value in ev.items():  # NAME with NAME_interval: a gap (difference) is compared with 0
        named = _interval(ev.get(f"{key}_interval"))
        target = 0.0 if "gap" in str(key) or "diff" in str(key) else predicted
        if named is not None and target is not None and (x := _number(value)) is not None:
            rows.append((f"{path}.{key}".strip("."), target, x, named))
    ref, comp = _number(ev.get("worst_reference")), _number(ev.get("worst_computed"))
    if ref is not None and comp is not None:
        rows.append((path, ref, comp, None))
    children: list[tuple[str, Mapping[str, Any], float | None, dict[str, float]]] = []
    for key, value in ev.items():
        items = [(str(key), value)] if isinstance(value, Mapping) else []
        if isinstance(value, (list, tuple)):
            items = [(f"{key}[{i}]", v) for i, v in enumerate(value[:MAX_ROWS]) if isinstance(v, Mapping)]
        for name, child in items:
            children.append((f"{path}.{name}".strip("."), child, predicted, stated))
    return rows, children


def quantities(claim: str, status: str, evidence: Mapping[str, Any]) -> list[Quantity]:
    """The comparisons in one verdict's evidence (see the module's convention); empty when it has none.

    The shallowest level of nesting that holds comparisons gives them (at most :data:`MAX_ROWS`), so a
    summary at the top wins over the per-point details under it.
    """
    what = str(evidence.get("what") or "")
    level: list[tuple[str, Mapping[str, Any], float | None, dict[str, float]]] = [("", evidence, None, {})]
    for _ in range(MAX_DEPTH + 1):
        found, below = [], []
        for path, ev, inherited, pairs in level:
            rows, children = _rows_in(ev, path, inherited, pairs)
            found += rows
            below += children
        if found:
            seen: set[tuple[float, float, tuple[float, float] | None]] = set()
            unique = []
            for row in found:  # the same numbers under two names (a fit and its summary) once
                if row[1:] not in seen:
                    seen.add(row[1:])
                    unique.append(row)
            unique.sort(key=lambda r: r[3] is None)  # measured with an interval first
            return [
                Quantity(
                    claim=claim,
                    label=(path or what or claim.split(".", 1)[-1]),
                    status=status,
                    predicted=p,
                    measured=m,
                    interval=iv,
                )
                for path, p, m, iv in unique[:MAX_ROWS]
            ]
        level = below
    return []


def _percent(x: float) -> str:
    return "0%" if x == 0 else f"{x * 100:+.0f}%"


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def forest_svg(rows: Sequence[Quantity], *, anchor: str = "claim-") -> str:
    """An inline SVG: one row per quantity, the deviation with its interval, the claim's name linking to it.

    >>> svg = forest_svg([Quantity(claim="a.b", label="slope", status="refuted", predicted=2.0, measured=3.0)])
    >>> svg.startswith("<svg") and 'href="#claim-a.b"' in svg and "+50%" in svg
    True
    """
    e = html.escape
    row_h, top, label_w, plot_w, text_w = 22, 34, 250, 300, 420
    width, height = label_w + plot_w + text_w, top + row_h * len(rows) + 12

    def x_of(d: float) -> float:
        return label_w + (max(-CLIP, min(CLIP, d)) + CLIP) / (2 * CLIP) * plot_w

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="forest" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="predicted against measured">',
        f'<rect x="{label_w}" y="{top - 6}" width="{plot_w}" height="{height - top}" fill="#f6f6f6"/>',
    ]
    for tick in (-1.0, -0.5, 0.0, 0.5, 1.0):
        x = x_of(tick * CLIP)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 6}" '
            f'stroke="{"#555" if tick == 0 else "#ddd"}" stroke-width="{1.2 if tick == 0 else 1}"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{top - 12}" font-size="10" text-anchor="middle">{_percent(tick * CLIP)}</text>'
        )
    parts.append(
        f'<text x="{label_w + plot_w + 28}" y="{top - 12}" font-size="10" font-weight="bold">'
        "quantity: predicted → measured [interval]</text>"
    )
    for i, q in enumerate(rows):
        y = top + row_h * i + row_h / 2
        color = COLORS.get(q.status, "#333")
        parts.append(
            f'<a href="#{e(anchor + q.claim)}"><text x="{label_w - 6}" y="{y + 4:.1f}" font-size="11" '
            f'text-anchor="end" fill="#0645ad"><title>{e(q.label)}</title>{e(q.claim)}</text></a>'
        )
        if (iv := q.deviation_interval) is not None:
            parts.append(
                f'<line x1="{x_of(iv[0]):.1f}" y1="{y:.1f}" x2="{x_of(iv[1]):.1f}" y2="{y:.1f}" '
                f'stroke="{color}" stroke-width="2"/>'
            )
        d = q.deviation
        outside = abs(d) > CLIP
        shape = (
            f'<path d="M{x_of(d) + (6 if d > 0 else -6):.1f},{y:.1f} l{-7 if d > 0 else 7},-5 v10 z" fill="{color}"/>'
            if outside
            else f'<circle cx="{x_of(d):.1f}" cy="{y:.1f}" r="4" fill="{color}"/>'
        )
        parts.append(shape)
        interval = f" [{_fmt(q.interval[0])}, {_fmt(q.interval[1])}]" if q.interval else ""
        scale = "" if q.relative else " (abs.)"
        label = q.label if len(q.label) <= 34 else q.label[:33] + "…"
        parts.append(
            f'<text x="{label_w + plot_w + 8}" y="{y + 4:.1f}" font-size="11"><title>{e(q.label)}</title>'
            f"{e(label)}: {_fmt(q.predicted)} → {_fmt(q.measured)}{interval}{scale}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
