r"""Model shapes (L, D) for the depth-versus-width experiments, and how the summary's shapes are scaled down.

* :func:`fixed_product` — every depth on a grid with L·D = N exactly (the summary's budget N = L·d).
* :func:`fixed_parameters` — depths 1, 4, 16, … with D halving as L quadruples, so 12·L·D² is the same
  for every shape (the true parameter budget, to leading order).
* :func:`aspect_family` — shapes D = r·L: a size sweep at a fixed aspect ratio.
* :func:`tab3_shapes` — Table 3's comparison at a CPU budget. The summary's deep (64, 31250) and wide
  (4, 500000) models have equal N = 2×10⁶, depth ratio 64/4 = 16 and width ratio 1/16 (aspect ratios
  L/d = 0.002048 and 8×10⁻⁶, a factor 256 apart). Keeping the aspect ratios themselves is impossible below
  N ≈ 1.25×10⁵ (the wide model would have L < 1), so the scaled pair keeps the depth ratio, the width
  ratio and the equal budget: deep (16 L₀, D₀), wide (L₀, 16 D₀), N = 16 L₀ D₀.

>>> fixed_product(64, depths=(1, 2, 4, 8, 16, 32), min_width=4)
[(1, 64), (2, 32), (4, 16), (8, 8), (16, 4)]
>>> fixed_parameters(32, count=3)
[(1, 32), (4, 16), (16, 8)]
>>> tab3_shapes(1, 16)
{'deep': (16, 16), 'wide': (1, 256)}
"""

from __future__ import annotations

from collections.abc import Sequence

from iclverify.runtime.errors import ParameterError

__all__ = ["TAB3_RATIO", "aspect_family", "fixed_parameters", "fixed_product", "tab3_shapes"]

TAB3_RATIO = 16  # 64 / 4 = 500000 / 31250


def _positive(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ParameterError(f"{name} must be a positive integer, got {value!r}")
    return value


def fixed_product(N: int, *, depths: Sequence[int], min_width: int = 4) -> list[tuple[int, int]]:
    """``(L, N // L)`` for each depth that divides N and leaves a width of at least ``min_width``."""
    N = _positive("N", N)
    shapes = [(L, N // L) for L in depths if _positive("depth", L) and N % L == 0 and min_width <= N // L]
    if len(shapes) < 1:
        raise ParameterError(f"no depth in {tuple(depths)} gives a width >= {min_width} at N = {N}")
    return shapes


def fixed_parameters(width: int, *, count: int, min_width: int = 4) -> list[tuple[int, int]]:
    """``(4^j, width / 2^j)`` for j < count: 12·L·D² = 12·width² for every shape."""
    width, count = _positive("width", width), _positive("count", count)
    shapes = []
    for j in range(count):
        if width % 2**j or width // 2**j < min_width:
            raise ParameterError(f"width {width} cannot be halved {j} times above {min_width}")
        shapes.append((4**j, width // 2**j))
    return shapes


def aspect_family(depths: Sequence[int], *, ratio: int) -> list[tuple[int, int]]:
    """``(L, ratio·L)`` for each depth."""
    ratio = _positive("ratio", ratio)
    return [(_positive("depth", L), ratio * L) for L in depths]


def tab3_shapes(L0: int, D0: int) -> dict[str, tuple[int, int]]:
    """The scaled Table 3 pair at N = 16·L0·D0 (see the module docstring)."""
    L0, D0 = _positive("L0", L0), _positive("D0", D0)
    return {"deep": (TAB3_RATIO * L0, D0), "wide": (L0, TAB3_RATIO * D0)}
