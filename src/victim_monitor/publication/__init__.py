"""Publication: the protected tables, estimates, trends and findings as files, and back.

Only this directory leaves the system. The format is ``docs/methods/publication.md``.

    pub = load_publication("out/publication")
    pub.table("victims_by_form").value(year="2018", form_group="Total")
"""

from victim_monitor.publication.codes import PublicationError
from victim_monitor.publication.load import load_publication
from victim_monitor.publication.model import (
    TOTAL,
    CellKey,
    Finding,
    Publication,
    PublishedCell,
    PublishedTable,
    Trend,
    YearEstimate,
)
from victim_monitor.publication.write import write_publication

load_release = load_publication

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
    "load_release",
    "write_publication",
]
