"""A small hand-made publication (made-up numbers) for loader and writer tests."""

from __future__ import annotations

from victim_monitor.published import (
    CellKey,
    Finding,
    Publication,
    PublishedCell,
    PublishedTable,
    Trend,
    YearEstimate,
)
from victim_monitor.vocab import Label


def sample() -> Publication:
    cats = {"year": ("2017", "2018"), "sex": ("female", "male", "Total")}
    values = {("2017", "female"): 40, ("2017", "male"): None, ("2017", "Total"): 47,
              ("2018", "female"): 30, ("2018", "male"): 12, ("2018", "Total"): 42}  # fmt: skip
    cells = tuple(
        PublishedCell(k, v, "suppressed" if v is None else "shown") for k, v in values.items()
    )
    table = PublishedTable(
        name="victims_by_sex",
        title=Label("Slachtoffers naar geslacht", "Victims by sex"),
        definition=Label("Personen", "Persons"),
        measure="persons",
        counting="once",
        counting_label=Label("Eén keer", "Once"),
        dimensions=("year", "sex"),
        dimension_labels={"year": Label("Jaar", "Year"), "sex": Label("Geslacht", "Sex")},
        categories=cats,
        labels={
            "year": {y: Label(y, y) for y in cats["year"]},
            "sex": {
                "female": Label("Vrouw", "Female"),
                "male": Label("Man", "Male"),
                "Total": Label("Totaal", "Total"),
            },
        },
        margins=("sex",),
        overlapping=(),
        fixed={},
        cells=cells,
    )
    refs = (
        CellKey.of("victims_by_sex", {"year": "2017", "sex": "Total"}),
        CellKey.of("victims_by_sex", {"year": "2018", "sex": "Total"}),
    )
    trend = Trend(
        "victims_by_sex/sex=Total/2017/2018", "victims_by_sex", (("sex", "Total"),),
        ("2017",), ("2018",), 47.0, 42.0, 0.894, 0.59, 1.35, "none", refs,
    )  # fmt: skip
    finding = Finding(
        "total_stable",
        "no_change",
        Label("Geen duidelijke verandering.", "No clear change."),
        refs,
        {"from": 47, "to": 42},
        trend.id,
    )
    estimate = YearEstimate(
        "2018", 42, refs[1], 400.0, 300.0, 560.0, "profile", 0.105, 0.075, 0.14,
        ("P", "R"), "main effects",
    )  # fmt: skip
    return Publication(
        title=Label("Monitor 2017-2018", "Monitor 2017-2018"),
        years=("2017", "2018"),
        snapshot="ab" * 32,
        policy={"threshold": 10},
        audit={"passed": True, "cells": 6, "shown": 5, "suppressed": 1, "rounded": 0},
        counting={"once": Label("Eén keer", "Once")},
        outcomes={"suppressed": Label("Onderdrukt", "Suppressed")},
        tables={"victims_by_sex": table},
        estimates=(estimate,),
        trends=(trend,),
        findings=(finding,),
        software="victim-monitor test",
        source={"snapshot": "ab" * 32},
        estimation={"method": "stepwise", "level": 0.95, "rounding": 10},
    )
