"""A small made-up publication for the dashboard tests (no person behind any number).

Built with the publication library's own model and writer, so the dashboard reads exactly
what ``victim-monitor publish`` writes. Some cells are suppressed on purpose.
"""

from __future__ import annotations

import itertools
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
from victim_monitor.vocab import LABELS, FormGroup, Label

YEARS = ("2014", "2015", "2016")
FORMS = tuple(str(f) for f in FormGroup)
# Made-up counts per year and form; the zeros-and-small ones are published suppressed.
COUNTS = {
    "2014": (350, 180, 110, 240, 130, 4),
    "2015": (330, 170, 90, 260, 120, 7),
    "2016": (300, 160, 3, 250, 140, 12),
}
SUPPRESSED = {("2014", "unknown"), ("2015", "unknown"), ("2016", "cross_border_sexual_african"),
              ("2016", "unknown")}  # fmt: skip
SUPPRESSED_NOTE = Label("Onderdrukt (niet nul).", "Suppressed (not zero).")


def _label(code: str) -> Label:
    if code == "Total":
        return Label("Totaal", "Total")
    return LABELS[FormGroup(code)] if code in FORMS else Label(code, code)


def by_form() -> PublishedTable:
    cells = []
    for year, form in itertools.product(YEARS, (*FORMS, "Total")):
        value = sum(COUNTS[year]) if form == "Total" else COUNTS[year][FORMS.index(form)]
        hidden = (year, form) in SUPPRESSED
        cells.append(
            PublishedCell(
                (year, form), None if hidden else value, "suppressed" if hidden else "shown"
            )
        )
    return PublishedTable(
        name="victims_by_form",
        title=Label("Slachtoffers naar uitbuitingsvorm", "Victims by form of exploitation"),
        definition=Label("Personen naar vorm.", "Persons by form."),
        measure="persons",
        counting="once",
        counting_label=Label("Personen, elk één keer geteld", "Persons, each counted once"),
        dimensions=("year", "form_group"),
        dimension_labels={
            "year": Label("Jaar", "Year"),
            "form_group": Label("Uitbuitingsvorm", "Form of exploitation"),
        },
        categories={"year": YEARS, "form_group": (*FORMS, "Total")},
        labels={
            "year": {y: Label(y, y) for y in YEARS},
            "form_group": {c: _label(c) for c in (*FORMS, "Total")},
        },
        margins=("form_group",),
        overlapping=(),
        fixed={},
        cells=tuple(cells),
    )


def by_year() -> PublishedTable:
    return PublishedTable(
        name="victims_by_year",
        title=Label("Geregistreerde slachtoffers per jaar", "Registered victims per year"),
        definition=Label("Personen per jaar.", "Persons per year."),
        measure="persons",
        counting="once",
        counting_label=Label("Personen, elk één keer geteld", "Persons, each counted once"),
        dimensions=("year",),
        dimension_labels={"year": Label("Jaar", "Year")},
        categories={"year": YEARS},
        labels={"year": {y: Label(y, y) for y in YEARS}},
        margins=(),
        overlapping=(),
        fixed={},
        cells=tuple(PublishedCell((y,), sum(COUNTS[y]), "shown") for y in YEARS),
    )


def publication() -> Publication:
    return Publication(
        title=Label("Slachtoffermonitor 2014-2016 (test)", "Victim monitor 2014-2016 (test)"),
        years=YEARS,
        snapshot="0" * 64,
        policy={"threshold": 10, "method": "suppress"},
        audit={"passed": True},
        counting={"once": Label("Eén keer", "Once")},
        outcomes={"suppressed": SUPPRESSED_NOTE},
        tables={"victims_by_form": by_form(), "victims_by_year": by_year()},
        estimates=(
            YearEstimate(
                "2016",
                sum(COUNTS["2016"]),
                CellKey.of("victims_by_year", {"year": "2016"}),
                6200.0,
                5100.0,
                7800.0,
                "profile",
                0.139,
                0.111,
                0.169,
                ("P", "K", "I", "R", "O", "Z"),
                "[PK][IR][O][Z]",
            ),
            YearEstimate(  # never a number that does not exist: the reason instead
                "2015",
                sum(COUNTS["2015"]),
                CellKey.of("victims_by_year", {"year": "2015"}),
                None,
                None,
                None,
                "",
                None,
                None,
                None,
                ("P", "K", "I", "R", "O", "Z"),
                "",
                not_estimable="runaway",
            ),
        ),
        sensitivity=(
            YearEstimate(
                "2016",
                sum(COUNTS["2016"]),
                CellKey.of("victims_by_year", {"year": "2016"}),
                5400.0,
                4600.0,
                6700.0,
                "profile",
                0.159,
                0.128,
                0.187,
                ("P", "K", "I", "R", "O", "Z"),
                "main effects",
                method="main",
            ),
            YearEstimate(
                "2016",
                sum(COUNTS["2016"]),
                CellKey.of("victims_by_year", {"year": "2016"}),
                None,
                None,
                None,
                "",
                None,
                None,
                None,
                ("P", "K", "I", "R", "O", "Z"),
                "",
                not_estimable="unbounded",
                method="stepwise",
            ),
        ),
        estimation={
            "method": "rcapture-mh-chao",
            "method_labels": {
                "main": {"nl": "Onafhankelijke lijsten", "en": "Independent lists"},
                "stepwise": {"nl": "Log-lineair, stapsgewijs", "en": "Log-linear, stepwise"},
            },
        },
        trends=(),
        findings=(
            Finding(
                "made_up",
                "test",
                Label("Een verzonnen bevinding.", "A made-up finding."),
                (CellKey.of("victims_by_year", {"year": "2016"}),),
            ),
        ),
        software="victim-monitor test",
    )


def write(directory: Path) -> Path:
    return write_publication(publication(), directory)
