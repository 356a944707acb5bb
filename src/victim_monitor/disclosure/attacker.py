"""The outsider's linear programs, as secondary suppression uses them.

For one block of linked cells: ``short`` solves the attacker LPs of a pattern (how far can an
outsider move each unsafe cell?) and turns every shortfall into a Benders cut for the master
MILP; ``witness`` finds the cheapest way to let an outsider move one unsafe cell far enough
(the cells of a deviation that keeps every relation), which makes a pattern safe by
construction. The notation is that of the module note of ``secondary``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

TOL = 1e-7
STACK = 20_000  # variables per stacked attacker LP
REACH = 4.0  # other hidden cells may move up by REACH times the protection sought
NEAR_FREE = 1e-3  # relative cost of using a cell that is hidden already, in a witness


@dataclass(frozen=True)
class Need:
    """One side of one unsafe cell's protection interval."""

    cell: int  # local index in the block
    direction: int  # +1: upper protection, -1: lower protection
    amount: float

    @property
    def reach(self) -> float:
        """How far the attacker may move any other hidden cell up (see ``secondary``)."""
        return REACH * self.amount


@dataclass
class Block:
    """One independent block of linked cells: relations, bounds, costs and the cuts found."""

    cells: npt.NDArray[np.int64]
    sums: sparse.csr_matrix
    overlaps: sparse.csr_matrix
    slack: npt.NDArray[np.float64]
    down: npt.NDArray[np.float64]  # -L_i: how far a hidden cell can go down
    up: npt.NDArray[np.float64]  # U_i: how far it can go up (inf)
    lb: npt.NDArray[np.float64]  # 1 where a cell must be hidden
    ub: npt.NDArray[np.float64]  # 0 where a cell cannot be hidden (it is public anyway)
    cost: npt.NDArray[np.float64]
    cut_cols: list[npt.NDArray[np.int64]] = field(default_factory=list)
    cut_coefs: list[npt.NDArray[np.float64]] = field(default_factory=list)
    cut_rhs: list[float] = field(default_factory=list)
    cut_need: list[int] = field(default_factory=list)
    lps: int = 0

    def cuts(self, active: list[int]) -> tuple[sparse.csr_matrix | None, npt.NDArray[np.float64]]:
        """The cuts of the needs still sought, as ``matrix @ x >= rhs``."""
        wanted = set(active)
        rows = [i for i, k in enumerate(self.cut_need) if k in wanted]
        if not rows:
            return None, np.zeros(0)
        cols = [self.cut_cols[i] for i in rows]
        matrix = sparse.csr_matrix(
            (
                np.concatenate([self.cut_coefs[i] for i in rows]),
                np.concatenate(cols),
                np.concatenate([[0], np.cumsum([len(c) for c in cols])]),
            ),
            shape=(len(rows), len(self.cells)),
        )
        return matrix, np.array([self.cut_rhs[i] for i in rows])


