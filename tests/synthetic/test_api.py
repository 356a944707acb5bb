"""The public surface of victim_monitor.synthetic."""

from __future__ import annotations

import pytest

import victim_monitor.synthetic as synthetic
from victim_monitor.synthetic import SyntheticConfig, VariantRates


def test_public_exports_are_pinned() -> None:
    assert sorted(synthetic.__all__) == [
        "DIFFICULTIES",
        "LISTS",
        "NamePools",
        "Population",
        "PopulationSummary",
        "RAW_COLUMNS",
        "SyntheticConfig",
        "SyntheticFiles",
        "VariantRates",
        "generate",
        "write",
    ]


def test_raw_columns_are_the_encoders_standard_columns() -> None:
    assert synthetic.RAW_COLUMNS == (
        "case_reference", "first_name", "last_name", "birth_date", "sex", "nationality",
        "report_date", "exploitation", "sector", "border_crossed", "country_of_exploitation",
        "dublin_claimant", "residence_permit", "police_report",
    )  # fmt: skip


@pytest.mark.parametrize(
    "kwargs",
    [
        {"years": ()},
        {"years": (2014, 2014)},
        {"years": (1899,)},
        {"scale": 0.0},
        {"duplicate_rate": 1.5},
        {"variants": VariantRates(typo=-0.1)},
    ],
)
def test_config_refuses_nonsense(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message names the field
        SyntheticConfig(**kwargs)  # type: ignore[arg-type]


def test_config_round_trips_as_plain_values() -> None:
    data = SyntheticConfig(years=(2016, 2017), seed=3, scale=0.5).as_dict()
    assert data["years"] == [2016, 2017]
    assert data["variants"]["typo"] == VariantRates().typo


def test_summary_prints(small: synthetic.Population) -> None:
    text = str(small.summary())
    assert "registered" in text
    assert "domestic_sexual" in text
