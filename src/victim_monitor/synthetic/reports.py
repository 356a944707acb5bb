"""Reports: one row per organisation report, dated, referenced and recorded its own way.

Every capture becomes a report; a few are made twice by the same organisation under another
case reference; a few later reports of persons seen late in the year are dated in January of
the next year (the person's year stays the year of the first report).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from victim_monitor.synthetic.config import SyntheticConfig
from victim_monitor.synthetic.names import UNIFORMS_PER_NAME, NameRates, TrueNames, record_name
from victim_monitor.synthetic.recording import (
    CONFUSED_NATIONALITY,
    STYLES,
    Reporter,
    code_kinds,
    code_sex,
    code_yes_no,
    country_label,
    mistype_birth_date,
    record_birth_date,
    unknown_where,
)

#: The raw standard columns of an organisation's own file (the encoder's input).
RAW_COLUMNS = (
    "case_reference", "first_name", "last_name", "birth_date", "sex", "nationality",
    "report_date", "exploitation", "sector", "border_crossed", "country_of_exploitation",
    "dublin_claimant", "residence_permit", "police_report",
)  # fmt: skip

#: Mean delay in days between coming into view and a report.
MEAN_DELAY_DAYS = 30.0


@dataclass(frozen=True, slots=True)
class ReportFrame:
    """What reports are made from: true facts, true names, the capture matrix."""

    facts: dict[str, np.ndarray]
    names: TrueNames
    seen: npt.NDArray[np.bool_]
    reporters: tuple[Reporter, ...]


def iso_dates(dates: np.ndarray) -> npt.NDArray[np.object_]:
    """Dates as YYYY-MM-DD strings (each distinct date formatted once: fast for millions)."""
    unique, inverse = np.unique(dates, return_inverse=True)
    labels: npt.NDArray[np.object_] = unique.astype(str).astype(object)[inverse]
    return labels


def make_reports(
    frame: ReportFrame,
    config: SyntheticConfig,
    rng: np.random.Generator,
    extra: np.random.Generator | None = None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """All reports, and the date of each person's first report (NaT when unregistered).

    ``extra``: the stream for the variants only harder difficulties make (mistyped birth
    dates), apart from ``rng`` so that the standard population's draws do not move.
    """
    facts = frame.facts
    person, org = np.nonzero(frame.seen)  # row-major: ordered by person, then organisation
    duplicate = rng.random(len(person)) < config.duplicate_rate
    person = np.concatenate([person, person[duplicate]])
    org = np.concatenate([org, org[duplicate]])
    is_duplicate = np.concatenate([np.zeros(duplicate.size, bool), np.ones(duplicate.sum(), bool)])

    year = facts["year"][person]
    january = (year - 1969).astype("datetime64[Y]").astype("datetime64[D]")  # of the next year
    year_end = january - 1
    event = facts["event_date"][person]
    delay = rng.exponential(MEAN_DELAY_DAYS, len(person)).astype(np.int64)
    room = (year_end - event).astype(np.int64)
    # a delay that would cross the year end is drawn again, uniformly over what is left
    delay = np.where(delay > room, (rng.random(len(person)) * (room + 1)).astype(np.int64), delay)
    date = event + delay

    order = np.lexsort((org, date, person))
    first = np.zeros(len(person), dtype=bool)
    first[order[np.r_[True, person[order][1:] != person[order][:-1]]]] = True
    event_month = facts["event_date"][person].astype("datetime64[M]").astype(np.int64) % 12 + 1
    late = ~first & (event_month >= 10) & (rng.random(len(person)) < config.late_rate)
    date = np.where(late, january + rng.integers(0, 31, len(person)), date)

    first_date = np.full(len(facts["year"]), np.datetime64("NaT"), dtype="datetime64[D]")
    first_date[person[first]] = date[first]

    # Sort reports as an organisation's system lists them, and number them per year.
    codes = np.array([r.code for r in frame.reporters], dtype=object)
    report_year = date.astype("datetime64[Y]").astype(np.int64) + 1970
    order = np.lexsort((person, date, org))
    person, org, date, report_year = person[order], org[order], date[order], report_year[order]
    is_duplicate, late = is_duplicate[order], late[order]
    starts = np.r_[True, (org[1:] != org[:-1]) | (report_year[1:] != report_year[:-1])]
    position = np.arange(len(org), dtype=np.int64)
    number = position - np.maximum.accumulate(np.where(starts, position, 0)) + 1

    lists = np.array([r.estimation_list for r in frame.reporters], dtype=object)
    reports = pd.DataFrame(
        {
            "organisation": codes[org],
            "list": lists[org],
            "report_year": report_year,
            "person_id": person + 1,
            "duplicate": is_duplicate,
            "late": late,
        }
    )
    raw = _record(frame, person, codes[org], date, report_year, number, config, rng, extra)
    for column in RAW_COLUMNS:
        reports[column] = raw[column]
    reports["variants"] = raw["variants"]
    return reports, first_date


def _record(
    frame: ReportFrame,
    person: npt.NDArray[np.int64],
    org: npt.NDArray[np.object_],
    date: np.ndarray,
    report_year: npt.NDArray[np.int64],
    number: npt.NDArray[np.int64],
    config: SyntheticConfig,
    rng: np.random.Generator,
    extra: np.random.Generator | None,
) -> dict[str, np.ndarray]:
    """The raw columns as each organisation recorded them, and the variants made."""
    facts, names, rates = frame.facts, frame.names, config.variants
    m = len(person)
    name_rates = NameRates(
        rates.typo, rates.spelling, rates.diacritics, rates.transliteration, rates.swap,
        rates.second_given_dropped, rates.particle,
    )  # fmt: skip
    uniforms = rng.random((m, UNIFORMS_PER_NAME + 3))
    birth = iso_dates(facts["birth_date"][person])
    foreign_non_eu = np.isin(facts["nationality_group"][person], ["african", "other_non_eu"])
    first = np.empty(m, dtype=object)
    last = np.empty(m, dtype=object)
    birth_recorded = np.empty(m, dtype=object)
    variants: list[list[str]] = []
    for i in range(m):
        p, style = int(person[i]), STYLES[org[i]]
        u = uniforms[i]
        first[i], last[i], made = record_name(
            names.first[p], names.second[p], names.last[p], names.origin[p],
            name_rates, u[:UNIFORMS_PER_NAME], style.upper_last,
        )  # fmt: skip
        birth_recorded[i], birth_variant = record_birth_date(
            birth[i], bool(foreign_non_eu[i]), style, rates, u[UNIFORMS_PER_NAME:]
        )
        if birth_variant:
            made.append(birth_variant)
        variants.append(made)
    if rates.birth_typo > 0:
        u = (extra or rng).random((m, 3))
        for k in np.flatnonzero(u[:, 0] < rates.birth_typo).tolist():
            if len(birth_recorded[k]) == 10 and not any(v.startswith("birth") for v in variants[k]):
                birth_recorded[k] = mistype_birth_date(birth_recorded[k], u[k, 1], u[k, 2])
                variants[k].append("birth_typo")

    sex = facts["sex"][person].copy()
    unknown_sex = (rng.random(m) < rates.sex_unknown) & (sex != "other_unknown")
    sex[unknown_sex] = "other_unknown"
    nationality = facts["nationality"][person].copy()
    u = rng.random(m)
    missing_nat = u < rates.nationality_missing
    confusable = np.array([c in CONFUSED_NATIONALITY for c in nationality])
    wrong_nat = (
        ~missing_nat & confusable & (u - rates.nationality_missing < rates.nationality_error)
    )
    nationality[wrong_nat] = [CONFUSED_NATIONALITY[c] for c in nationality[wrong_nat]]
    nationality[missing_nat] = ""
    for j in np.flatnonzero(unknown_sex | missing_nat | wrong_nat):
        variants[j] += [
            label
            for label, flag in (
                ("sex_unknown", unknown_sex[j]),
                ("nationality_missing", missing_nat[j]),
                ("nationality_error", wrong_nat[j]),
            )
            if flag
        ]

    out: dict[str, np.ndarray] = {
        "case_reference": np.empty(m, dtype=object),
        "first_name": first,
        "last_name": last,
        "birth_date": birth_recorded,
        "sex": np.empty(m, dtype=object),
        "nationality": np.empty(m, dtype=object),
        "report_date": iso_dates(date),
        "exploitation": np.empty(m, dtype=object),
        "sector": np.empty(m, dtype=object),
        "border_crossed": np.empty(m, dtype=object),
        "country_of_exploitation": np.empty(m, dtype=object),
        "dublin_claimant": np.empty(m, dtype=object),
        "residence_permit": facts["residence_permit"][person],
        "police_report": np.empty(m, dtype=object),
        "variants": np.array([";".join(v) for v in variants], dtype=object),
    }
    for code in np.unique(org):
        idx = np.flatnonzero(org == code)
        style, of = STYLES[str(code)], person[idx]
        out["case_reference"][idx] = [
            style.case_reference.format(year=y, yy=f"{y % 100:02d}", n=n)
            for y, n in zip(report_year[idx], number[idx], strict=True)
        ]
        out["sex"][idx] = code_sex(sex[idx], style)
        out["nationality"][idx] = [country_label(c, style.country) for c in nationality[idx]]
        kinds = unknown_where(facts["exploitation"][of], style.kinds_missing, rng, "")
        out["exploitation"][idx] = [code_kinds(k, style.dutch_kinds) for k in kinds]
        out["sector"][idx] = unknown_where(facts["sector"][of], style.sector_missing, rng, "")
        for column, rate in (
            ("border_crossed", style.border_unknown),
            ("dublin_claimant", style.dublin_unknown),
            ("police_report", style.police_unknown),
        ):
            values = unknown_where(facts[column][of], rate, rng, "unknown")
            out[column][idx] = code_yes_no(values, style)
        country = unknown_where(
            facts["country_of_exploitation"][of], style.country_missing, rng, ""
        )
        iso = "alpha3" if style.country == "alpha3" else "alpha2"
        out["country_of_exploitation"][idx] = [country_label(c, iso) for c in country]
    return out
