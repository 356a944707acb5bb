"""The factsheet: the monitor's publication in Dutch and English, as HTML and A4 PDF.

Built only from the published, disclosure-protected output (never from the register) and the
analyst's editorial text, whose every number is checked against the published tables. The
method note is ``docs/methods/factsheet.md``.

    published = load_published(Path("out/published"))
    result = build_factsheet(published, Path("out"))      # result.paths(), result.summary()
"""

from typing import TYPE_CHECKING

from victim_monitor.lazy import exports

if TYPE_CHECKING:
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
    from victim_monitor.reporting.published import Estimate, Finding, Published

# Where each public name lives: imported on first use, so that `victim-monitor --help` does not
# load Altair, vl-convert and Typst (docs/decisions/0002-cli-click.md).
_HOME = {
    "FactsheetResult": "build",
    "Output": "build",
    "build_factsheet": "build",
    "check": "build",
    "default_editorial": "build",
    "FactsheetError": "codes",
    "Editorial": "editorial",
    "Section": "editorial",
    "check_editorial": "editorial",
    "Figure": "figures",
    "Figures": "figures",
    "Estimate": "published",
    "Finding": "published",
    "Published": "published",
}


__getattr__ = exports(__name__, _HOME)


__all__ = [
    "Editorial",
    "Estimate",
    "FactsheetError",
    "FactsheetResult",
    "Figure",
    "Figures",
    "Finding",
    "Output",
    "Published",
    "Section",
    "build_factsheet",
    "check",
    "check_editorial",
    "default_editorial",
]
