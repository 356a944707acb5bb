"""The seed's storylines in the shipped text: written from the published tables when they are
there (Dublin claimants, residence permits, the estimate of domestic sexual exploitation, the
police total), and left out, without failing, when they are not."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from tests.reporting.fixture import _table, publication
from victim_monitor.published import CellKey, Publication, YearEstimate, write_publication
from victim_monitor.reporting.build import check
from victim_monitor.reporting.figures import Figures
from victim_monitor.reporting.published import Published, load_published
from victim_monitor.vocab import Label

DUBLIN = {
    "yes": (40, 56, 64, 72, 200),
    "no": (900, 860, 700, 650, 380),
    "unknown": (165, 193, 151, 98, 93),
}
PERMITS = {
    "applied": (80, 90, 85, 70, 100),
    "refused": (30, 42, 36, 44, 110),
    "granted": (80, 90, 90, 100, 80),
    "none": (915, 887, 704, 606, 383),
}
DSE_2018 = (1100.0, 850.0, 1500.0)  # the stratum's estimate, low, high
DSE_REGISTERED_2018 = 132  # fixture.BY_FORM["domestic_sexual"][-1]


def _storylines(pub: Publication) -> Publication:
    tables = dict(pub.tables)
    tables["dublin_claimants"] = _table(
        "dublin_claimants", "dublin_claimant", DUBLIN, (1105, 1109, 915, 820, 673),
        Label("Dublinclaimanten", "Dublin claimants"),
    )  # fmt: skip
    tables["residence_permits"] = _table(
        "residence_permits", "residence_permit", PERMITS, (1105, 1109, 915, 820, 673),
        Label("Verblijfsregeling", "Residence permits"),
    )  # fmt: skip
    point, low, high = DSE_2018
    stratum = YearEstimate(
        year="2018", registered=DSE_REGISTERED_2018,
        registered_cell=CellKey.of("victims_by_form", {"year": "2018",
                                                       "form_group": "domestic_sexual"}),
        estimate=point, low=low, high=high, interval_method="profile", coverage=None,
        coverage_low=None, coverage_high=None, lists=("P", "R"), model="P*R",
        stratum=(("form_group", "domestic_sexual"),),
    )  # fmt: skip
    return replace(pub, tables=tables, stratum_estimates=(stratum,))


@pytest.fixture(scope="module")
def with_storylines(tmp_path_factory: pytest.TempPathFactory) -> Published:
    out = tmp_path_factory.mktemp("storylines") / "publication"
    write_publication(_storylines(publication()), out)
    return load_published(out)


def _headlines(published: Published, lang: str) -> str:
    editorial = check(published, (lang,))[lang]  # type: ignore[arg-type]
    return " ".join(editorial.sections["headlines"].markdown.split())


def test_dublin_claimants_and_residence_permits_are_told_from_their_tables(
    with_storylines: Published,
) -> None:
    nl, en = _headlines(with_storylines, "nl"), _headlines(with_storylines, "en")
    mean = round(sum(DUBLIN["yes"][:4]) / 4)
    assert f"In 2018 waren {DUBLIN['yes'][-1]} geregistreerde slachtoffers Dublinclaimant" in nl
    assert f"gemiddeld {mean} geregistreerde Dublinclaimanten per jaar" in nl
    assert f"{DUBLIN['yes'][-1]} registered victims were Dublin claimants" in en
    refused = round(sum(PERMITS["refused"][:4]) / 4)
    assert f"werd die bij {PERMITS['refused'][-1]} geweigerd, tegen gemiddeld {refused}" in nl
    assert f"{PERMITS['granted'][-1]} were granted a trafficking residence permit" in en


def test_the_estimate_of_domestic_sexual_exploitation_comes_with_its_registered_share(
    with_storylines: Published,
) -> None:
    nl = _headlines(with_storylines, "nl")
    _, low, high = DSE_2018
    assert "op 850 tot 1.500" in nl
    # 132 / 1,500 and 132 / 850, outwards, both ends with the lower end's one decimal
    shown = (math.floor(1000 * DSE_REGISTERED_2018 / high) / 10,
             math.ceil(1000 * DSE_REGISTERED_2018 / low) / 10)  # fmt: skip
    assert (
        f"naar schatting {shown[0]:.1f}% tot {shown[1]:.1f}% geregistreerd".replace(".", ",") in nl
    )


def test_the_police_total_stands_beside_the_group_that_drives_it(
    with_storylines: Published,
) -> None:
    nl = _headlines(with_storylines, "nl")
    assert "De politie meldde in 2018 475 geregistreerde slachtoffers" in nl
    assert "(480)" in nl
    assert "Afrikaanse slachtoffers van seksuele uitbuiting steeg van 130 in 2017 naar 170" in nl


def test_without_those_tables_the_text_says_less_and_still_checks(published: Published) -> None:
    nl = _headlines(published, "nl")
    assert "Dublinclaimant:" not in nl
    assert "schatting van het aantal slachtoffers van binnenlandse seksuele uitbuiting" not in nl
    assert "Voor Dublinclaimanten is de verblijfsregeling mensenhandel aangepast" in nl


def test_a_strata_coverage_is_its_count_over_the_estimate_turned_round(
    with_storylines: Published,
) -> None:
    figures = Figures(with_storylines)
    _, low, high = DSE_2018
    assert figures.evaluate("coverage[2018, domestic_sexual].low").value == pytest.approx(
        DSE_REGISTERED_2018 / high
    )
    assert figures.evaluate("coverage[2018, domestic_sexual].high").value == pytest.approx(
        DSE_REGISTERED_2018 / low
    )
    with pytest.raises(ValueError, match="no published estimate"):
        figures.evaluate("coverage[2017, domestic_sexual]")
