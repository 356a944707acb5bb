"""The monitor's tables: persons (not reports) counted by year and category.

Only :mod:`victim_monitor.disclosure` output leaves the system; these tables are its input.

    tabulation = tabulate(engine, range(2014, 2019))
    tabulation.table("victims_by_form").cell(year="2018", form_group="Total")
"""

from victim_monitor.tables.categories import DIMENSION_LABELS, category_label
from victim_monitor.tables.specs import COUNTING, TABLES
from victim_monitor.tables.tabulate import (
    TOTAL,
    Cover,
    MonitorTable,
    Tabulation,
    count_cells,
    tabulate,
    tabulate_frames,
)

__all__ = [
    "COUNTING",
    "DIMENSION_LABELS",
    "TABLES",
    "TOTAL",
    "Cover",
    "MonitorTable",
    "Tabulation",
    "category_label",
    "count_cells",
    "tabulate",
    "tabulate_frames",
]
