"""The VM74x problem codes of publication (nothing is written, or read, half-way), and the
VM75x codes of a figures file. Reading and writing the published format has its codes in
:mod:`victim_monitor.published.codes` (VM740, VM744, VM745), named here too."""

from __future__ import annotations

from victim_monitor.problems import Severity, define
from victim_monitor.published.codes import CHECKSUM_MISMATCH as CHECKSUM_MISMATCH
from victim_monitor.published.codes import OUTPUT_UNWRITABLE as OUTPUT_UNWRITABLE
from victim_monitor.published.codes import PUBLICATION_UNREADABLE as PUBLICATION_UNREADABLE
from victim_monitor.published.codes import PublicationError as PublicationError

ERROR = Severity.ERROR

YEARS_INVALID = define("VM741", ERROR, "Years to publish are not valid")
NO_PERSONS = define("VM742", ERROR, "No linked persons to publish")
AUDIT_FAILED = define("VM743", ERROR, "Release fails its audit; nothing is published")

# The figures file of ``publish --from-figures`` (publication/figures.py): every problem, located.
FIGURES_UNREADABLE = define("VM750", ERROR, "Figures file cannot be read")
FIGURE_UNKNOWN = define("VM751", ERROR, "A figure names no table, dimension or category")
FIGURE_VALUE_INVALID = define("VM752", ERROR, "A figure's value is not a count or an estimate")
FIGURE_YEAR_INVALID = define("VM753", ERROR, "A figure's year is not a year or a period")
FIGURE_DUPLICATE = define("VM754", ERROR, "The same figure is given twice")
FIGURE_SOURCE_MISSING = define("VM755", ERROR, "A figure has no source")
FIGURE_INCONSISTENT = define("VM756", ERROR, "A figure contradicts another figure")
