"""The PDF: A4, 2 to 4 pages, the same numbers as the HTML, pages rendered for a human look."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from victim_monitor.reporting import FactsheetResult, Published, Section, build_factsheet

A4 = (595.28, 841.89)  # points

# The modules that read the built factsheet run on one worker: it is built once, not once
# per worker (about 18 s each).
pytestmark = pytest.mark.xdist_group("factsheet")


def _text(pdf: Path) -> str:
    """The PDF's text, whitespace collapsed; DejaVu's hyphen glyph maps back to U+00AD."""
    text = "\n".join(p.extract_text() for p in PdfReader(pdf).pages)
    return " ".join(text.replace("\u00ad", "-").split())


def _pdf(built: FactsheetResult, lang: str) -> Path:
    [path] = [o.path for o in built.outputs if o.lang == lang and o.format == "pdf"]
    return path


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a4_two_to_four_pages(built: FactsheetResult, lang: str) -> None:
    reader = PdfReader(_pdf(built, lang))
    assert 2 <= len(reader.pages) <= 4
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - A4[0]) < 1
        assert abs(height - A4[1]) < 1
    [output] = [o for o in built.outputs if o.lang == lang and o.format == "pdf"]
    assert output.pages == len(reader.pages)
    assert built.warnings == ()


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("nl", ["Factsheet bij Slachtoffermonitor", "AANBEVELINGEN", "COLOFON", "1.105", "673",
                "5.000 – 7.500", "Statistische beveiliging", "Voorkomen", "Bestraffen"]),
        ("en", ["Factsheet to the Victim Monitor", "RECOMMENDATIONS", "COLOPHON", "1,105", "673",
                "5,000 – 7,500", "Statistical disclosure control", "Prevent", "Punish"]),
    ],
)  # fmt: skip
def test_the_pdf_says_what_the_page_says(
    built: FactsheetResult, lang: str, words: list[str]
) -> None:
    flat = _text(_pdf(built, lang))
    for word in words:
        assert word in flat, word
    assert "{{" not in flat
    assert flat.count("×") >= 5  # suppressed cells, marked in the tables


def test_rebuilding_gives_the_same_bytes(
    built: FactsheetResult, published: Published, tmp_path: Path
) -> None:
    again = build_factsheet(published, tmp_path)
    for first, second in zip(built.outputs, again.outputs, strict=True):
        assert first.path.read_bytes() == second.path.read_bytes(), first.path.name


def test_pages_render_to_png_for_review(built: FactsheetResult, tmp_path: Path) -> None:
    """pdftoppm (poppler-utils) renders every page; FACTSHEET_PNG_DIR keeps them for a look."""
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftoppm missing: .ci/run installs poppler-utils")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    keep = os.environ.get("FACTSHEET_PNG_DIR")
    target = Path(keep) if keep else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    for lang in ("nl", "en"):
        pdf = _pdf(built, lang)
        prefix = target / f"factsheet-{lang}"
        subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf), str(prefix)], check=True)
        pages = sorted(target.glob(f"factsheet-{lang}-*.png"))
        assert len(pages) == len(PdfReader(pdf).pages)
        # A blank page compresses to almost nothing; a page of text and charts does not.
        assert all(p.stat().st_size > 20_000 for p in pages), [p.stat().st_size for p in pages]


def test_an_optional_section_appears_in_both_formats(published: Published, tmp_path: Path) -> None:
    """The place kept for the programme monitor's follow-up of recommendations."""
    followup = Section("followup", "Follow-up of the recommendations", "Measure *M1* is **done**.")
    result = build_factsheet(published, tmp_path, langs=("en",), extra={"en": [followup]})
    [html] = [o.path for o in result.outputs if o.format == "html"]
    [pdf] = [o.path for o in result.outputs if o.format == "pdf"]
    page = html.read_text("utf-8")
    assert '<section class="extra" id="followup">' in page
    assert "<em>M1</em> is <strong>done</strong>" in page
    text = _text(pdf)
    assert "FOLLOW-UP OF THE RECOMMENDATIONS" in text
    assert "Measure M1 is done." in text
    # Before the colophon, in both.
    assert page.index('id="followup"') < page.index('id="colophon"')
    assert text.index("Measure M1 is done.") < text.index("COLOPHON")
