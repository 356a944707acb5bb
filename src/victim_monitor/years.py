"""Years as people write them on the command line: ``2018`` or ``2014-2018``.

The one parser of a year range: ``publish``, ``factsheet`` and ``synthetic`` read ``--years``
through it, so that ``2018-2014`` (or ``14-18``) is the same coded error everywhere (VM741)
instead of an empty range in one command and an error in another.
"""

from __future__ import annotations

import re

from victim_monitor.publication.codes import YEARS_INVALID, PublicationError


def parse_years(text: str) -> tuple[int, ...]:
    """``2018`` or ``2014-2018`` as the years in order (PublicationError VM741 otherwise)."""
    found = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?", text)
    if found is None or (found[2] is not None and int(found[2]) < int(found[1])):
        raise PublicationError([YEARS_INVALID(f"{text!r}: expected YYYY or YYYY-YYYY")])
    first = int(found[1])
    return tuple(range(first, int(found[2] or first) + 1))
