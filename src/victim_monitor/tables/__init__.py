"""The monitor's tables: persons (not reports) counted by year and category.

Only :mod:`victim_monitor.disclosure` output leaves the system; these tables are its input.
"""

from victim_monitor.tables.tabulate import COUNTING, MonitorTable, tabulate

__all__ = ["COUNTING", "MonitorTable", "tabulate"]
