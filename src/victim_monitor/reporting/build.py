"""Build the factsheet: check the editorial text against the publication, then write HTML and PDF.

Nothing is written unless every number checks out: a problem in any language stops the whole
build before the first file is written, so a half-built factsheet never sits beside a good one.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from victim_monitor.problems import Problem, Severity
from victim_monitor.reporting.codes import PAGE_COUNT, PUBLISHED_UNUSABLE, FactsheetError
from victim_monitor.reporting.content import compose
from victim_monitor.reporting.editorial import (
    Editorial,
    Section,
    check_editorial,
    check_findings,
)
from victim_monitor.reporting.figures import Figures, Lang
from victim_monitor.reporting.html import render_html
from victim_monitor.reporting.pdf import count_pages, render_pdf
from victim_monitor.reporting.published import Published

LANGS: tuple[Lang, ...] = ("nl", "en")
REQUIRED_TABLES = ("victims_by_year",)

# Step callback: (step name, done, total), as the demo's.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class Output:
    """One written file."""

    lang: Lang
    format: str  # "html" or "pdf"
    path: Path
    pages: int | None = None


@dataclass(frozen=True)
class FactsheetResult:
    """What was built, where, how long it took, and the warnings."""

    outputs: tuple[Output, ...]
    numbers_checked: int
    seconds: float
    warnings: tuple[Problem, ...] = field(default_factory=tuple)
    left_out: tuple[str, ...] = ()  # optional text left out: a figure it needs is not published

    def paths(self) -> tuple[Path, ...]:
        return tuple(o.path for o in self.outputs)

    def summary(self) -> str:
        lines = [
            f"Factsheet: {len(self.outputs)} files in {self.seconds:.2f} s; "
            f"{self.numbers_checked} numbers in the text checked against the published tables."
        ]
        for o in self.outputs:
            pages = f" ({o.pages} pages)" if o.pages is not None else ""
            lines.append(f"  {o.path}{pages}")
        lines += [f"  {w}" for w in self.warnings]
        lines += [f"  Shorter text: {d}" for d in self.left_out]
        return "\n".join(lines)


def default_editorial(years: str, lang: Lang) -> Path:
    """The shipped editorial file for ``years`` (e.g. ``2014-2018``) in ``lang``."""
    name = f"factsheet-{years}.{lang}.md"
    return Path(str(resources.files("victim_monitor.reporting").joinpath("editorial", name)))


def figures_editorial(years: str) -> Path | None:
    """The shipped text of an edition rebuilt from its published figures (``publish
    --from-figures``), when there is one for ``years``: the real 2014-2018 factsheet's."""
    root = Path(str(resources.files("victim_monitor.reporting").joinpath("editorial")))
    directory = root / "published-figures"
    return directory if (directory / f"factsheet-{years}.nl.md").exists() else None


def editorial_path(directory: Path | None, years: str, lang: Lang) -> Path:
    if directory is None:
        return default_editorial(years, lang)
    return directory / f"factsheet-{years}.{lang}.md"


def check(
    published: Published,
    langs: Sequence[Lang] = LANGS,
    editorial_dir: Path | None = None,
) -> dict[Lang, Editorial]:
    """Check the editorial text of every language; :class:`FactsheetError` with all problems."""
    years = f"{published.years[0]}-{published.years[-1]}"
    problems: list[Problem] = []
    missing = [t for t in REQUIRED_TABLES if t not in published.tables]
    if missing:
        problems.append(PUBLISHED_UNUSABLE(f"the publication has no table {missing}"))
        raise FactsheetError(problems)
    figures = Figures(published)
    if editorial_dir is None and published.source_kind == "published_figures":
        editorial_dir = figures_editorial(years)  # the edition's own text, not the demo's
    checked: dict[Lang, Editorial] = {}
    for lang in langs:
        editorial = check_editorial(editorial_path(editorial_dir, years, lang), figures)
        problems += editorial.problems
        problems += check_findings(published.findings, figures, lang)
        checked[lang] = editorial
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        raise FactsheetError(errors)
    return checked


def build_factsheet(
    published: Published,
    out: Path,
    *,
    langs: Sequence[Lang] = LANGS,
    formats: Sequence[str] = ("html", "pdf"),
    editorial_dir: Path | None = None,
    extra: Mapping[Lang, Sequence[Section]] | None = None,
    progress: Progress | None = None,
) -> FactsheetResult:
    """Write ``factsheet-YEARS-LANG.{html,pdf}`` into ``out`` from a publication.

    ``editorial_dir`` holds the analyst's ``factsheet-YEARS-LANG.md`` files (default: the
    shipped ones); ``extra`` adds optional sections per language (the programme's follow-up).
    """
    step: Progress = progress or (lambda _name, _done, _total: None)
    start = time.perf_counter()
    editorials = check(published, langs, editorial_dir)
    years = f"{published.years[0]}-{published.years[-1]}"
    rendered: list[tuple[Lang, str, bytes, int | None]] = []
    warnings: list[Problem] = []
    total = len(langs) * len(formats)
    for lang in langs:
        editorial = editorials[lang]
        content = compose(published, editorial, (extra or {}).get(lang, ()))
        if "html" in formats:
            rendered.append((lang, "html", render_html(content).encode("utf-8"), None))
            step("write the factsheet", len(rendered), total)
        if "pdf" in formats:
            stamp = dt.datetime.combine(editorial.date, dt.time(12), tzinfo=dt.UTC)
            pdf = render_pdf(content, timestamp=stamp)
            count = count_pages(pdf)
            if not 2 <= count <= 4:
                warnings.append(PAGE_COUNT(f"{lang} PDF has {count} pages"))
            rendered.append((lang, "pdf", pdf, count))
            step("write the factsheet", len(rendered), total)
    out.mkdir(parents=True, exist_ok=True)
    outputs: list[Output] = []
    for lang, fmt, data, pages in rendered:
        path = out / f"factsheet-{years}-{lang}.{fmt}"
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        outputs.append(Output(lang, fmt, path, pages))
    return FactsheetResult(
        tuple(outputs),
        sum(e.numbers for e in editorials.values()),
        time.perf_counter() - start,
        tuple(warnings),
        tuple(d for e in editorials.values() for d in e.dropped),
    )
