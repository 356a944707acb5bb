"""The evidence rules on crafted text and crafted publications: each sentence may say only what
its figures support (VM808-VM814), and text that needs an unpublished figure can be left out."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from victim_monitor.published import Finding, PublishedCell
from victim_monitor.reporting import Figures, Published, check_editorial, default_editorial
from victim_monitor.reporting.content import choose_statements
from victim_monitor.reporting.editorial import check_findings
from victim_monitor.vocab import Label

HEADLINES = "# Bevindingen {#headlines}\n\n"


def _write(tmp_path: Path, sentence: str, where: str = HEADLINES) -> Path:
    text = default_editorial("2014-2018", "nl").read_text("utf-8")
    assert where in text
    path = tmp_path / "factsheet-2014-2018.nl.md"
    path.write_text(text.replace(where, where + sentence + "\n\n"), "utf-8")
    return path


def _codes(published: Published, tmp_path: Path, sentence: str) -> list[str]:
    editorial = check_editorial(_write(tmp_path, sentence), Figures(published))
    return [p.code for p in editorial.problems]


def _with_series(published: Published, table: str, key: tuple[str, ...], values: list[int]):
    """The publication with one series of a table replaced (years 2014-2018)."""
    t = published.tables[table]
    cells = dict(t.by_key)
    at = t.dimensions.index("year")
    for year, value in zip(range(2014, 2019), values, strict=True):
        full = list(key)
        full.insert(at, str(year))
        cells[tuple(full)] = PublishedCell(tuple(full), value, "shown")
    tables = {**published.tables, table: dataclasses.replace(t, cells=tuple(cells.values()))}
    return dataclasses.replace(published, tables=tables)


DSE = "victims_by_form[{y}, domestic_sexual]"


def test_a_change_word_needs_a_change_the_trend_rule_finds(
    published: Published, tmp_path: Path
) -> None:
    fell = (
        f"Het aantal gemelde slachtoffers daalde van {{{{ {DSE.format(y=2014)} }}}} in 2014 "
        f"naar {{{{ {DSE.format(y=2018)} }}}} in 2018."
    )
    assert _codes(published, tmp_path, fell) == []  # 330 to 132
    rose = fell.replace("daalde", "steeg")
    assert _codes(published, tmp_path, rose) == ["VM810"]
    # 60 to 46 criminal exploitation: within chance, so no "daalde"
    noise = fell.replace("domestic_sexual", "criminal").replace("2014", "2017")
    assert _codes(published, tmp_path, noise) == ["VM810"]
    bare = "Het zicht op geregistreerde slachtoffers verslechtert."
    assert _codes(published, tmp_path, bare) == ["VM810"]


def test_worse_view_needs_coverage_intervals_that_do_not_overlap(
    published: Published, tmp_path: Path
) -> None:
    """Coverage 2016 is 11.7-18.0%, 2018 9.0-13.5%: they overlap, so no 'verslechtert', even
    though the registered count fell clearly."""
    text = (
        "## Het zicht verslechtert\n\nIn 2016 was {{ coverage[2016].low }} tot "
        "{{ coverage[2016].high }} in beeld, in 2018 {{ coverage[2018].low }} tot "
        "{{ coverage[2018].high }}. Het aantal geregistreerde slachtoffers daalde van "
        "{{ victims_by_year[2014] }} in 2014 naar {{ victims_by_year[2018] }} in 2018."
    )
    assert _codes(published, tmp_path, text) == ["VM810"]


@pytest.mark.parametrize(
    ("word", "ok"),
    [
        ("verdrievoudigd", True),
        ("meer dan verdubbeld", True),
        ("verdubbeld", False),
        ("verviervoudigd", False),
        ("ruim vervijfvoudigd", False),
    ],
)
def test_a_multiple_must_fit_the_ratio(
    published: Published, tmp_path: Path, word: str, ok: bool
) -> None:
    """African cross-border sexual exploitation: 60 in 2014, 180 in 2018 (three times)."""
    ref = "victims_by_form[{y}, cross_border_sexual_african]"
    text = (
        f"Het aantal gemelde slachtoffers is {word}: van {{{{ {ref.format(y=2014)} }}}} in "
        f"2014 naar {{{{ {ref.format(y=2018)} }}}} in 2018."
    )
    assert (_codes(published, tmp_path, text) == []) == ok


def test_a_fall_over_the_years_does_not_hide_a_rise_after_its_lowest_year(
    published: Published, tmp_path: Path
) -> None:
    turned = _with_series(
        published, "police_reports_by_form", ("Total",), [900, 800, 400, 450, 560]
    )
    ref = "police_reports_by_form[{y}, Total]"
    text = (
        f"Het aantal politiemeldingen daalde van {{{{ {ref.format(y=2014)} }}}} in 2014 "
        f"naar {{{{ {ref.format(y=2018)} }}}} in 2018."
    )
    assert _codes(turned, tmp_path, text) == ["VM811"]
    said = text.replace(
        " in 2018.", f" in 2018, na een dal van {{{{ {ref.format(y=2016)} }}}} in 2016."
    )
    assert _codes(turned, tmp_path, said) == []
    assert _codes(published, tmp_path, text) == []  # 600, 590, 540, 480, 475: no turn
    # A fall from an outlying first year that the mean of the years before 2018 does not show:
    first_only = _with_series(
        published, "police_reports_by_form", ("Total",), [600, 450, 500, 470, 480]
    )
    assert _codes(first_only, tmp_path, text) == ["VM811"]


def test_the_seed_compares_periods(published: Published, tmp_path: Path) -> None:
    """2014-2017 on average 552 non-investigative reports a year, 150 in 2018."""
    ref = "victims_by_reporter_type[{y}, non_investigative]"
    mean = ", ".join(ref.format(y=y) for y in range(2014, 2018))
    text = (
        f"Het aantal gemelde slachtoffers daalde: in 2014-2017 gemiddeld {{{{ mean({mean}) }}}} "
        f"per jaar, in 2018 {{{{ {ref.format(y=2018)} }}}}."
    )
    assert _codes(published, tmp_path, text) == []


def test_an_estimate_needs_its_interval_and_year(published: Published, tmp_path: Path) -> None:
    both = "In 2018 was {{ coverage[2018].low }} tot {{ coverage[2018].high }} in beeld."
    assert _codes(published, tmp_path, both) == []
    assert _codes(published, tmp_path, "Slechts {{ coverage[2018] }} was in beeld in 2018.") == [
        "VM808"
    ]
    no_year = "Er waren {{ estimates[2018].low }} tot {{ estimates[2018].high }} slachtoffers."
    assert _codes(published, tmp_path, no_year) == ["VM808"]
    assert _codes(published, tmp_path, "Er waren naar schatting 5.000 slachtoffers in 2018.") == [
        "VM808"
    ]


def test_per_year_holds_over_the_years_it_names(published: Published, tmp_path: Path) -> None:
    one = (
        "In 2018 waren er tussen de {{ estimates[2018].low }} en {{ estimates[2018].high }} "
        "slachtoffers per jaar."
    )
    assert _codes(published, tmp_path, one) == ["VM809"]
    ends = [f"estimates[{y}].{{end}}" for y in (2016, 2017, 2018)]
    low, high = (
        ", ".join(e.format(end="low") for e in ends),
        ", ".join(e.format(end="high") for e in ends),
    )
    span = (
        f"In 2016-2018 lagen de schattingen tussen {{{{ min({low}) }}}} en {{{{ max({high}) }}}} "
        "slachtoffers per jaar."
    )
    assert _codes(published, tmp_path, span) == []
    estimates = dict(published.estimates)
    estimates["2016"] = dataclasses.replace(estimates["2016"], model="Mh Chao")
    mixed = dataclasses.replace(published, estimates=estimates)
    assert _codes(mixed, tmp_path, span) == ["VM809"]
    assert _codes(mixed, tmp_path, span + " Het model verschilt per jaar.") == []


def test_no_causal_words_and_registered_counts(published: Published, tmp_path: Path) -> None:
    assert "VM812" in _codes(published, tmp_path, "Deze slachtoffers worden dus vaak gemist.")
    minors = (
        "Het aantal minderjarige slachtoffers daalde van {{ victims_by_age[2014, minor] }} "
        "in 2014 naar {{ victims_by_age[2018, minor] }} in 2018."
    )
    assert _codes(published, tmp_path, minors) == ["VM813"]
    assert (
        _codes(published, tmp_path, minors.replace("minderjarige", "geregistreerde minderjarige"))
        == []
    )


def test_one_rounding_rule_for_an_estimate(published: Published, tmp_path: Path) -> None:
    exact = (
        "In 2018 waren er {{ estimates[2018].low = 5.020 }} tot {{ estimates[2018].high }} "
        "slachtoffers."
    )
    assert _codes(published, tmp_path, exact) == ["VM814"]
    assert _codes(published, tmp_path, exact.replace("5.020", "5.000")) == []
    # A percentage with other decimals than the rule's is the same fact printed another way:
    fell = (
        "Het aantal geregistreerde slachtoffers daalde tussen 2014 en 2018 met "
        "{{ abs(change(victims_by_year[2014], victims_by_year[2018])) = 39,1% }}."
    )
    assert _codes(published, tmp_path, fell) == ["VM814"]
    assert _codes(published, tmp_path, fell.replace("39,1%", "39%")) == []
    both = "In 2018 was {{ coverage[2018].low }} tot {{ coverage[2018].high = 14% }} in beeld."
    assert _codes(published, tmp_path, both) == ["VM814"]  # the rule prints 13,4%


def test_a_finding_rounded_otherwise_than_the_text_stops_the_factsheet(
    published: Published,
) -> None:
    """The text prints 330 to 132 as 60%; a finding that says 65% of the same fact fails."""
    numbers = {"from": 330.0, "to": 132.0, "ratio": 0.4, "low": 0.33, "high": 0.49}
    good = Finding(
        id="form_domestic_sexual/fell",
        rule="fell",
        text=Label("met 60% gedaald: van 330 naar 132.", "fell by 60%: from 330 to 132."),
        cells=(),
        numbers=numbers,
    )
    assert check_findings([good], Figures(published), "nl") == []
    bad = dataclasses.replace(good, text=Label("met 65% gedaald: van 330 naar 132.", "x"))
    assert [p.code for p in check_findings([bad], Figures(published), "nl")] == ["VM814"]


def test_an_optional_block_is_left_out_when_its_figure_is_suppressed(
    published: Published, tmp_path: Path
) -> None:
    block = (
        "{% optional %}\nOnbekend in 2014: {{ victims_by_form[2014, unknown] }} gemelde "
        "slachtoffers.\n{% else %}\nDe vorm is niet altijd bekend.\n{% end %}"
    )
    editorial = check_editorial(_write(tmp_path, block), Figures(published))
    assert editorial.problems == ()
    assert "De vorm is niet altijd bekend." in editorial.sections["headlines"].markdown
    assert "Onbekend in 2014" not in editorial.sections["headlines"].markdown
    assert [d for d in editorial.dropped if "victims_by_form[2014, unknown] is suppressed" in d]
    shown = block.replace("2014, unknown", "2015, unknown").replace("in 2014", "in 2015")
    kept = check_editorial(_write(tmp_path, shown), Figures(published))
    assert kept.problems == ()
    assert "Onbekend in 2015: 12" in kept.sections["headlines"].markdown
    # Outside a block the same figure stops the build; a typo stops it even inside one.
    plain = "Onbekend in 2014: {{ victims_by_form[2014, unknown] }} gemelde slachtoffers."
    assert _codes(published, tmp_path, plain) == ["VM805"]
    typo = block.replace("victims_by_form", "victims_by_from")
    assert _codes(published, tmp_path, typo) == ["VM804"]
    assert "VM801" in _codes(published, tmp_path, "{% optional %}\nZonder einde.")


def test_the_first_page_states_a_few_chosen_findings() -> None:
    def finding(key: str, low: float, high: float) -> Finding:
        numbers = {"from": 100.0, "to": 50.0, "ratio": (low + high) / 2, "low": low, "high": high}
        return Finding(key, "fell", Label(key, key), (), numbers)

    found = [
        finding("registered/nearly_halved", 0.5, 0.6),
        finding("registered/fewer_than_first_years", 0.4, 0.5),
        finding("form_labour/fell", 0.8, 0.95),
        finding("form_criminal/fell", 0.2, 0.3),
        finding("minors/fell", 0.3, 0.5),
        finding("police/fell", 0.9, 0.99),
        finding("police_labour/fell", 0.85, 0.97),
        Finding(
            "coverage/2018",
            "only_registered",
            Label("c", "c"),
            (),
            {"coverage_low": 0.08, "coverage_high": 0.16},
        ),
        Finding(
            "coverage/labour/2018",
            "only_registered",
            Label("l", "l"),
            (),
            {"coverage_low": 0.01, "coverage_high": 0.02},
        ),
    ]
    chosen = [f.id for f in choose_statements(found)]
    assert chosen == [
        "registered/nearly_halved",
        "coverage/2018",
        "form_criminal/fell",
        "minors/fell",
        "form_labour/fell",
    ]
