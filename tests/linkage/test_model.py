"""The typed model reads and writes Splink's settings JSON unchanged, and hands Splink the
settings each use needs."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from victim_monitor.linkage import score
from victim_monitor.linkage.model import Model


@pytest.mark.parametrize("spec", [score.PSEUDONYMISED, score.CLEAR], ids=lambda s: s.name)
def test_a_shipped_model_file_is_written_back_as_it_was_read(spec: score.Spec) -> None:
    text = resources.files("victim_monitor.data").joinpath(spec.reference).read_text("utf-8")
    stored = json.loads(text)
    model = Model.from_json(stored)
    assert model.to_json() == stored
    assert model.prior == stored["probability_two_random_records_match"]
    assert [c.name for c in model.comparisons] == [
        c["output_column_name"] for c in stored["comparisons"]
    ]
    nulls = [lv for c in model.comparisons for lv in c.levels if lv.is_null]
    assert nulls
    assert all(lv.m is None and lv.u is None for lv in nulls)


def test_splink_s_own_settings_survive_the_typed_model() -> None:
    fresh = score.settings(score.PSEUDONYMISED).create_settings_dict("duckdb")
    assert Model.from_json(fresh).to_json() == fresh


def test_the_settings_splink_runs_on_carry_the_overrides_and_nothing_else() -> None:
    model = score.reference_model()
    plain = model.splink_settings()
    assert plain == {**model.to_json(), "retain_intermediate_calculation_columns": False}
    grouped = model.splink_settings(
        blocking_rules=["l.g = r.g"], retain_matching_columns=True, term_frequencies=False
    )
    assert grouped["blocking_rules_to_generate_predictions"] == [{"blocking_rule": "l.g = r.g"}]
    assert grouped["retain_matching_columns"] is True
    levels = [lv for c in grouped["comparisons"] for lv in c["comparison_levels"]]
    assert not any(k.startswith("tf_adjustment") for lv in levels for k in lv)
    assert model.term_frequency_columns()  # the shipped model does use term frequencies
    assert model.without_term_frequencies().term_frequency_columns() == []
    # The model itself is unchanged: it is a value.
    assert model.to_json() == score.reference_model().to_json()


def test_floored_keeps_every_m_and_u_off_zero_and_each_comparison_summing_to_one() -> None:
    stored = score.reference_model().to_json()
    level = stored["comparisons"][0]["comparison_levels"][1]
    level["m_probability"], level["u_probability"] = 0.0, 0.0
    floored = score.floored(Model.from_json(stored))
    for comparison in floored.comparisons:
        m = [lv.m or 0.0 for lv in comparison.scored]
        u = [lv.u or 0.0 for lv in comparison.scored]
        assert sum(m) == pytest.approx(1.0)
        assert sum(u) == pytest.approx(1.0)
        assert min(m) >= score.M_FLOOR * 0.99
        assert min(u) >= score.U_FLOOR * 0.99
