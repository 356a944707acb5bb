"""``protect``: a table set in, a release out, under a policy and given last year's release.

The stages are those of the method note: what an outsider already knows (``consistency``),
which cells are unsafe (``primary``), then either secondary suppression (``secondary``) or
controlled rounding (``rounding``). The release is not audited here; ``audit`` is the
independent check that publication must pass.
"""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt

from victim_monitor.disclosure.codes import SOLVER_LIMIT, UNPROTECTABLE
from victim_monitor.disclosure.consistency import knowledge
from victim_monitor.disclosure.policy import Policy
from victim_monitor.disclosure.primary import primary
from victim_monitor.disclosure.result import (
    Outcome,
    ProtectedCell,
    ProtectedTable,
    Release,
)
from victim_monitor.disclosure.rounding import round_controlled
from victim_monitor.disclosure.secondary import suppress
from victim_monitor.disclosure.tables import TableSet
from victim_monitor.problems import Problem


def protect(
    tables: TableSet, policy: Policy, previous: Release | None = None, *, label: str = ""
) -> Release:
    """Protect every table of the set; cells shared by tables get one outcome everywhere.

    With ``previous`` (last year's release, as :meth:`Release.from_json` reads it), nothing
    hidden now can be derived by combining the two releases. Unsafe cells that cannot be
    protected (VM720) are hidden and reported in ``Release.problems``; such a release fails
    its audit.
    """
    started = time.perf_counter()
    know = knowledge(tables, previous)
    prim = primary(tables.values, policy)
    problems: list[Problem] = []
    stats: dict[str, object] = {"cells": len(tables.values), "unsafe": int(prim.unsafe.sum())}
    if know.revised:
        stats["revised_since_previous"] = know.revised
    published: npt.NDArray[np.int64]
    if policy.method == "round":
        published, problems = round_controlled(tables, know, policy)
        outcome = [Outcome.ROUNDED] * len(published)
    else:
        pattern = suppress(know, prim, _costs(tables, policy, know.previously_hidden), policy)
        stats.update(pattern.stats)
        outcome = [
            (Outcome.PRIMARY if unsafe else Outcome.SECONDARY) if hidden else Outcome.SHOWN
            for hidden, unsafe in zip(pattern.hidden, prim.unsafe, strict=True)
        ]
        published = tables.values.copy()
        for cell in pattern.unprotectable:
            problems.append(
                UNPROTECTABLE(
                    "no pattern of hidden cells gives it its protection interval (was it "
                    "published in the previous release?)",
                    field=tables.describe(cell),
                )
            )
        if not pattern.optimal:
            problems.append(
                SOLVER_LIMIT(
                    "the pattern is safe, but was not proven within 2% of the cheapest "
                    f"(time limit {policy.time_limit:g} s per block, or no progress)"
                )
            )
        stats["secondary"] = int((pattern.hidden & ~prim.unsafe).sum())
    stats["seconds"] = round(time.perf_counter() - started, 3)
    protected = []
    for table in tables.tables:
        cells = []
        for key in table.cell_keys():
            i = tables.index[table.identity(key)]
            shown = outcome[i] in (Outcome.SHOWN, Outcome.ROUNDED)
            cells.append(
                ProtectedCell(
                    key, int(tables.values[i]), int(published[i]) if shown else None, outcome[i]
                )
            )
        protected.append(
            ProtectedTable(
                name=table.name,
                dimensions=table.dimensions,
                categories=table.categories,
                margins=table.margins,
                overlapping=table.overlapping,
                fixed=table.fixed,
                measure=table.measure,
                cells=tuple(cells),
            )
        )
    return Release(
        tables=tuple(protected),
        policy=policy,
        groupings=tables.groupings,
        equations=tables.equations,
        covers=tables.covers,
        label=label,
        problems=tuple(problems),
        stats=stats,
    )


def _costs(
    tables: TableSet, policy: Policy, previously_hidden: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float64]:
    """Cost of hiding each cell (see ``[suppression] cost`` in the policy file)."""
    values = tables.values.astype(np.float64)
    if policy.cost == "unity":
        # ties are broken towards small cells, which carry less information
        cost = 1.0 + 1e-3 * values / (1.0 + values.max(initial=0.0))
    elif policy.cost == "value":
        cost = values + 1.0
    else:
        cost = 1.0 + np.log1p(values)
    cost = cost * tables.weights  # headline tables' cells are hidden last
    discounted = cost * policy.previous_hidden_discount
    return np.asarray(np.where(previously_hidden, discounted, cost), dtype=np.float64)
