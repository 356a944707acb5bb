"""The VM5xx problem codes of estimation: bad capture-history input, and fit diagnostics.

Input problems (VM501-VM519) stop an estimate; diagnostics (VM530-VM549) travel with a result
as warnings. Each code has a section in ``docs/methods/estimation.md`` ("Problem codes").
"""

from __future__ import annotations

from victim_monitor.problems import Problem, ProblemError, Severity, define

ERROR = Severity.ERROR
WARNING = Severity.WARNING

UNREADABLE = define("VM501", ERROR, "Capture-history file cannot be read")
EMPTY_TABLE = define("VM502", ERROR, "Capture-history table has no rows")
NO_COUNT_COLUMN = define("VM503", ERROR, "Capture-history table has no count column")
TOO_FEW_LISTS = define("VM504", ERROR, "Capture-history table has fewer than two lists")
NOT_BINARY = define("VM505", ERROR, "List value is not 0 or 1")
BAD_COUNT = define("VM506", ERROR, "Count is not a non-negative whole number")
ALL_ZERO_PATTERN = define("VM507", ERROR, "Pattern on no list (the unobserved cell)")
DUPLICATE_PATTERN = define("VM508", ERROR, "Capture pattern given twice")
RAGGED_ROW = define("VM509", ERROR, "Row has the wrong number of fields")
BAD_HEADER = define("VM510", ERROR, "List names are empty or repeated")
EMPTY_LIST = define("VM511", WARNING, "A list has nobody on it")
NOBODY_OBSERVED = define("VM512", ERROR, "The table counts nobody")
TOO_MANY_LISTS = define("VM513", ERROR, "Too many lists for this method")
UNKNOWN_METHOD = define("VM514", ERROR, "Unknown estimation method or setting")
BAD_PERSONS = define("VM515", ERROR, "Person rows cannot be turned into capture histories")

NO_MLE = define("VM530", WARNING, "Maximum likelihood estimate does not exist for a model")
NOT_IDENTIFIABLE = define("VM531", WARNING, "Model is not identifiable on these data")
NEG_INF_TERMS = define("VM532", WARNING, "Interactions between lists with nobody in common")
BOOT_FAILURES = define("VM533", WARNING, "Some bootstrap replicates gave no estimate")
NOT_CONVERGED = define("VM534", WARNING, "The model fit did not converge")
UNBOUNDED_INTERVAL = define("VM535", WARNING, "Interval limit not found within the search range")
SMALL_STRATUM = define("VM536", WARNING, "Stratum too small or too sparse to estimate")
NOT_ESTIMABLE = define("VM537", WARNING, "The estimate does not exist or is not bounded")
RCAPTURE_FLAG = define("VM538", WARNING, "Rcapture flags the fit of this model")
POOR_MIXING = define("VM540", WARNING, "The sampler's chain has few effective draws")
AT_THE_CAP = define("VM541", WARNING, "The posterior reaches the sampler's cap on the total")


class EstimationError(ProblemError, ValueError):
    """An estimate that cannot be made, with its coded problem (for the CLI to print)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__([problem])
        self.problem = problem
