"""The public API of victim_monitor.linkage is pinned; the shipped model matches the spec."""

from __future__ import annotations

import pytest

import victim_monitor.linkage as linkage
from victim_monitor.linkage import compare, score


def test_public_exports() -> None:
    assert set(linkage.__all__) == {
        "LINK_FLOOR",
        "REVIEW_BAND",
        "THRESHOLD",
        "BackendError",
        "ConcurrentRunError",
        "DecisionEntry",
        "LinkResult",
        "LinkageStatus",
        "ReviewError",
        "ReviewPair",
        "Sensitivity",
        "capture_histories",
        "decide_reports",
        "last_quality",
        "link_register",
        "linkage_status",
        "persons_per_year",
        "record_decision",
        "reports_per_person",
        "review_pair",
        "review_queue",
        "sensitivity",
    }


def _structure(comparisons: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [
        (c["output_column_name"], lv["sql_condition"], lv.get("tf_adjustment_column"))
        for c in comparisons
        for lv in c["comparison_levels"]  # type: ignore[attr-defined]
    ]


@pytest.mark.parametrize("spec", [score.PSEUDONYMISED, score.CLEAR], ids=lambda s: s.name)
def test_the_shipped_models_have_the_current_comparisons(spec: score.Spec) -> None:
    """Changing a comparison or a rule means training them again (tests/linkage/shipped_model)."""
    model = score.reference_model(spec).to_json()  # the stored format, as shipped
    fresh = score.settings(spec).create_settings_dict("duckdb")
    assert _structure(model["comparisons"]) == _structure(fresh["comparisons"])
    assert [r["blocking_rule"] for r in model["blocking_rules_to_generate_predictions"]] == list(
        spec.rules
    )
    for c in model["comparisons"]:
        for lv in c["comparison_levels"]:
            if not lv.get("is_null_level"):
                assert lv["m_probability"] >= score.M_FLOOR * 0.99
    assert compare.BLOOM_HIGH > compare.BLOOM_LOW
