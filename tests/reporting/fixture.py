"""A small publication for the factsheet tests, written in the published directory format.

Synthetic counts near the published Dutch ones; ``None`` marks a cell suppressed by disclosure
control. :func:`write_fixture` writes it with the publication's own writer, so the factsheet
is tested through the same loader that reads ``victim-monitor publish`` output.
"""

from __future__ import annotations

from pathlib import Path

from victim_monitor.published import (
    CellKey,
    Finding,
    Publication,
    PublishedCell,
    PublishedTable,
    YearEstimate,
    write_publication,
)
from victim_monitor.reporting.labels import category
from victim_monitor.vocab import Label

YEARS = ("2014", "2015", "2016", "2017", "2018")
Counts = dict[str, tuple[int | None, ...]]
BY_FORM: Counts = {
    "domestic_sexual": (330, 335, 270, 200, 132),
    "cross_border_sexual_non_african": (420, 390, 300, 250, 190),
    "cross_border_sexual_african": (60, 70, 110, 150, 180),
    "labour": (200, 210, 160, 150, 120),
    "criminal": (90, 80, 70, 60, 46),
    "unknown": (None, 12, None, 10, None),
}
FORM_TOTALS = (1105, 1109, 915, 820, 673)  # the true totals (the hidden unknowns are 5 each)
DSE_AGE: Counts = {
    "minor": (120, 118, 80, 55, 29),
    "adolescent": (110, 112, 100, 75, 53),
    "adult": (95, 100, 85, 65, 45),
    "unknown": (5, 5, 5, 5, 5),
}
BY_AGE: Counts = {
    "minor": (240, 230, 170, 120, 60),
    "adolescent": (300, 310, 260, 230, 190),
    "adult": (520, 530, 450, 440, 400),
    "unknown": (45, 39, 35, 30, 23),
}
POLICE: Counts = {
    "domestic_sexual": (150, 140, 120, 90, 70),
    "cross_border_sexual_non_african": (300, 270, 220, 180, 150),
    "cross_border_sexual_african": (40, 50, 90, 130, 170),
    "labour": (100, 90, 80, 70, 60),
    "criminal": (None, 30, 25, None, 20),
    "unknown": (None, None, None, None, None),
}
POLICE_TOTALS = (600, 590, 540, 480, 475)
REPORTER: Counts = {
    "investigative": (560, 540, 500, 500, 520),
    "non_investigative": (570, 560, 540, 540, 150),
}
REPORTER_TOTALS = FORM_TOTALS
ESTIMATES = {  # year: (estimate, low, high)
    "2016": (6200.0, 5100.0, 7800.0),
    "2017": (6000.0, 4900.0, 7500.0),
    "2018": (6210.0, 5020.0, 7480.0),
}


def _cell(key: tuple[str, ...], value: int | None) -> PublishedCell:
    return PublishedCell(key, value, "suppressed" if value is None else "shown")


def _table(
    name: str, dim: str, data: Counts, totals: tuple[int | None, ...] | None, title: Label
) -> PublishedTable:
    cells = []
    codes = [*data, *(["Total"] if totals else [])]
    for i, year in enumerate(YEARS):
        cells += [_cell((year, code), data[code][i]) for code in data]
        if totals:
            cells.append(_cell((year, "Total"), totals[i]))
    return PublishedTable(
        name=name, title=title, definition=title, measure="persons", counting="once",
        counting_label=Label("één keer", "once"), dimensions=("year", dim),
        dimension_labels={"year": Label("Jaar", "Year"), dim: Label(dim, dim)},
        categories={"year": YEARS, dim: tuple(codes)},
        labels={"year": {y: Label(y, y) for y in YEARS},
                dim: {c: category(dim, c) for c in codes}},
        margins=(dim,) if totals else (), overlapping=(), fixed={}, cells=tuple(cells),
    )  # fmt: skip


def publication() -> Publication:
    """The fixture as a :class:`Publication`."""
    by_year = PublishedTable(
        name="victims_by_year", title=Label("Slachtoffers per jaar", "Victims per year"),
        definition=Label("-", "-"), measure="persons", counting="once",
        counting_label=Label("één keer", "once"), dimensions=("year",),
        dimension_labels={"year": Label("Jaar", "Year")}, categories={"year": YEARS},
        labels={"year": {y: Label(y, y) for y in YEARS}}, margins=(), overlapping=(), fixed={},
        cells=tuple(_cell((y,), t) for y, t in zip(YEARS, FORM_TOTALS, strict=True)),
    )  # fmt: skip
    tables = {
        "victims_by_year": by_year,
        "victims_by_form": _table("victims_by_form", "form_group", BY_FORM, FORM_TOTALS,
                                  Label("Naar vorm", "By form")),
        "victims_by_age": _table("victims_by_age", "age_group", BY_AGE, FORM_TOTALS,
                                 Label("Naar leeftijd", "By age")),
        "domestic_sexual_by_age": _table("domestic_sexual_by_age", "age_group", DSE_AGE,
                                         (330, 335, 270, 200, 132),
                                         Label("BSU naar leeftijd", "DSE by age")),
        "police_reports_by_form": _table("police_reports_by_form", "form_group", POLICE,
                                         POLICE_TOTALS, Label("Politie", "Police")),
        "victims_by_reporter_type": _table("victims_by_reporter_type", "reporter_type",
                                           REPORTER, REPORTER_TOTALS,
                                           Label("Melders", "Reporters")),
    }  # fmt: skip
    estimates = []
    for year, (point, low, high) in ESTIMATES.items():
        registered = FORM_TOTALS[YEARS.index(year)]
        estimates.append(
            YearEstimate(
                year=year, registered=registered,
                registered_cell=CellKey.of("victims_by_year", {"year": year}),
                estimate=point, low=low, high=high, interval_method="profile",
                coverage=round(registered / point, 3), coverage_low=round(registered / high, 3),
                coverage_high=round(registered / low, 3), lists=("P", "R", "Z"), model="P*R",
            )
        )  # fmt: skip
    finding = Finding(
        "registered_halved", "halved",
        Label("Het aantal geregistreerde slachtoffers is in vijf jaar bijna gehalveerd.",
              "The number of registered victims nearly halved in five years."),
        (CellKey.of("victims_by_year", {"year": "2014"}),),
    )  # fmt: skip
    return Publication(
        title=Label("Slachtoffermonitor 2014-2018 (fixture)", "Victim monitor 2014-2018 (fixture)"),
        years=YEARS, snapshot="f" * 64, policy={"threshold": 10, "method": "suppress"},
        audit={"passed": True}, counting={},
        outcomes={"suppressed": Label("niet gepubliceerd (onthullingsbeheersing)",
                                      "not published (disclosure control)")},
        tables=tables, estimates=tuple(estimates), trends=(), findings=(finding,),
        software="victim-monitor test", estimation={"level": 0.95, "rounding": 10},
    )  # fmt: skip


def write_fixture(directory: Path) -> Path:
    """Write the fixture publication into ``directory``."""
    return write_publication(publication(), directory)
