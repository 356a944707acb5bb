"""The public API of victim_monitor.linkage is pinned; the shipped model matches the spec."""

from __future__ import annotations

import victim_monitor.linkage as linkage
from victim_monitor.linkage import compare, score
from victim_monitor.linkage.link import shipped_model


def test_public_exports() -> None:
    assert set(linkage.__all__) == {
        "LINK_FLOOR",
        "REVIEW_BAND",
        "THRESHOLD",
        "ConcurrentRunError",
        "LinkResult",
        "LinkageStatus",
        "ReviewError",
        "ReviewPair",
        "Sensitivity",
        "capture_histories",
        "decide_reports",
        "link_register",
        "linkage_status",
        "persons_per_year",
        "record_decision",
        "reports_per_person",
        "review_queue",
        "sensitivity",
    }


def _structure(comparisons: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [
        (c["output_column_name"], lv["sql_condition"], lv.get("tf_adjustment_column"))  # type: ignore[index]
        for c in comparisons
        for lv in c["comparison_levels"]  # type: ignore[attr-defined]
    ]


def test_the_shipped_model_has_the_current_comparisons() -> None:
    """Changing a comparison means training the shipped model again (linkage.md)."""
    model = shipped_model()
    fresh = score.settings(score.PSEUDONYMISED).create_settings_dict("duckdb")
    assert _structure(model["comparisons"]) == _structure(fresh["comparisons"])
    assert [r["blocking_rule"] for r in model["blocking_rules_to_generate_predictions"]] == list(
        score.PSEUDONYMISED.rules
    )
    for c in model["comparisons"]:
        for lv in c["comparison_levels"]:
            if not lv.get("is_null_level"):
                assert lv["m_probability"] >= score.M_FLOOR * 0.99
    assert compare.BLOOM_HIGH > compare.BLOOM_LOW
