"""The factsheet: the monitor's publication in Dutch and English, as HTML and A4 PDF.

Built only from the published, disclosure-protected output (never from the register) and the
analyst's editorial text, whose every number is checked against the published tables. The
method note is ``docs/methods/factsheet.md``.

    published = load_published(Path("out/published"))
    result = build_factsheet(published, Path("out"))      # result.paths(), result.summary()
"""

from victim_monitor.reporting.build import (
    FactsheetResult,
    Output,
    build_factsheet,
    check,
    default_editorial,
)
from victim_monitor.reporting.codes import FactsheetError
from victim_monitor.reporting.editorial import Editorial, Section, check_editorial
from victim_monitor.reporting.figures import Figure, Figures
from victim_monitor.reporting.published import (
    Cell,
    CellStatus,
    Estimate,
    Finding,
    Published,
    PublishedTable,
)

__all__ = [
    "Cell",
    "CellStatus",
    "Editorial",
    "Estimate",
    "FactsheetError",
    "FactsheetResult",
    "Figure",
    "Figures",
    "Finding",
    "Output",
    "Published",
    "PublishedTable",
    "Section",
    "build_factsheet",
    "check",
    "check_editorial",
    "default_editorial",
]
