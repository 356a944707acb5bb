"""Item 5 of issue 16: a factsheet says less where a figure is not published, and one that
cannot be written as asked exits 1 (the factsheet command and the demo)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.reporting.fixture import write_fixture
from victim_monitor.cli import main
from victim_monitor.demo import DemoResult
from victim_monitor.reporting import FactsheetError, build_factsheet
from victim_monitor.reporting.codes import HIDDEN_FIGURE
from victim_monitor.reporting.published import load_published

TEXT = """+++
lang = "{lang}"
years = "2014-2018"
title = "Factsheet"
edition = "Test"
date = 2019-10-18
+++

# Inleiding {{#intro}}

In 2018 waren {{{{ victims_by_year[2018] }}}} slachtoffers in beeld bij het landelijk meldpunt.
{open}
Onbekend was de vorm bij {{{{ victims_by_form[2014, unknown] }}}} gemelde slachtoffers in 2014.
{close}

# Bevindingen {{#headlines}}

{open}
## Minder slachtoffers van binnenlandse seksuele uitbuiting gemeld

In 2018 zijn er {{{{ victims_by_form[2018, domestic_sexual] }}}} slachtoffers van binnenlandse
seksuele uitbuiting gemeld, tegen {{{{ victims_by_form[2014, domestic_sexual] }}}} in 2014.
{close}

# Wat deze monitor ziet {{#approach}}

Slachtoffers die in beeld komen.

# Aanbevelingen {{#recommendations}}

1. Een aanbeveling.
"""


def _texts(directory: Path, blocks: bool) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    marks = (
        {"open": "{% optional %}", "close": "{% end %}"} if blocks else {"open": "", "close": ""}
    )
    for lang in ("nl", "en"):
        text = TEXT.format(lang=lang, **marks)
        (directory / f"factsheet-2014-2018.{lang}.md").write_text(text, "utf-8")
    return directory


def test_text_that_needs_a_suppressed_figure_is_left_out_and_the_factsheet_written(
    tmp_path: Path,
) -> None:
    """The 2014 unknown-form cell is suppressed in the fixture: with blocks the sentence goes,
    the 2018 paragraph stays and the factsheet is written; without blocks nothing is (VM805).

    HTML only: the PDF of so short a text is the layout's concern (test_pdf.py)."""
    published = load_published(write_fixture(tmp_path / "publication"))
    out = tmp_path / "a"
    result = build_factsheet(
        published, out, langs=("nl",), formats=("html",),
        editorial_dir=_texts(tmp_path / "with", True),
    )  # fmt: skip
    assert [d for d in result.left_out if "victims_by_form[2014, unknown] is suppressed" in d]
    assert "Shorter text" in result.summary()
    page = (out / "factsheet-2014-2018-nl.html").read_text("utf-8")
    assert "Onbekend was de vorm" not in page
    assert "Minder slachtoffers van binnenlandse seksuele uitbuiting gemeld" in page
    with pytest.raises(FactsheetError) as info:
        build_factsheet(
            published, tmp_path / "b", langs=("nl",), formats=("html",),
            editorial_dir=_texts(tmp_path / "without", False),
        )  # fmt: skip
    assert [p.code for p in info.value.problems] == ["VM805"]
    assert not (tmp_path / "b").exists()


def test_the_demo_exits_1_when_its_factsheet_cannot_be_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The demo used to print "not written" and exit 0 (issue 16, 5)."""
    import victim_monitor.demo as demo

    error = FactsheetError([HIDDEN_FIGURE("victims_by_form[2018, domestic_sexual] is suppressed")])

    class Result:
        factsheet = error
        failed = True
        database_url = "sqlite://"
        publication = None

        def summary(self) -> str:
            return demo._factsheet(error)

    monkeypatch.setattr(demo, "run_demo", lambda *a, **k: Result())
    result = CliRunner().invoke(main, ["demo", "--no-serve", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "VM805" in result.output
    assert dataclasses.fields(DemoResult)  # the real result has the property the CLI reads
    assert isinstance(DemoResult.failed, property)
