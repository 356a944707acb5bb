"""The published format: the protected tables, estimates, trends and findings as files, and back.

Only this directory leaves the system. The format is ``docs/methods/publication.md``; the
stages that make it (:mod:`victim_monitor.publication`) and that read it (findings, reporting,
web) depend on this package, never the other way round.

    pub = load_publication("out/publication")
    pub.table("victims_by_form").value(year="2018", form_group="Total")
"""

from typing import TYPE_CHECKING

from victim_monitor.lazy import exports

if TYPE_CHECKING:
    from victim_monitor.published.codes import PublicationError
    from victim_monitor.published.load import load_publication
    from victim_monitor.published.model import (
        TOTAL,
        CellKey,
        Finding,
        Publication,
        PublishedCell,
        PublishedTable,
        Trend,
        YearEstimate,
    )
    from victim_monitor.published.write import write_publication

# Where each public name lives: imported on first use, so that starting the command line
# (`victim-monitor --help`, a command's --help) does not load this stage's dependencies.
_HOME = {
    "PublicationError": "codes",
    "load_publication": "load",
    "TOTAL": "model",
    "CellKey": "model",
    "Finding": "model",
    "Publication": "model",
    "PublishedCell": "model",
    "PublishedTable": "model",
    "Trend": "model",
    "YearEstimate": "model",
    "write_publication": "write",
}


__getattr__ = exports(__name__, _HOME)


__all__ = [
    "TOTAL",
    "CellKey",
    "Finding",
    "Publication",
    "PublicationError",
    "PublishedCell",
    "PublishedTable",
    "Trend",
    "YearEstimate",
    "load_publication",
    "write_publication",
]
