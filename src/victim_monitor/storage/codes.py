"""The VM9xx problems of the register's database: an address that is not one, a database
that cannot be opened, a register that is not there."""

from __future__ import annotations

from victim_monitor.problems import ProblemError, Severity, define

ERROR = Severity.ERROR

URL_INVALID = define("VM901", ERROR, "Database address not understood")
UNREACHABLE = define("VM902", ERROR, "Database cannot be opened")
NO_REGISTER = define("VM903", ERROR, "No register at this address")
NOT_EMPTY = define("VM904", ERROR, "The demo needs an empty register")


class DatabaseError(ProblemError):
    """The register's database cannot be used as asked (VM9xx)."""
