"""The audit: an independent check of a release, sharing no code with the suppression.

It reads only what a release says (its tables, their margins, groupings, equations and
covers, the published values) and what the previous release published, rebuilds every relation an
outsider can use on its own, and computes by linear programming the feasible interval
``[min y_i, max y_i]`` of every cell that is not shown, over all non-negative ``y`` that agree
with everything published. A release fails when an unsafe cell is shown (VM731), a shown
value is not the count (VM732), or an unsafe cell's interval does not contain its required
protection interval (VM730). Deliberately, nothing here is imported from ``tables``,
``primary``, ``secondary``, ``consistency`` or ``rounding``: a mistake there cannot hide itself.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import highspy
import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from victim_monitor.disclosure.codes import (
    INTERVAL_TOO_NARROW,
    SHOWN_VALUE_WRONG,
    SMALL_CELL_SHOWN,
)
from victim_monitor.disclosure.policy import Policy
from victim_monitor.disclosure.result import (
    TOTAL,
    AuditFailure,
    AuditReport,
    CellAudit,
    Outcome,
    ProtectedTable,
    Release,
)

TOL = 1e-6
Cell = tuple[str, tuple[tuple[str, str], ...]]  # measure and (dimension, category) pairs


@dataclass
class _System:
    """Unknowns (one per distinct cell of either release), what is known of each, relations."""

    names: list[tuple[str, Cell]] = field(default_factory=list)
    where: dict[tuple[str, Cell], int] = field(default_factory=dict)
    truth: list[int] = field(default_factory=list)
    low: list[float] = field(default_factory=list)
    high: list[float] = field(default_factory=list)
    equal: list[dict[int, float]] = field(default_factory=list)  # sum(coef * y) == 0
    at_most: list[dict[int, float]] = field(default_factory=list)  # sum(coef * y) <= 0

    def unknown(self, release: str, cell: Cell, truth: int) -> int:
        if (release, cell) not in self.where:
            self.where[(release, cell)] = len(self.names)
            self.names.append((release, cell))
            self.truth.append(truth)
            self.low.append(0.0)
            self.high.append(math.inf)
        return self.where[(release, cell)]

    def learn(self, i: int, low: float, high: float) -> None:
        self.low[i] = max(self.low[i], low)
        self.high[i] = min(self.high[i], high)


def audit(release: Release, policy: Policy, previous: Release | None = None) -> AuditReport:
    """Every cell's feasible interval, and whether the release may be published."""
    system = _System()
    failures: list[AuditFailure] = []
    own = _load(system, release, "this", failures, check=policy)
    if previous is not None:
        _load(system, previous, "previous", [], check=None, merge_with=own)
    intervals = _intervals(system, [i for i in set(own.values()) if system.low[i] < system.high[i]])
    cells: list[CellAudit] = []
    for table in release.tables:
        for c in table.cells:
            i = own[(table.name, c.key)]
            low, high = intervals.get(i, (system.low[i], system.high[i]))
            required = None
            ok = True
            if math.isnan(low) or math.isnan(high):
                ok = False
                failures.append(
                    AuditFailure(
                        table.name,
                        c.key,
                        SHOWN_VALUE_WRONG(
                            "published values contradict the margins", field=table.name
                        ),
                    )
                )
            elif c.outcome is not Outcome.SHOWN and policy.is_unsafe(c.value):
                if c.outcome is Outcome.ROUNDED:
                    base = release.policy.rounding_base  # judged by width, not an interval
                    ok = high - low >= base - 1 - TOL
                    why = f"rounded to base {base}, but narrowed to {_fmt(low, high)}"
                else:
                    down, up = policy.protection(c.value)
                    required = (c.value - down, c.value + up)
                    ok = low <= required[0] + TOL and high >= required[1] - TOL
                    why = f"can be narrowed to {_fmt(low, high)}; must include {_fmt(*required)}"
                if not ok:
                    failures.append(
                        AuditFailure(table.name, c.key, INTERVAL_TOO_NARROW(why, field=table.name))
                    )
            cells.append(CellAudit(table.name, c.key, c.outcome, c.value, low, high, required, ok))
    return AuditReport(
        passed=not failures,
        failures=tuple(failures),
        cells=tuple(cells),
        label=release.label,
        previous_label=None if previous is None else previous.label,
    )


def _fmt(low: float, high: float) -> str:
    def one(v: float) -> str:
        return "inf" if math.isinf(v) else f"{v:g}"

    return f"[{one(low)}, {one(high)}]"


def _identity(table: ProtectedTable, key: tuple[str, ...]) -> Cell:
    pairs = {d: k for d, k in zip(table.dimensions, key, strict=True) if k != TOTAL}
    pairs.update(dict(table.fixed))
    return table.measure, tuple(sorted(pairs.items()))


