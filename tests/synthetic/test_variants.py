"""Variants appear at the configured rates, and every organisation writes its own codes."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pycountry
import pytest

from victim_monitor import vocab
from victim_monitor.synthetic import Population, VariantRates
from victim_monitor.synthetic.names import _alternatives, origins
from victim_monitor.synthetic.recording import CONFUSED_NATIONALITY, DUTCH_KINDS, STYLES

RATES = VariantRates()


def _with_truth(population: Population) -> pd.DataFrame:
    truth = population.persons.set_index("person_id")
    columns = ["first_name", "second_given_name", "last_name", "name_origin", "sex",
               "nationality", "nationality_group"]  # fmt: skip
    return population.reports.join(truth[columns], on="person_id", rsuffix="_true")


def _labelled(reports: pd.DataFrame, label: str) -> pd.Series:
    return reports["variants"].str.split(";").map(lambda made: label in made)


def _close(observed: pd.Series, expected: float) -> None:
    """Observed share within four binomial standard errors (plus a little) of expected."""
    n = len(observed)
    assert n > 100
    tolerance = 4 * np.sqrt(max(expected * (1 - expected), 1e-4) / n) + 0.003
    assert abs(observed.mean() - expected) < tolerance, (observed.mean(), expected, n)


@pytest.fixture(scope="module")
def reports(default: Population) -> pd.DataFrame:
    return _with_truth(default)


def test_typos(reports: pd.DataFrame) -> None:
    observed = _labelled(reports, "typo")
    assert RATES.typo * 0.85 < observed.mean() <= RATES.typo + 0.01


def test_swapped_name_parts(reports: pd.DataFrame) -> None:
    family_first = reports["name_origin"].map(lambda o: origins()[o].family_first)
    _close(_labelled(reports, "swap"), float(np.where(family_first, 4, 1).mean() * RATES.swap))


def test_second_given_name_dropped(reports: pd.DataFrame) -> None:
    has_second = reports["second_given_name"] != ""
    _close(_labelled(reports[has_second], "second_given_dropped"), RATES.second_given_dropped)
    assert not _labelled(reports[~has_second], "second_given_dropped").any()


def test_diacritics_dropped(reports: pd.DataFrame) -> None:
    latin = reports[reports["name_origin"].isin(["polish", "romanian", "hungarian"])]
    accented = latin[(latin["first_name_true"] + latin["last_name_true"]).map(str.isascii) == 0]
    _close(_labelled(accented, "diacritics"), RATES.diacritics)


def test_dutch_particles(reports: pd.DataFrame) -> None:
    dutch = reports[reports["name_origin"] == "dutch"]
    with_particle = dutch[dutch["last_name_true"].str.match(r"(van|de|ter|ten) ")]
    _close(_labelled(with_particle, "particle"), RATES.particle)


def test_respellings(reports: pd.DataFrame) -> None:
    table = _alternatives()

    def parts(row: pd.Series) -> int:
        names = (row["first_name_true"], row["second_given_name"], row["last_name_true"])
        return sum(len(table.get((row["name_origin"], n), ())) > 1 for n in names)

    k = reports.apply(parts, axis=1)
    expected = (1 - (1 - RATES.spelling) ** k[k > 0]).mean()
    _close(_labelled(reports[k > 0], "spelling"), float(expected))


def test_transliteration_of_cyrillic_names(reports: pd.DataFrame) -> None:
    cyrillic = reports[reports["name_origin"].isin(["bulgarian", "ukrainian"])]
    observed = _labelled(cyrillic, "transliteration").mean()
    assert 0.5 * RATES.transliteration < observed <= RATES.transliteration + 0.05


def test_birth_date_variants(reports: pd.DataFrame) -> None:
    style = reports["organisation"].map(STYLES)
    factor = style.map(lambda s: s.birth_factor)
    missing = RATES.birth_missing * factor
    non_eu = reports["nationality_group"].isin(["african", "other_non_eu"])
    january = style.map(lambda s: s.january_first) & non_eu
    p_january = (1 - missing) * np.where(january, RATES.birth_january_first, 0.0)
    p_partial = (1 - missing - p_january) * RATES.birth_partial * factor
    _close(_labelled(reports, "birth_missing"), float(missing.mean()))
    _close(_labelled(reports, "birth_january_first"), float(p_january.mean()))
    _close(_labelled(reports, "birth_partial"), float(p_partial.mean()))
    assert _labelled(reports, "birth_day_month_swap").mean() > 0.3 * RATES.birth_day_month_swap
    assert (reports.loc[_labelled(reports, "birth_missing"), "birth_date"] == "").all()


def test_nationality_and_sex_variants(reports: pd.DataFrame) -> None:
    _close(_labelled(reports, "nationality_missing"), RATES.nationality_missing)
    confusable = reports["nationality_true"].isin(list(CONFUSED_NATIONALITY))
    _close(_labelled(reports[confusable], "nationality_error"), RATES.nationality_error)
    known = reports["sex_true"] != "other_unknown"
    _close(_labelled(reports[known], "sex_unknown"), RATES.sex_unknown)


def test_duplicates(default: Population) -> None:
    _close(default.reports["duplicate"], default.config.duplicate_rate)


# --- codings ---------------------------------------------------------------------------

DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
SECTORS = {str(s) for s in vocab.Sector} | {""}


def test_every_organisation_writes_its_own_codes(reports: pd.DataFrame) -> None:
    name_nl = reports["organisation"].map(lambda o: STYLES[o].country == "name_nl")
    dutch_names = set(reports.loc[name_nl, "nationality"])
    assert {"Nederland", "Polen", "Roemenië"} <= dutch_names
    for org, group in reports.groupby("organisation"):
        style = STYLES[str(org)]
        assert set(group["sex"]) <= set(style.sex), org
        for column in ("border_crossed", "dublin_claimant", "police_report"):
            assert set(group[column]) <= set(style.yes_no), (org, column)
        assert set(group["residence_permit"]) <= {"applied", "granted", "refused", "none"}
        assert set(group["sector"]) <= SECTORS
        words = set(DUTCH_KINDS.values()) if style.dutch_kinds else set(DUTCH_KINDS)
        kinds = {k for value in group["exploitation"] if value for k in value.split(";")}
        assert kinds <= words, org
        assert group["birth_date"].map(lambda d: d == "" or bool(DATE.match(d))).all()
        assert group["report_date"].str.match(r"^\d{4}-\d{2}-\d{2}$").all()
        nationality = group.loc[group["nationality"] != "", "nationality"]
        if style.country == "alpha2":
            assert nationality.map(lambda c: pycountry.countries.get(alpha_2=c) is not None).all()
        if style.country == "alpha3":
            assert nationality.map(lambda c: pycountry.countries.get(alpha_3=c) is not None).all()
            assert group["last_name"].str.upper().equals(group["last_name"])
        if style.country == "adjective_nl":
            assert nationality.str.endswith(("se", "sche")).mean() > 0.95


def test_at_least_one_organisation_uses_each_coding() -> None:
    assert {s.country for s in STYLES.values()} == {"alpha2", "alpha3", "name_nl", "adjective_nl"}
    assert {s.sex for s in STYLES.values()} >= {("F", "M", "X"), ("v", "m", "o")}
    assert any(s.delimiter == ";" and s.bom for s in STYLES.values())
