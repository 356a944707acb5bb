"""The attributes of a person, resolved from their reports by the documented rules."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from victim_monitor.linkage.persons import histories_frame, resolve


def _reports(*rows: dict[str, object]) -> pd.DataFrame:
    base = {
        "organisation_code": "POL",
        "case_reference": "x",
        "estimation_list": "P",
        "sex": "female",
        "birth_year": None,
        "age_at_report": None,
        "nationality": None,
        "exploitation": "",
        "border_crossed": "unknown",
    }
    frame = pd.DataFrame([{**base, **r} for r in rows])
    frame["report_year"] = [d.year for d in frame["report_date"]]
    for column in ("birth_year", "age_at_report"):
        frame[column] = frame[column].astype("Int64")
    return frame


def test_attributes_follow_the_rules() -> None:
    d = dt.date
    frame = _reports(
        {"report_date": d(2016, 3, 1), "organisation_code": "ZC", "case_reference": "b",
         "estimation_list": "R", "sex": "other_unknown", "nationality": "RO",
         "exploitation": "labour", "border_crossed": "no", "birth_year": 1990},
        {"report_date": d(2015, 12, 20), "case_reference": "a", "estimation_list": "P",
         "sex": "male", "nationality": "BG", "exploitation": "sexual",
         "border_crossed": "yes", "birth_year": 1991, "age_at_report": None},
        {"report_date": d(2017, 2, 1), "organisation_code": "OPV", "case_reference": "c",
         "estimation_list": "O", "sex": "male", "nationality": "RO",
         "age_at_report": 26, "birth_year": 1990},
        {"report_date": d(2014, 1, 1), "case_reference": "z", "sex": "female",
         "nationality": "NL", "age_at_report": 15, "exploitation": "sexual",
         "border_crossed": "no"},
    )  # fmt: skip
    person = pd.Series([1, 1, 1, 2])
    out = resolve(frame, person)
    one = out.loc[1]
    assert one["year"] == 2015
    assert one["first_report_date"] == d(2015, 12, 20)
    assert one["sex"] == "male"  # unknown left out
    assert one["nationality"] == "RO"  # two of three
    assert one["birth_year"] == 1990  # 1990 twice, 1991 once
    assert one["age"] == 25  # 26 at the report a year and six weeks later
    assert one["age_group"] == "adult"
    assert one["exploitation"] == "sexual;labour"
    assert one["border_crossed"] == "yes"
    assert one["form_group"] == "cross_border_sexual_non_african"
    assert one["lists"] == "PRO"
    assert (one["n_reports"], one["n_organisations"]) == (3, 3)
    two = out.loc[2]
    assert (two["year"], two["age_group"], two["form_group"]) == (2014, "minor", "domestic_sexual")


def test_ties_go_to_the_most_recent_report() -> None:
    d = dt.date
    frame = _reports(
        {"report_date": d(2016, 1, 1), "case_reference": "a", "nationality": "PL"},
        {"report_date": d(2016, 6, 1), "case_reference": "b", "nationality": "RO"},
    )
    out = resolve(frame, pd.Series([7, 7]))
    assert out.loc[7, "nationality"] == "RO"
    assert out.loc[7, "age"] is pd.NA
    assert out.loc[7, "age_group"] == "unknown"


def test_histories_frame_is_the_mse_layout() -> None:
    frame = histories_frame({"P": 5, "PR": 2, "Z": 1, "": 3})
    assert list(frame.columns) == ["P", "K", "I", "R", "O", "Z", "count"]
    assert frame["count"].tolist() == [2, 5, 1]
    assert frame.iloc[0][["P", "R"]].tolist() == [1, 1]
