"""The encoder's problem codes (VM4xx): what can be wrong with a raw file before encoding.

Each code is documented in ``docs/encoder.md`` (and ``docs/errors.md``) with what to do about
it. Errors stop the encoding: nothing is written. Warnings are reported and the row is
encoded. The encoder's problems stay on the organisation's machine, so unlike the register's
they may show the offending value (a malformed date, a placeholder name) to help fix it.
"""

from __future__ import annotations

from victim_monitor.problems import Severity, define

E, W = Severity.ERROR, Severity.WARNING

RAW_UNREADABLE = define("VM401", E, "Raw file unreadable")
RAW_COLUMN_MISSING = define("VM402", E, "Required raw column missing")
MAP_UNKNOWN_COLUMN = define("VM403", E, "Column mapping names an unknown column")
BAD_BIRTH_DATE = define("VM404", E, "Birth date invalid")
BAD_REPORT_DATE = define("VM405", E, "Report date missing or invalid")
UNKNOWN_SEX = define("VM406", E, "Sex not recognised")
UNKNOWN_COUNTRY = define("VM407", W, "Country not recognised: encoded as unknown")
BAD_CODED_VALUE = define("VM408", E, "Value not recognised for a coded field")
EMPTY_NAME = define("VM409", W, "Name empty or a placeholder")
BAD_CASE_REFERENCE = define("VM410", E, "Case reference missing or malformed")
DUPLICATE_CASE_REFERENCE = define("VM411", E, "Case reference repeated in the file")
COLUMN_TWICE = define("VM412", E, "Two raw columns for one standard column")
ROW_TOO_LONG = define("VM413", E, "Row has more values than the header")
OPTIONAL_COLUMN_ABSENT = define("VM414", W, "Optional raw column absent: encoded as unknown")
NO_REPORTS = define("VM415", E, "Raw file holds no reports")
