"""Controlled rounding, the alternative to suppression (``method = "round"``).

Every count ``a`` is published as one of the two multiples of the base next to it (a
multiple stays as it is: *zero-restricted*), chosen so that every published total is still the
sum of its published parts, at the least total change. It is one MILP per block of linked
tables: ``u_i = 1`` rounds up, ``b M u = -M floor(a)``, minimise ``sum (b - 2 rem_i) u_i``.
In two-way tables such a rounding always exists (Cox 1987); in three-way tables it may not, and
then protection stops with VM722. A cell that last year's release rounded, with an unchanged
count, keeps last year's rounded value, so two roundings of one count are never published.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import connected_components

from victim_monitor.disclosure.codes import NO_ROUNDING, ROUNDING_RELAXED, DisclosureError
from victim_monitor.disclosure.consistency import Knowledge
from victim_monitor.disclosure.policy import Policy
from victim_monitor.disclosure.tables import TableSet
from victim_monitor.problems import Problem


def round_controlled(
    tables: TableSet, know: Knowledge, policy: Policy
) -> tuple[npt.NDArray[np.int64], list[Problem]]:
    """Rounded counts of the set's cells, and warnings; raises VM722 when none exists."""
    base = policy.rounding_base
    a = tables.values
    floor = (a // base) * base
    rem = a - floor
    lb = np.zeros(len(a))
    ub = (rem > 0).astype(float)
    for cell, shown in know.previously_rounded.items():
        if shown in (floor[cell], floor[cell] + base) and rem[cell] > 0:
            lb[cell] = ub[cell] = float(shown > floor[cell])
    up = np.zeros(len(a))
    problems: list[Problem] = []
    relations = sparse.vstack([abs(tables.sums), abs(tables.overlaps)]).tocsr()
    _, labels = connected_components((relations.T @ relations).tocsr(), directed=False)
    for label in np.unique(labels):
        cells = np.flatnonzero(labels == label)
        if not (ub[cells] > lb[cells]).any():
            up[cells] = lb[cells]
            continue
        x = _solve(tables, cells, floor, rem, (lb, ub), policy, with_overlaps=True)
        if x is None:
            x = _solve(tables, cells, floor, rem, (lb, ub), policy, with_overlaps=False)
            if x is None:
                raise DisclosureError(
                    [NO_ROUNDING(f"no zero-restricted rounding to base {base} adds up")]
                )
            problems.append(ROUNDING_RELAXED("overlapping totals rounded without their bounds"))
        up[cells] = x
    return floor + base * np.round(up).astype(np.int64), problems


def _solve(
    tables: TableSet,
    cells: npt.NDArray[np.intp],
    floor: npt.NDArray[np.int64],
    rem: npt.NDArray[np.int64],
    bounds: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]],
    policy: Policy,
    with_overlaps: bool,
) -> npt.NDArray[np.float64] | None:
    base = policy.rounding_base
    lb, ub = bounds
    constraints = []
    sums = tables.sums[:, cells]
    sums = sums[np.flatnonzero(sums.getnnz(axis=1))]
    if sums.shape[0]:
        rhs = -(sums @ floor[cells]).astype(float)
        constraints.append(LinearConstraint(base * sums, rhs, rhs))
    overlaps = tables.overlaps[:, cells]
    overlaps = overlaps[np.flatnonzero(overlaps.getnnz(axis=1))]
    if with_overlaps and overlaps.shape[0]:
        constraints.append(
            LinearConstraint(base * overlaps, -np.inf, -(overlaps @ floor[cells]).astype(float))
        )
    res = milp(
        (base - 2 * rem[cells]).astype(float),
        integrality=np.ones(len(cells)),
        bounds=Bounds(lb[cells], ub[cells]),
        constraints=constraints,
        options={"disp": False, "time_limit": policy.time_limit},
    )
    return None if res.x is None else np.asarray(res.x, dtype=np.float64)