def short(
    block: Block,
    needs: list[Need],
    active: list[int],
    x: npt.NDArray[np.float64],
    add: bool,
    passed: set[tuple[int, bytes]] | None = None,
) -> list[int]:
    """The needs the attacker LPs find unmet under pattern ``x`` (adding cuts when ``add``).

    A need whose group of linked hidden cells is the same as in an earlier round where it was
    met (``passed``) is not checked again: the attacker LP would be the same.
    """
    hidden = np.flatnonzero(x > 0.5)
    relations = sparse.vstack([abs(block.sums[:, hidden]), abs(block.overlaps[:, hidden])]).tocsr()
    _, labels = connected_components((relations.T @ relations).tocsr(), directed=False)
    groups: dict[int, list[int]] = {}
    for k in active:
        position = int(np.searchsorted(hidden, needs[k].cell))
        groups.setdefault(int(labels[position]), []).append(k)
    unmet: list[int] = []
    for label, ks in groups.items():
        cols = hidden[labels == label]
        signature = cols.tobytes()
        todo = [k for k in ks if passed is None or (k, signature) not in passed]
        per_lp = max(1, STACK // len(cols))
        for start in range(0, len(todo), per_lp):
            chunk = todo[start : start + per_lp]
            for k, met in zip(chunk, _attack(block, needs, chunk, cols, add), strict=True):
                if not met:
                    unmet.append(k)
                elif passed is not None:
                    passed.add((k, signature))
    return unmet


def _attack(
    block: Block, needs: list[Need], ks: list[int], cols: npt.NDArray[np.int64], add: bool
) -> list[bool]:
    """Attacker LPs of several needs on one group of hidden cells, stacked into one LP.

    Copy ``j`` of the group's relations maximises ``d_j z_p`` for need ``ks[j]``, capped at the
    need so that the stacked LP stays bounded; the copies are independent, so each copy's part
    of the optimum and of the duals is its own LP's. Returns whether each need is met; for an
    unmet need a cut is added (when ``add``).
    """
    eq = block.sums[:, cols]
    eq_rows = np.flatnonzero(eq.getnnz(axis=1))
    ub_m = block.overlaps[:, cols]
    ub_rows = np.flatnonzero(ub_m.getnnz(axis=1))
    m, copies = len(cols), len(ks)
    c = np.zeros(m * copies)
    low = np.tile(-block.down[cols], copies)
    high = np.concatenate([np.minimum(block.up[cols], needs[k].reach) for k in ks])
    targets = []
    for j, k in enumerate(ks):
        need = needs[k]
        at = j * m + int(np.searchsorted(cols, need.cell))
        targets.append(at)
        c[at] = -need.direction
        if need.direction > 0:
            high[at] = min(high[at], need.amount)
        else:
            low[at] = max(low[at], -need.amount)
    a_eq = sparse.block_diag([eq[eq_rows]] * copies, format="csr") if len(eq_rows) else None
    a_ub = sparse.block_diag([ub_m[ub_rows]] * copies, format="csr") if len(ub_rows) else None
    res = linprog(
        c,
        A_ub=a_ub,
        b_ub=np.tile(block.slack[ub_rows], copies) if a_ub is not None else None,
        A_eq=a_eq,
        b_eq=np.zeros(len(eq_rows) * copies) if a_eq is not None else None,
        bounds=np.column_stack([low, high]),
        method="highs",
    )
    block.lps += 1
    if res.status != 0:  # pragma: no cover - z = 0 is feasible and every copy is capped
        raise RuntimeError(f"attacker LP failed: {res.message}")
    met = []
    for j, k in enumerate(ks):
        need = needs[k]
        ok = need.direction * float(res.x[targets[j]]) >= need.amount - TOL
        met.append(ok)
        if ok or not add:
            continue
        gamma = np.zeros(block.sums.shape[0])
        delta = np.zeros(block.overlaps.shape[0])
        if len(eq_rows):
            gamma[eq_rows] = -res.eqlin.marginals[j * len(eq_rows) : (j + 1) * len(eq_rows)]
        if len(ub_rows):
            dual = res.ineqlin.marginals[j * len(ub_rows) : (j + 1) * len(ub_rows)]
            delta[ub_rows] = np.maximum(-dual, 0.0)
        add_cut(block, need, k, gamma, delta)
    return met


def add_cut(
    block: Block,
    need: Need,
    k: int,
    gamma: npt.NDArray[np.float64],
    delta: npt.NDArray[np.float64],
) -> None:
    """The Benders cut of a dual solution (see ``secondary``)."""
    r = -(block.sums.T @ gamma) - (block.overlaps.T @ delta)
    r[need.cell] += need.direction
    r[np.abs(r) < 1e-9] = 0.0
    rhs = need.amount - float(delta @ block.slack)
    if rhs <= TOL:  # pragma: no cover - then the attacker LP met the need
        return
    up = np.minimum(block.up, need.reach)
    coef = np.where(r > 0, r * up, 0.0) + np.where(r < 0, -r * block.down, 0.0)
    coef = np.minimum(coef, rhs)
    cols = np.flatnonzero(coef > 1e-12)
    block.cut_cols.append(cols)
    block.cut_coefs.append(coef[cols])
    block.cut_rhs.append(rhs)
    block.cut_need.append(k)


def row_cuts(block: Block, need: Need, k: int) -> None:
    """Initial cuts: in each sum through the cell, some other cell must be hidden and move."""
    column = block.sums[:, [need.cell]].tocoo()
    for row, coef in zip(column.row, column.data, strict=True):
        gamma = np.zeros(block.sums.shape[0])
        gamma[row] = need.direction / coef
        add_cut(block, need, k, gamma, np.zeros(block.overlaps.shape[0]))


def witnesses(
    block: Block,
    needs: list[Need],
    todo: list[int],
    x: npt.NDArray[np.float64],
    within: npt.NDArray[np.bool_] | None = None,
) -> tuple[npt.NDArray[np.float64], list[int]]:
    """``x`` with a witness of each need in ``todo`` hidden, and the needs that have none.

    The two sides of one cell's interval often share a witness: the deviation found for one
    side, reversed and rescaled, is tried for the other before an LP is solved.
    """
    x = x.copy()
    impossible: list[int] = []
    last: tuple[Need, npt.NDArray[np.float64]] | None = None
    for k in todo:
        need = needs[k]
        if last is not None and last[0].cell == need.cell and last[0].direction != need.direction:
            flipped = -last[1] * (need.amount / last[0].amount)
            if _fits(block, need, flipped, within):
                continue
        z = witness(block, need, x, within)
        if z is None:
            impossible.append(k)
            last = None
        else:
            x[np.abs(z) > 1e-9] = 1.0
            last = (need, z)
    return x, impossible


def _fits(
    block: Block,
    need: Need,
    z: npt.NDArray[np.float64],
    within: npt.NDArray[np.bool_] | None,
) -> bool:
    """Whether deviation ``z`` is open to the outsider for this need (it keeps the sums)."""
    allowed = block.ub > 0.5
    if within is not None:
        allowed &= within
    moving = np.abs(z) > 1e-9
    others = np.ones(len(z), dtype=bool)
    others[need.cell] = False
    up = np.minimum(block.up, need.reach)
    return bool(
        allowed[moving].all()
        and (z[others] <= up[others] + TOL).all()
        and (z >= -block.down - TOL).all()
        and (block.overlaps.shape[0] == 0 or (block.overlaps @ z <= block.slack + TOL).all())
    )


def witness(
    block: Block,
    need: Need,
    x: npt.NDArray[np.float64],
    within: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.float64] | None:
    """A deviation that lets an outsider move the need's cell by its amount, or ``None``.

    The cheapest deviation ``z`` with ``z_p = d * amount`` that keeps every relation and
    bound, where moving a cell costs its suppression cost (almost nothing when ``x`` hides it
    already), L1-weighted; only cells ``within`` may move. Hiding the cells it moves makes the
    need met whatever else is hidden, since ``z`` stays open to the outsider.
    """
    m = len(block.cells)
    allowed = block.ub > 0.5
    if within is not None:
        allowed &= within
    up = np.where(allowed, np.minimum(block.up, need.reach), 0.0)
    down = np.where(allowed, block.down, 0.0)
    p = need.cell
    lows = np.zeros(2 * m)
    if need.direction > 0:
        up[p], down[p] = need.amount, 0.0
        lows[p] = need.amount
    else:
        up[p], down[p] = 0.0, need.amount
        lows[m + p] = need.amount
    weight = np.where(x > 0.5, NEAR_FREE, 1.0) * (block.cost + NEAR_FREE)
    sums, overlaps = block.sums, block.overlaps
    res = linprog(
        np.concatenate([weight, weight]),
        A_ub=sparse.hstack([overlaps, -overlaps]) if overlaps.shape[0] else None,
        b_ub=block.slack if overlaps.shape[0] else None,
        A_eq=sparse.hstack([sums, -sums]) if sums.shape[0] else None,
        b_eq=np.zeros(sums.shape[0]) if sums.shape[0] else None,
        bounds=np.column_stack([lows, np.concatenate([up, down])]),
        method="highs",
    )
    block.lps += 1
    if res.status != 0:
        return None
    z = np.asarray(res.x[:m] - res.x[m:], dtype=np.float64)
    z[np.abs(z) <= 1e-9] = 0.0
    return z
