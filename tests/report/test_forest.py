"""The forest plot's reading of evidence: each convention gives its row, unrelated numbers give none."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from iclverify.report.forest import MAX_ROWS, Quantity, forest_svg, quantities


def _rows(evidence):
    return [(q.label, q.predicted, q.measured, q.interval) for q in quantities("p.c", "confirmed", evidence)]


def test_interval_rule_evidence():
    ev = {"what": "slope", "estimate": -0.48, "interval": [-0.55, -0.41], "predicted": -0.5, "max_width": 0.2}
    assert _rows(ev) == [("slope", -0.5, -0.48, (-0.55, -0.41))]


def test_nested_estimates_inherit_the_prediction_and_duplicates_collapse():
    ev = {
        "predicted": [-0.5, -0.5],
        "slope_L": {"estimate": -1.8, "interval": [-3.0, 1.0]},
        "slope_d": {"estimate": -0.6, "interval": [-0.7, -0.5]},
        "fit": {"estimate": -1.8, "ci": [-3.0, 1.0]},
    }
    assert _rows(ev) == [("slope_L", -0.5, -1.8, (-3.0, 1.0)), ("slope_d", -0.5, -0.6, (-0.7, -0.5))]


def test_aliases_count_only_beside_their_own_prediction():
    assert _rows({"predicted": 0.25, "setup": {"ratio": 2, "seeds": 2}}) == []
    assert _rows({"predicted": 4.0, "ratio": 0.79, "interval": [0.54, 1.08]}) == [("c", 4.0, 0.79, (0.54, 1.08))]
    assert _rows({"stated": "2/3", "computed": "1/2", "what": "slope"}) == [("slope", 2 / 3, 0.5, None)]
    assert _rows({"stated": "A*b", "computed": "A*b"}) == []  # symbolic, not numbers


def test_stated_pairs_gaps_and_agreements():
    assert _rows({"stated_slope_d": -0.5, "slope_d": 0.05}) == [("slope_d", -0.5, 0.05, None)]
    points = [{"gap_limit": 0.01 * i, "gap_limit_interval": [-0.1, 0.1], "per_d": [{"estimate": 9}]} for i in range(9)]
    rows = _rows({"points": points})
    assert len(rows) == MAX_ROWS and rows[1] == ("points[1].gap_limit", 0.0, 0.01, (-0.1, 0.1))
    agreement = {"what": "e_icl", "worst_reference": "0.5", "worst_computed": "0.50000000001", "points": 3}
    assert _rows(agreement) == [("e_icl", 0.5, 0.50000000001, None)]


def test_svg_is_well_formed_and_links_each_claim():
    rows = [
        Quantity(claim="a.x", label="far", status="refuted", predicted=1.0, measured=5.0),
        Quantity(claim="a.y", label="zero", status="confirmed", predicted=0.0, measured=0.01, interval=(-0.1, 0.1)),
    ]
    svg = forest_svg(rows)
    root = ET.fromstring(svg)
    links = [a.get("href") for a in root.iter("{http://www.w3.org/2000/svg}a")]
    assert links == ["#claim-a.x", "#claim-a.y"]
    assert "<path" in svg  # the point beyond +100 % is an arrow at the edge
    assert "(abs.)" in svg  # a zero prediction is compared absolutely


def test_any_keys_and_number_types():
    import mpmath
    import numpy as np

    ev = {
        16: {"L_star": 2},
        "predicted": np.float64(0.5),
        "estimate": mpmath.mpf("0.25"),
        "stated_3": 1,
        3: np.int64(2),
    }
    assert _rows(ev) == [("c", 0.5, 0.25, None), ("3", 1.0, 2.0, None)]