def _load(
    system: _System,
    release: Release,
    tag: str,
    failures: list[AuditFailure],
    check: Policy | None,
    merge_with: dict[tuple[str, tuple[str, ...]], int] | None = None,
) -> dict[tuple[str, tuple[str, ...]], int]:
    """Add a release's cells, knowledge and relations; returns (table, key) -> unknown."""
    base = release.policy.rounding_base
    mine: dict[tuple[str, tuple[str, ...]], int] = {}
    current = {} if merge_with is None else {system.names[i][1]: i for i in merge_with.values()}
    for table in release.tables:
        for c in table.cells:
            cell = _identity(table, c.key)
            i = current.get(cell)
            if i is None or system.truth[i] != c.value:
                i = system.unknown(tag, cell, c.value)
            mine[(table.name, c.key)] = i
            if c.outcome is Outcome.SHOWN:
                shown = c.value if c.published is None else c.published
                system.learn(i, shown, shown)
                if check is not None:
                    if c.published != c.value:
                        failures.append(
                            AuditFailure(
                                table.name,
                                c.key,
                                SHOWN_VALUE_WRONG(
                                    f"published {c.published}, count {c.value}", field=table.name
                                ),
                            )
                        )
                    if check.is_unsafe(c.value):
                        failures.append(
                            AuditFailure(
                                table.name,
                                c.key,
                                SMALL_CELL_SHOWN(f"{c.value} is unsafe", field=table.name),
                            )
                        )
            elif c.outcome is Outcome.ROUNDED and c.published is not None:
                system.learn(i, c.published - base + 1, c.published + base - 1)
    cells_here = {system.names[i][1]: i for i in mine.values()}
    for table in release.tables:
        for total, parts, overlapping in _margins(table):
            t = mine[(table.name, total)]
            ps = [mine[(table.name, p)] for p in parts]
            _relate(system, t, ps, overlapping)
    for (measure, pairs), i in cells_here.items():
        coords = dict(pairs)
        splits = [  # this cell's grouped categories, and what each is the sum of
            [(dim, ch) for ch in groups[coords[dim]]]
            for dim, groups in release.groupings.items()
            if groups.get(coords.get(dim, ""))
        ]
        for chosen in _nonempty_subsets(splits):  # sum over all children of some of them
            ids = [
                cells_here.get((measure, tuple(sorted({**coords, **dict(combo)}.items()))))
                for combo in itertools.product(*chosen)
            ]
            if all(j is not None for j in ids):
                _relate(system, i, [j for j in ids if j is not None], overlapping=False)
    for eq in release.equations:
        t = mine[(eq.total.table, eq.total.key)]
        _relate(system, t, [mine[(p.table, p.key)] for p in eq.parts], overlapping=False)
    for cover in release.covers:  # a parent category is the union of its children
        for (measure, pairs), i in cells_here.items():
            coords = dict(pairs)
            if coords.get(cover.dimension) != cover.parent or cover.child_dimension in coords:
                continue
            del coords[cover.dimension]
            ids = [
                cells_here.get(
                    (measure, tuple(sorted({**coords, cover.child_dimension: ch}.items())))
                )
                for ch in cover.children
            ]
            if ids and all(j is not None for j in ids):
                _relate(system, i, [j for j in ids if j is not None], overlapping=True)
    for (measure, pairs), i in cells_here.items():  # a subgroup is no larger than its group
        for k in range(len(pairs)):
            whole = cells_here.get((measure, pairs[:k] + pairs[k + 1 :]))
            if whole is not None:
                system.at_most.append({i: 1.0, whole: -1.0})
    return mine


def _nonempty_subsets(items: list[list[tuple[str, str]]]) -> Iterator[list[list[tuple[str, str]]]]:
    for mask in range(1, 2 ** len(items)):
        yield [item for b, item in enumerate(items) if mask >> b & 1]


def _margins(
    table: ProtectedTable,
) -> Iterator[tuple[tuple[str, ...], list[tuple[str, ...]], bool]]:
    for c in table.cells:
        for d, dim in enumerate(table.dimensions):
            if c.key[d] == TOTAL:
                parts = [
                    (*c.key[:d], k, *c.key[d + 1 :]) for k in table.categories[d] if k != TOTAL
                ]
                yield c.key, parts, dim in table.overlapping


def _relate(system: _System, total: int, parts: list[int], overlapping: bool) -> None:
    row: dict[int, float] = {total: 1.0}
    for p in parts:
        row[p] = row.get(p, 0.0) - 1.0
    if not overlapping:
        system.equal.append(row)
        return
    for p in parts:  # a part is at most its total
        system.at_most.append({p: 1.0, total: -1.0})
    system.at_most.append(row)  # the total is at most the sum of the parts


