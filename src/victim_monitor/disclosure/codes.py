"""The VM7xx problem codes of disclosure control: bad policy files, bad tables, unsafe releases.

Policy and table problems (VM701-VM719) stop protection before anything is computed; release
problems (VM720-VM729) travel with a :class:`~victim_monitor.disclosure.result.Release`; audit
findings (VM730-VM739) are what makes an audit fail.
"""

from __future__ import annotations

from victim_monitor.problems import ProblemError, Severity, define

ERROR = Severity.ERROR
WARNING = Severity.WARNING

POLICY_UNREADABLE = define("VM701", ERROR, "Disclosure policy file cannot be read")
POLICY_UNKNOWN_SETTING = define("VM702", ERROR, "Unknown setting in the disclosure policy")
POLICY_BAD_VALUE = define("VM703", ERROR, "Disclosure policy setting has a bad value")
TABLE_MALFORMED = define("VM710", ERROR, "Table to protect is malformed")
TABLES_DISAGREE = define("VM711", ERROR, "Tables give different counts for the same cell")
NOT_ADDITIVE = define("VM712", ERROR, "A given total is not the sum of its parts")
RELEASE_MALFORMED = define("VM713", ERROR, "Release file cannot be read")
UNPROTECTABLE = define("VM720", ERROR, "An unsafe cell cannot be protected")
SOLVER_LIMIT = define("VM721", WARNING, "Suppression pattern may not be the cheapest")
NO_ROUNDING = define("VM722", ERROR, "No controlled rounding exists for these tables")
ROUNDING_RELAXED = define("VM723", WARNING, "Rounded parts may exceed their rounded total")
INTERVAL_TOO_NARROW = define("VM730", ERROR, "A hidden cell can be narrowed too far")
SMALL_CELL_SHOWN = define("VM731", ERROR, "A cell below the threshold is shown")
SHOWN_VALUE_WRONG = define("VM732", ERROR, "A shown value differs from the count")


class DisclosureError(ProblemError, ValueError):
    """Input that disclosure control cannot use, with all its coded problems."""
