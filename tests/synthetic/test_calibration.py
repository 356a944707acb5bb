"""The default population lands near the published Dutch figures (seed 2019, scale 1).

Targets and their sources: docs/methods/synthetic.md, "Calibration". Tolerances allow for
the sampling noise of one seed at the Dutch size (a registered count of ~1,000 has a standard
deviation of ~30; 29 registered minors one of ~5), so a change that only reshuffles random
draws may move a number by a few percent; the scale-5 test pins the expected values.
"""

from __future__ import annotations

import pandas as pd
import pytest

from victim_monitor.synthetic import Population, PopulationSummary, SyntheticConfig, generate

REGISTERED = {2014: 1255, 2015: 1150, 2016: 952, 2017: 956, 2018: 668}


@pytest.fixture(scope="module")
def summary(default: Population) -> PopulationSummary:
    return default.summary()


def test_registered_per_year(summary: PopulationSummary) -> None:
    for year, target in REGISTERED.items():
        assert summary.by_year.loc[year, "registered"] == pytest.approx(target, rel=0.07), year


def test_about_6250_victims_a_year_and_1_in_5_to_1_in_9_registered(
    summary: PopulationSummary,
) -> None:
    for year in REGISTERED:
        assert summary.by_year.loc[year, "true"] == pytest.approx(6250, rel=0.10)
    ratio = summary.by_year["true"] / summary.by_year["registered"]
    assert ratio[2014] == pytest.approx(5, abs=0.6)
    assert ratio[2018] == pytest.approx(9, abs=1.0)


def test_domestic_sexual_exploitation(summary: PopulationSummary) -> None:
    domestic = summary.by_form.xs("domestic_sexual", level="form_group")
    for year in REGISTERED:
        assert domestic.loc[year, "true"] == pytest.approx(3000, rel=0.05)
        assert domestic.loc[year, "true_minors"] == pytest.approx(1300, rel=0.08)
    assert domestic.loc[2018, "registered"] == pytest.approx(132, rel=0.30)
    assert domestic.loc[2018, "registered_minors"] == pytest.approx(29, rel=0.30)
    # "60% fewer in 2018 than in 2014 and 2015"
    drop = 1 - domestic.loc[2018, "registered"] / domestic.loc[[2014, 2015], "registered"].mean()
    assert drop == pytest.approx(0.60, abs=0.10)


def test_non_investigative_reporters_fell_with_the_gdpr(summary: PopulationSummary) -> None:
    non_investigative = summary.by_year["non_investigative"]
    assert non_investigative.loc[2014:2017].mean() == pytest.approx(550, rel=0.25)
    assert non_investigative.loc[2018] == pytest.approx(150, rel=0.25)


def test_minors(summary: PopulationSummary) -> None:
    share = summary.by_year["minors"] / summary.by_year["registered"]
    assert share.loc[2014:2017].between(0.16, 0.25).all()
    assert share.loc[2018] == pytest.approx(0.09, abs=0.03)


def test_few_victims_on_two_or_more_lists(summary: PopulationSummary) -> None:
    share = summary.by_year["two_plus_lists"].sum() / summary.by_year["registered"].sum()
    assert 0.03 <= share <= 0.10


def test_list_shares(summary: PopulationSummary) -> None:
    shares = summary.by_list.div(summary.by_year["registered"], axis=0)
    assert shares["P"].between(0.40, 0.80).all()
    assert shares["R"].between(0.08, 0.33).all()
    assert shares["I"].between(0.02, 0.11).all()
    assert shares["K"].between(0.003, 0.03).all()
    assert shares.loc[2018, "P"] > shares.loc[2014:2017, "P"].max()  # police 79% in 2018


def test_police_trends(default: Population) -> None:
    """Fewer Dutch and European, more African sexual-exploitation victims by the police."""
    police = default.reports[default.reports["organisation"] == "POL"]
    persons = default.persons.set_index("person_id").loc[police["person_id"].unique()]
    counts = pd.crosstab(persons["year"], persons["form_group"])
    european = counts["domestic_sexual"] + counts["cross_border_sexual_non_african"]
    assert european[2018] < 0.6 * european[2014]
    assert counts.loc[2018, "cross_border_sexual_african"] > (
        1.5 * counts.loc[2014:2017, "cross_border_sexual_african"].max()
    )
    dublin = persons[persons["form_group"] == "cross_border_sexual_african"]
    dublin_share = (dublin["dublin_claimant"] == "yes").groupby(dublin["year"]).mean()
    assert dublin_share[2018] > dublin_share[2014] + 0.3


def test_expected_values_at_five_times_the_size() -> None:
    """At scale 5 sampling noise is small: the model itself is calibrated, not one seed."""
    summary = generate(SyntheticConfig(scale=5.0, seed=1)).summary()
    by_year = summary.by_year / 5
    for year, target in REGISTERED.items():
        assert by_year.loc[year, "registered"] == pytest.approx(target, rel=0.04), year
    domestic = summary.by_form.xs("domestic_sexual", level="form_group") / 5
    assert domestic.loc[2018, "registered"] == pytest.approx(132, rel=0.15)
    assert domestic.loc[2018, "registered_minors"] == pytest.approx(29, rel=0.20)
    assert by_year.loc[2014:2017, "non_investigative"].mean() == pytest.approx(550, rel=0.15)
    assert by_year.loc[2018, "non_investigative"] == pytest.approx(150, rel=0.15)