def _intervals(system: _System, targets: list[int]) -> dict[int, tuple[float, float]]:
    """min and max of each target over the unknowns not fixed by what is published."""
    n = len(system.names)
    low = np.array(system.low)
    high = np.array(system.high)
    fixed = low >= high
    value = np.where(fixed, low, 0.0)
    eq, eq_rhs = _matrix(system.equal, n, value, fixed)
    ub, ub_rhs = _matrix(system.at_most, n, value, fixed)
    free = np.flatnonzero(~fixed)
    # far above any count the tables hold: an outsider's bound that reaches it is no bound
    cap = 1e6 + 100.0 * float(max(system.truth, default=0))
    links = sparse.vstack([abs(eq), abs(ub)]).tocsr()[:, free]
    _, labels = connected_components((links.T @ links).tocsr(), directed=False)
    groups: dict[int, list[int]] = {}
    label_of = dict(zip(free.tolist(), labels.tolist(), strict=True))
    for target in targets:
        groups.setdefault(label_of[target], []).append(target)
    out: dict[int, tuple[float, float]] = {}
    for label, members in groups.items():
        cols = free[labels == label]
        e = eq[:, cols]
        e = e[np.flatnonzero(e.getnnz(axis=1))]
        u = ub[:, cols]
        u_rows = np.flatnonzero(u.getnnz(axis=1))
        problem = _Component(cols, e, eq_rhs[np.flatnonzero(eq[:, cols].getnnz(axis=1))],
                             u[u_rows], ub_rhs[u_rows], low[cols], high[cols], cap)  # fmt: skip
        out.update(problem.ends(members))
    return out


@dataclass
class _Component:
    """Unknowns linked by relations: the LPs for the min and max of each of several of them.

    One model of the component is solved for each end point in turn, only the objective (and,
    for a maximum, a finite cap on the maximised unknown, which keeps the LP bounded: reaching
    the cap means there is no bound) changing between them. Each solve starts from the last
    one's optimal basis, which stays feasible when only the objective changes, so HiGHS's
    primal simplex starts near the next optimum (a release's audit took an eighth of the time
    of stacked LPs solved from scratch: decision 0015).
    """

    cols: np.ndarray
    eq: sparse.csr_matrix
    eq_rhs: np.ndarray
    ub: sparse.csr_matrix
    ub_rhs: np.ndarray
    low: np.ndarray
    high: np.ndarray
    cap: float

    def ends(self, targets: list[int]) -> dict[int, tuple[float, float]]:
        solver = self._solver()
        out = {}
        for target in targets:
            local = int(np.searchsorted(self.cols, target))
            low, high = float(self.low[local]), float(self.high[local])
            solver.changeColCost(local, 1.0)
            solver.changeObjectiveSense(highspy.ObjSense.kMinimize)
            least = _solved(solver, local)
            solver.changeColBounds(local, low, min(high, self.cap))
            solver.changeObjectiveSense(highspy.ObjSense.kMaximize)
            most = _solved(solver, local)
            solver.changeColBounds(local, low, high)
            solver.changeColCost(local, 0.0)
            if least is None or most is None:
                # published values contradict the relations: nothing is known
                return dict.fromkeys(targets, (math.nan, math.nan))
            out[target] = (least, math.inf if most >= self.cap - TOL else most)
        return out

    def _solver(self) -> highspy.Highs:
        m = len(self.cols)
        rows = sparse.vstack([self.eq, self.ub]).tocsr()
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = m, rows.shape[0]
        lp.col_cost_ = np.zeros(m)
        lp.col_lower_, lp.col_upper_ = self.low.astype(float), self.high.astype(float)
        lp.row_lower_ = np.concatenate([self.eq_rhs, np.full(self.ub.shape[0], -highspy.kHighsInf)])
        lp.row_upper_ = np.concatenate([self.eq_rhs, self.ub_rhs]).astype(float)
        matrix = lp.a_matrix_
        matrix.format_ = highspy.MatrixFormat.kRowwise
        matrix.num_col_, matrix.num_row_ = m, rows.shape[0]
        matrix.start_, matrix.index_, matrix.value_ = rows.indptr, rows.indices, rows.data
        solver = highspy.Highs()  # type: ignore[no-untyped-call]
        solver.setOptionValue("output_flag", False)
        solver.setOptionValue("presolve", "off")  # presolve would discard the basis kept
        solver.setOptionValue("simplex_strategy", 4)  # primal: the kept basis stays feasible
        solver.passModel(lp)
        return solver


def _solved(solver: highspy.Highs, local: int) -> float | None:
    """The optimal value of unknown ``local``, or None if the LP has no optimum."""
    solver.run()
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return float(solver.getSolution().col_value[local])


def _matrix(
    rows: list[dict[int, float]], n: int, value: np.ndarray, fixed: np.ndarray
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Relations over the free unknowns; fixed ones move to the right-hand side."""
    r: list[int] = []
    c: list[int] = []
    v: list[float] = []
    rhs = np.zeros(len(rows))
    for i, row in enumerate(rows):
        for j, coef in row.items():
            if fixed[j]:
                rhs[i] -= coef * value[j]
            elif coef:
                r.append(i)
                c.append(j)
                v.append(coef)
    return sparse.csr_matrix((v, (r, c)), shape=(len(rows), n)), rhs
