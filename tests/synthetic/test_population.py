"""The truth is consistent: reports, persons, capture histories, forms, ages, dates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from victim_monitor import vocab
from victim_monitor.synthetic import LISTS, Population, SyntheticConfig, generate
from victim_monitor.synthetic.recording import STYLES, reporters


def test_every_report_is_about_a_person_who_exists(small: Population) -> None:
    assert small.reports["person_id"].isin(small.persons["person_id"]).all()
    assert small.persons["person_id"].is_unique


def test_registered_means_at_least_one_report(small: Population) -> None:
    reported = set(small.reports["person_id"])
    registered = set(small.persons.loc[small.persons["registered"], "person_id"])
    assert reported == registered
    counts = small.reports["person_id"].value_counts()
    persons = small.persons.set_index("person_id")
    assert (persons.loc[counts.index, "n_reports"] == counts).all()
    assert (persons.loc[~persons["registered"], "n_reports"] == 0).all()


def test_capture_history_is_the_set_of_lists_of_the_reports(small: Population) -> None:
    lists = small.reports.groupby("person_id")["list"].agg(set)
    expected = lists.map(lambda s: "".join(letter for letter in LISTS if letter in s))
    history = small.persons.set_index("person_id")["capture_history"]
    assert (history.loc[expected.index] == expected).all()
    assert (history[~small.persons.set_index("person_id")["registered"]] == "").all()


def test_reports_carry_their_organisations_list() -> None:
    mapping = {r.code: r.estimation_list for r in reporters()}
    population = generate(SyntheticConfig(scale=0.05, seed=5))
    assert (population.reports["organisation"].map(mapping) == population.reports["list"]).all()
    assert set(population.reports["organisation"]) <= set(STYLES)


def test_case_references_are_unique_within_each_organisation(small: Population) -> None:
    assert not small.reports.duplicated(["organisation", "case_reference"]).any()


def test_duplicates_are_the_same_organisation_again(small: Population) -> None:
    dup = small.reports[small.reports["duplicate"]]
    assert len(dup) > 0
    originals = small.reports[~small.reports["duplicate"]]
    pairs = dup.merge(originals, on=["organisation", "person_id"], suffixes=("", "_first"))
    assert len(pairs) == len(dup)
    assert (pairs["case_reference"] != pairs["case_reference_first"]).all()


def test_form_group_follows_the_vocabulary_rule(small: Population) -> None:
    persons = small.persons.drop_duplicates(["exploitation", "border_crossed", "nationality"])
    for row in persons.itertuples():
        kinds = frozenset(vocab.ExploitationKind(k) for k in row.exploitation.split(";"))
        group = vocab.nationality_group(row.nationality)
        assert row.nationality_group == group
        expected = vocab.form_group(kinds, vocab.YesNoUnknown(row.border_crossed), group)
        assert row.form_group == expected


def test_age_group_is_the_age_at_the_reference_date(small: Population) -> None:
    persons = small.persons
    birth = pd.to_datetime(persons["birth_date"])
    ref = pd.to_datetime(persons["reference_date"])
    before = (ref.dt.month < birth.dt.month) | (
        (ref.dt.month == birth.dt.month) & (ref.dt.day < birth.dt.day)
    )
    age = ref.dt.year - birth.dt.year - before.astype(int)
    assert (age == persons["age"]).all()
    assert (persons["age"].map(lambda a: str(vocab.age_group(a))) == persons["age_group"]).all()
    assert persons["age"].between(10, 70).all()


def test_person_year_is_the_year_of_the_first_report(small: Population) -> None:
    reports = small.reports
    first = reports.groupby("person_id")["report_date"].min()
    persons = small.persons.set_index("person_id").loc[first.index]
    assert (first.str[:4].astype(int) == persons["year"]).all()
    assert (first == persons["reference_date"]).all()


def test_late_reports_fall_in_january_of_the_next_year(default: Population) -> None:
    late = default.reports[default.reports["late"]]
    assert 0 < len(late) < 0.02 * len(default.reports)
    person_year = default.persons.set_index("person_id").loc[late["person_id"], "year"]
    assert (late["report_date"].str[:4].astype(int).to_numpy() == person_year.to_numpy() + 1).all()
    assert (late["report_date"].str[5:7] == "01").all()
    assert (late["report_year"] == person_year.to_numpy() + 1).all()


def test_report_dates_are_within_the_year_unless_late(small: Population) -> None:
    on_time = small.reports[~small.reports["late"]]
    person_year = small.persons.set_index("person_id").loc[on_time["person_id"], "year"]
    assert (on_time["report_date"].str[:4].astype(int).to_numpy() == person_year.to_numpy()).all()


def test_truth_is_plausible(small: Population) -> None:
    persons = small.persons
    assert set(persons["sex"]) <= {"female", "male", "other_unknown"}
    assert set(persons["residence_permit"]) <= {"applied", "granted", "refused", "none"}
    eu_or_dutch = persons["nationality_group"].isin(["dutch", "other_eu"])
    assert (persons.loc[eu_or_dutch, "residence_permit"] == "none").all()
    assert (persons.loc[eu_or_dutch, "dublin_claimant"] == "no").all()
    assert (persons.loc[persons["age_group"] == "minor", "dublin_claimant"] == "no").all()
    kmar = small.reports.loc[small.reports["organisation"] == "KMAR", "person_id"]
    crossed = small.persons.set_index("person_id").loc[kmar, "border_crossed"]
    assert (crossed == "yes").all()


def test_years_outside_the_parameter_years_use_the_nearest() -> None:
    population = generate(SyntheticConfig(years=(2013, 2020), scale=0.02, seed=1))
    assert sorted(population.persons["year"].unique()) == [2013, 2020]
    assert np.isclose(len(population.persons), 0.02 * (6250 + 6220), atol=5)


def test_generate_is_deterministic() -> None:
    config = SyntheticConfig(scale=0.05, seed=42)
    a, b = generate(config), generate(config)
    pd.testing.assert_frame_equal(a.persons, b.persons)
    pd.testing.assert_frame_equal(a.reports, b.reports)
    c = generate(SyntheticConfig(scale=0.05, seed=43))
    assert not a.reports["first_name"].equals(c.reports["first_name"])
