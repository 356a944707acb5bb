"""The VM8xx problem codes of the factsheet: bad editorial text, bad published input.

Every number in the factsheet must come from the published, disclosure-protected tables. A
literal number in the analyst's text that the tables do not support, a placeholder that names
no figure, or a sentence that cites a hidden cell stops the build (errors); the message names
the file, the line and the sentence.
"""

from __future__ import annotations

from victim_monitor.problems import ProblemError, Severity, define

ERROR = Severity.ERROR
WARNING = Severity.WARNING

EDITORIAL_MALFORMED = define("VM801", ERROR, "Editorial file cannot be read")
NUMBER_UNSUPPORTED = define("VM802", ERROR, "A number in the text is not in the published tables")
NUMBER_DIFFERS = define("VM803", ERROR, "A number in the text differs from the figure it names")
UNKNOWN_FIGURE = define("VM804", ERROR, "A placeholder names no published figure")
HIDDEN_FIGURE = define("VM805", ERROR, "The text cites a figure that is not published")
PUBLISHED_UNUSABLE = define("VM806", ERROR, "Published tables cannot be used for the factsheet")
PAGE_COUNT = define("VM807", WARNING, "The factsheet PDF is not 2 to 4 pages")
# The evidence rules (reporting/evidence.py): what a sentence may say about its figures.
INTERVAL_MISSING = define("VM808", ERROR, "An estimate is given without its interval or year")
PER_YEAR = define("VM809", ERROR, "'Per year' for a figure of one year, or models not named")
CHANGE_UNSUPPORTED = define("VM810", ERROR, "A word of change the trend rule does not support")
TURN_HIDDEN = define("VM811", ERROR, "A change between two years hides a turn in between")
CAUSAL = define("VM812", ERROR, "A causal or concluding word about counts")
UNREGISTERED = define("VM813", ERROR, "A count of victims not called registered")
ROUNDING_DIFFERS = define("VM814", ERROR, "A figure printed with another rounding than the rule")


class FactsheetError(ProblemError, ValueError):
    """The factsheet cannot be built; every coded problem is attached."""
