"""Secondary suppression as an optimisation: hide the cheapest extra cells that protect all.

The model is that of Fischetti and Salazar-González (2000, 2001). With ``a`` the true counts,
``x_i = 1`` when cell ``i`` is hidden, and an outsider's deviation ``z = y - a`` from the
truth, an unsafe cell ``p`` with protection ``(lower, upper)`` is protected when

    max  z_p  >= upper   and   max -z_p >= lower
    over M z = 0 (sums), G z <= s (overlaps, s = -G a), -D_i x_i <= z_i <= U_i x_i

where ``D_i = a_i - low_i`` (a hidden count can fall to 0, or to what last year's rounding
allows) and ``U_i = min(high_i - a_i, REACH * protection)``. Capping how far *other* cells may
rise is conservative: a pattern that is safe against this attacker is safe against one without
the cap (the audit has none), and it lets cuts have finite coefficients.

Each block of linked cells is solved in two phases. **Heuristic**: for each unsafe cell in
turn, the cheapest *witness* deviation (``attacker.witness``; cells hidden already are almost
free) is found and its cells hidden; the pattern is safe by construction. **Exact**: the
master MILP chooses ``x`` at least cost subject to cuts; for the chosen ``x`` the attacker
LPs are solved, and from the dual ``(gamma, delta)`` of each shortfall, with
``r = d e_p - M^T gamma - G^T delta``, the Benders cut

    sum_i min(rhs, max(r_i, 0) U_i + max(-r_i, 0) D_i) x_i >= rhs = need - delta^T s

is added; an unsafe master solution is completed with witnesses into a safe one. The loop
stops when a master solution is safe, when the best safe pattern costs at most ``GAP`` more
than the master's lower bound, or at the policy's time limit. Every pattern returned is safe;
only its cost depends on how far the exact phase got (``Pattern.optimal``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import connected_components

from victim_monitor.disclosure.attacker import Block, Need, row_cuts, short, witnesses
from victim_monitor.disclosure.consistency import Knowledge
from victim_monitor.disclosure.policy import Policy
from victim_monitor.disclosure.primary import Primary

GAP = 0.02  # accepted relative distance of a pattern's cost from the cheapest
MAX_ROUNDS = 500
TIDY = 1.1  # a completed master solution is tidied when it costs less than TIDY * best
STALL = 30  # exact rounds without a cheaper safe pattern before the heuristic one is kept


@dataclass(frozen=True)
class Pattern:
    """The cells to hide (this year's cells), and the unsafe cells no pattern can protect."""

    hidden: npt.NDArray[np.bool_]
    unprotectable: tuple[int, ...] = ()
    optimal: bool = True
    stats: dict[str, Any] = field(default_factory=dict)


def suppress(
    know: Knowledge, prim: Primary, cost: npt.NDArray[np.float64], policy: Policy
) -> Pattern:
    """A cheap pattern that gives every unsafe cell its protection interval."""
    started = time.perf_counter()
    hidden = prim.unsafe.copy()
    unprotectable: list[int] = []
    optimal = True
    rounds = lps = blocks = 0
    for cells in _blocks(know):
        mine = cells[cells < know.n]
        if not prim.unsafe[mine].any():
            continue
        blocks += 1
        block = _block(know, prim, cost, cells)
        needs = _needs(know, prim, cells)
        x, bad, block_rounds, block_optimal = _solve(block, needs, policy.time_limit)
        rounds += block_rounds
        lps += block.lps
        optimal &= block_optimal
        current = cells < know.n
        # unsafe cells stay hidden even when they cannot be protected (reported as VM720)
        hidden[cells[current]] = (x[current] > 0.5) | prim.unsafe[cells[current]]
        unprotectable += sorted({int(cells[needs[k].cell]) for k in bad})
    stats = {
        "blocks": blocks,
        "rounds": rounds,
        "lps": lps,
        "optimal": optimal,
        "seconds": round(time.perf_counter() - started, 3),
    }
    return Pattern(hidden, tuple(unprotectable), optimal, stats)


def _blocks(know: Knowledge) -> list[npt.NDArray[np.int64]]:
    """Cells linked by any relation, as sorted arrays of variable indices."""
    relations = sparse.vstack([abs(know.sums), abs(know.overlaps)]).tocsr()
    graph = (relations.T @ relations).tocsr()
    count, labels = connected_components(graph, directed=False)
    order = np.argsort(labels, kind="stable")
    splits = np.flatnonzero(np.diff(labels[order])) + 1
    return [np.sort(group) for group in np.split(order, splits)] if count else []


def _block(
    know: Knowledge, prim: Primary, cost: npt.NDArray[np.float64], cells: npt.NDArray[np.int64]
) -> Block:
    sums = know.sums[:, cells]
    sums = sums[np.flatnonzero(sums.getnnz(axis=1))]
    overlaps = know.overlaps[:, cells]
    overlaps = overlaps[np.flatnonzero(overlaps.getnnz(axis=1))]
    a = know.values[cells]
    current = cells < know.n
    unsafe = np.zeros(len(cells), dtype=bool)
    unsafe[current] = prim.unsafe[cells[current]]
    lb = np.where(unsafe | know.hidden[cells], 1.0, 0.0)
    ub = np.where(know.known[cells], 0.0, 1.0)
    ub[~current] = lb[~current]  # last year's own cells are not ours to hide or show
    lb = np.minimum(lb, ub)  # an unsafe cell published last year cannot be hidden now
    block_cost = np.zeros(len(cells))
    block_cost[current] = cost[cells[current]]
    return Block(
        cells=cells,
        sums=sparse.csr_matrix(sums),
        overlaps=sparse.csr_matrix(overlaps),
        slack=-(overlaps @ a),
        down=a - know.low[cells],
        up=know.high[cells] - a,
        lb=lb,
        ub=ub,
        cost=block_cost,
    )


def _needs(know: Knowledge, prim: Primary, cells: npt.NDArray[np.int64]) -> list[Need]:
    needs = []
    for local, cell in enumerate(cells):
        if cell < know.n and prim.unsafe[cell]:
            if prim.upper[cell] > 0:
                needs.append(Need(local, +1, float(prim.upper[cell])))
            if prim.lower[cell] > 0:
                needs.append(Need(local, -1, float(prim.lower[cell])))
    return needs


def _solve(
    block: Block, needs: list[Need], time_limit: float
) -> tuple[npt.NDArray[np.float64], list[int], int, bool]:
    """Heuristic, then exact rounds: (x, unprotectable needs, rounds, optimal within GAP)."""
    deadline = time.perf_counter() + time_limit
    # an unsafe cell that last year's release showed with the same count cannot be protected
    bad = [k for k, need in enumerate(needs) if block.ub[need.cell] < 0.5]
    active = [k for k in range(len(needs)) if k not in bad]
    best, impossible = _complete(block, needs, active, block.lb.copy())
    bad += impossible
    active = [k for k in active if k not in impossible]
    best = _tidy(block, needs, active, best)
    for k in active:
        row_cuts(block, needs[k], k)
    passed: set[tuple[int, bytes]] = set()
    stalled = 0
    for rounds in range(1, MAX_ROUNDS + 1):
        left = deadline - time.perf_counter()
        if left <= 0 or stalled >= STALL:
            return best, bad, rounds - 1, False
        x, status, bound = _master(block, active, left)
        if x is None:
            return best, bad, rounds, False
        if bound is not None and block.cost @ best <= bound * (1 + GAP) + 1e-9:
            return best, bad, rounds, True
        unmet = short(block, needs, active, x, add=True, passed=passed)
        if not unmet:
            cheaper = block.cost @ x <= block.cost @ best
            return (x if cheaper else best), bad, rounds, status == "optimal"
        stalled += 1
        if len(unmet) > max(2, len(active) // 10):
            continue  # far from safe: completing it would cost LPs and rarely pay
        x = _complete(block, needs, unmet, x)[0]
        if block.cost @ x < TIDY * (block.cost @ best):  # tidying costs one LP per need
            x = _tidy(block, needs, active, x)
        if block.cost @ x < block.cost @ best - 1e-9:
            best, stalled = x, 0
    return best, bad, MAX_ROUNDS, False  # pragma: no cover


def _complete(
    block: Block, needs: list[Need], todo: list[int], x: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], list[int]]:
    """Add each need's cheapest witness to ``x``: a safe pattern, and the needs with none."""
    return witnesses(block, needs, todo, x)


def _tidy(
    block: Block, needs: list[Need], active: list[int], x: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Drop hidden cells that no witness needs: witnesses are found again among ``x``'s cells.

    Each need's witness is sought only among the cells ``x`` hides, preferring cells that the
    witnesses found before it use; cells no witness uses are shown again. Every need keeps a
    witness, so the pattern stays safe.
    """
    kept, lost = witnesses(block, needs, active, block.lb.copy(), within=x > 0.5)
    if lost:  # pragma: no cover - x is safe, so every need has a witness within it
        return x
    return kept if block.cost @ kept < block.cost @ x else x


def _master(
    block: Block, active: list[int], seconds: float
) -> tuple[npt.NDArray[np.float64] | None, str, float | None]:
    """The cheapest pattern meeting the cuts so far: (x, status, lower bound on the cost)."""
    matrix, rhs = block.cuts(active)
    constraints = [] if matrix is None else [LinearConstraint(matrix, rhs, np.inf)]
    res = milp(
        block.cost,
        integrality=np.ones(len(block.cells)),
        bounds=Bounds(block.lb, block.ub),
        constraints=constraints,
        options={"time_limit": seconds, "mip_rel_gap": GAP / 2, "disp": False},
    )
    bound = getattr(res, "mip_dual_bound", None)
    if res.x is None:
        return None, "infeasible" if res.status == 2 else "limit", bound
    return np.round(res.x), "optimal" if res.status == 0 else "limit", bound
