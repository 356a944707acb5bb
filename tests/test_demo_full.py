"""`make demo` as a person runs it: the default scale and seed, every stage, the files it promises.

The small-scale demo test (test_demo.py) hides most cells, so the shipped editorial text cannot
be checked there; this test runs the demo at the scale of the Dutch monitor (about a minute).
"""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from victim_monitor.demo import DEMO_YEARS, DemoResult, run_demo
from victim_monitor.reporting import FactsheetResult

# One worker runs the module, so the demo (about a minute) is run once, not once per worker.
pytestmark = pytest.mark.xdist_group("demo_full")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    return run_demo(tmp_path_factory.mktemp("demo-full"))  # the defaults of `make demo`


def test_the_publication_passes_its_audit(demo: DemoResult) -> None:
    assert demo.published is not None
    publication = demo.published.publication
    assert publication.audit.get("passed") is True
    assert demo.publication is not None
    assert any(demo.publication.iterdir())


def test_the_factsheet_is_written_in_both_languages_and_formats(demo: DemoResult) -> None:
    assert isinstance(demo.factsheet, FactsheetResult), demo.factsheet
    span = f"{DEMO_YEARS[0]}-{DEMO_YEARS[-1]}"
    expected = {
        demo.out / f"factsheet-{span}-{lang}.{ext}"
        for lang in ("nl", "en")
        for ext in ("html", "pdf")
    }
    assert expected <= set(demo.factsheet.paths())
    for path in expected:
        assert path.stat().st_size > 10_000, path
    for lang in ("nl", "en"):
        pages = len(PdfReader(demo.out / f"factsheet-{span}-{lang}.pdf").pages)
        assert 2 <= pages <= 4, (lang, pages)


def test_the_summary_names_every_output(demo: DemoResult) -> None:
    summary = demo.summary()
    assert isinstance(demo.factsheet, FactsheetResult)
    for path in demo.factsheet.paths():
        assert str(path) in summary or path.name in summary, path
    assert demo.programme is not None
    assert demo.programme.ok


def test_registered_persons_are_near_the_synthetic_truth(demo: DemoResult) -> None:
    """Linkage on pseudonyms only: persons per year within 3% of the registered truth."""
    registered = demo.population.by_year["registered"]
    truth = {int(str(y)): int(n) for y, n in registered.items()}
    found = demo.linked.persons_by_year
    for year in DEMO_YEARS:
        assert abs(found[year] - truth[year]) <= 0.03 * truth[year], (year, found, truth)
