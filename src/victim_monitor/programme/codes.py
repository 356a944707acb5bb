"""Problem codes of the programme register import (VM6xx); documented in docs/errors.md."""

from __future__ import annotations

from victim_monitor.problems import Severity, define

E = Severity.ERROR
W = Severity.WARNING

FILE_UNREADABLE = define("VM601", E, "Programme file cannot be read")
FILE_STRUCTURE = define("VM602", E, "Programme file has the wrong structure")
UNKNOWN_FIELD = define("VM603", E, "Unknown record kind or field")
MISSING = define("VM604", E, "Required field is missing")
BAD_VALUE = define("VM605", E, "Field has a bad value")
DUPLICATE = define("VM606", E, "Defined twice in the file")
UNKNOWN_REFERENCE = define("VM607", E, "Refers to something not defined")
OUT_OF_ORDER = define("VM608", E, "Dates or bounds out of order")
INDICATOR_SOURCE = define("VM609", E, "Indicator kind and source do not agree")
UNKNOWN_SERIES = define("VM610", E, "Unknown monitor series")
HISTORY_BEFORE_START = define("VM611", W, "Status change dated before the measure started")
ALREADY_RECORDED = define("VM612", E, "Change already recorded")
