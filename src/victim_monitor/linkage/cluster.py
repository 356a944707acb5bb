"""Cluster: reports into persons, from scored links, earlier persons and review decisions.

A person is a connected component of the graph whose nodes are reports and whose edges are

- model links with a match probability at or above the threshold (fixed in advance),
- a reviewer's "same person" decision,
- in an incremental run, the links that already hold the reports of an earlier person
  together (so that earlier links are kept, not re-decided).

A reviewer's "different persons" decision is a cannot-link: in any component that would hold
both reports, the edges are added one at a time, strongest first (decisions, then earlier
persons, then model links by probability), and an edge that would join two groups holding a
cannot-linked pair is left out. Components without such a pair (almost all) are plain
connected components. The result does not depend on the order of the input.

The model gives cannot-links of its own (*soft*): two reports of one component that the
model scores as almost surely different persons (two namesakes reported by the same
organisation, with other birth dates). They keep a chain of model links from joining them,
so that one weak link does not make one person of two; a decision or an earlier person (an
edge of strength ``KEPT`` or more) is never refused by a soft cannot-link.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

# Edge strengths above any probability: decisions first, then earlier persons.
DECIDED = 3.0
KEPT = 2.0
UNLIKELY = 0.01
"""Two reports of one component that the model scores below this are a soft cannot-link."""
LARGEST = 500
"""A component of more reports than this is a chain of namesakes, not a person (``thin``)."""

EDGE_COLUMNS = ("unique_id_l", "unique_id_r", "strength")


def edges(frame: pd.DataFrame, strength: str | float = "match_probability") -> pd.DataFrame:
    """An edge table (``EDGE_COLUMNS``) from pairs, with a column or a constant as strength."""
    value = frame[strength] if isinstance(strength, str) else strength
    return pd.DataFrame(
        {
            "unique_id_l": frame["unique_id_l"].astype("int64"),
            "unique_id_r": frame["unique_id_r"].astype("int64"),
            "strength": value,
        }
    )


def chain(ids: pd.Series, groups: pd.Series) -> pd.DataFrame:
    """Edges that hold each group of ``ids`` together (each id to its group's first id)."""
    frame = pd.DataFrame({"id": ids.to_numpy(), "group": groups.to_numpy()})
    first = frame.groupby("group")["id"].transform("min")
    keep = frame["id"] != first
    return pd.DataFrame(
        {"unique_id_l": first[keep].to_numpy(), "unique_id_r": frame["id"][keep].to_numpy()}
    )


def cluster(
    ids: NDArray[np.int64],
    links: pd.DataFrame,
    cannot: Iterable[tuple[int, int]] = (),
    soft: Iterable[tuple[int, int]] = (),
) -> NDArray[np.int64]:
    """A cluster label per id (labels are the smallest id of each cluster).

    ``links``: ``EDGE_COLUMNS``, every edge joins (subject to ``cannot`` and ``soft``).
    ``cannot``: pairs never joined; ``soft``: pairs no model edge (strength below ``KEPT``)
    joins. Edges naming an id not in ``ids`` are ignored.
    """
    cannot, soft = list(cannot), list(soft)
    n = len(ids)
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    left = _positions(sorted_ids, order, links["unique_id_l"].to_numpy(np.int64))
    right = _positions(sorted_ids, order, links["unique_id_r"].to_numpy(np.int64))
    known = (left >= 0) & (right >= 0)
    strength = links["strength"].to_numpy(float)[known]
    left, right = left[known], right[known]
    graph = coo_matrix((np.ones(len(left)), (left, right)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)

    conflicts = _conflicting_components(ids, labels, [*cannot, *soft])
    if conflicts:
        labels = labels.copy()
        inside = np.isin(labels[left], list(conflicts))
        _greedy(
            labels,
            ids,
            left[inside],
            right[inside],
            strength[inside],
            conflicts,
            _cannot_positions(sorted_ids, order, cannot),
            _cannot_positions(sorted_ids, order, soft),
        )
    # Label each cluster by its smallest id, which does not depend on input order.
    return pd.Series(ids).groupby(labels).transform("min").to_numpy(np.int64)


def thin(ids: NDArray[np.int64], links: pd.DataFrame, largest: int = LARGEST) -> pd.DataFrame:
    """``links`` without the weakest model links of every component of more than ``largest``
    reports: raised link by link within such a component until none of its parts is larger.

    No person has hundreds of reports; a component that large is a chain of weak links
    through namesakes, and it is cut where it is weakest (the single-linkage cut). Decisions
    and earlier persons (strength ``KEPT`` or more) are never cut.
    """
    n = len(ids)
    order = np.argsort(ids, kind="stable")
    left = _positions(ids[order], order, links["unique_id_l"].to_numpy(np.int64))
    right = _positions(ids[order], order, links["unique_id_r"].to_numpy(np.int64))
    known = (left >= 0) & (right >= 0)
    labels = _components(n, left[known], right[known])
    sizes = np.bincount(labels)
    if sizes.max(initial=0) <= largest:
        return links
    strength = links["strength"].to_numpy(float)
    component = np.full(len(links), -1, dtype=np.int64)
    component[known] = labels[left[known]]
    dropped = np.zeros(len(links), dtype=bool)
    for large in np.flatnonzero(sizes > largest):
        mine = np.flatnonzero(component == large)
        cuts = np.unique(strength[mine][strength[mine] < KEPT])
        low, high = 0, len(cuts)  # keep the edges of strength >= cuts[k]: the least such k
        while low < high:
            k = (low + high) // 2
            kept = mine[strength[mine] >= cuts[k]]
            if _largest(n, left[kept], right[kept]) <= largest:
                high = k
            else:
                low = k + 1
        floor = cuts[low] if low < len(cuts) else KEPT
        dropped[mine[strength[mine] < floor]] = True
    return links[~dropped].reset_index(drop=True)


def _components(n: int, left: NDArray[np.intp], right: NDArray[np.intp]) -> NDArray[np.int32]:
    graph = coo_matrix((np.ones(len(left)), (left, right)), shape=(n, n))
    labels: NDArray[np.int32] = connected_components(graph, directed=False)[1]
    return labels


def _largest(n: int, left: NDArray[np.intp], right: NDArray[np.intp]) -> int:
    return int(np.bincount(_components(n, left, right)).max(initial=0))


def unlikely(within: pd.DataFrame, same: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Soft cannot-links: scored pairs of one cluster below ``UNLIKELY``, unless decided same.

    ``within``: pairs inside clusters (``unique_id_l``, ``unique_id_r``,
    ``match_probability``), as ``score.within_persons`` gives them.
    """
    low = within[within["match_probability"] < UNLIKELY]
    decided = set(same)
    found = zip(low["unique_id_l"].tolist(), low["unique_id_r"].tolist(), strict=True)
    return [(int(a), int(b)) for a, b in found if (a, b) not in decided]


def _positions(
    sorted_ids: NDArray[np.int64], order: NDArray[np.intp], wanted: NDArray[np.int64]
) -> NDArray[np.intp]:
    """Index into the original ``ids`` of each wanted id, -1 where absent."""
    where = np.searchsorted(sorted_ids, wanted)
    where = np.clip(where, 0, max(len(sorted_ids) - 1, 0))
    found = len(sorted_ids) > 0
    hit = (sorted_ids[where] == wanted) if found else np.zeros(len(wanted), bool)
    return np.where(hit, order[where] if found else -1, -1).astype(np.intp)


def _cannot_positions(
    sorted_ids: NDArray[np.int64], order: NDArray[np.intp], cannot: Iterable[tuple[int, int]]
) -> list[tuple[int, int]]:
    pairs = list(cannot)
    if not pairs:
        return []
    a = _positions(sorted_ids, order, np.array([p[0] for p in pairs], np.int64))
    b = _positions(sorted_ids, order, np.array([p[1] for p in pairs], np.int64))
    return [(int(x), int(y)) for x, y in zip(a, b, strict=True) if x >= 0 and y >= 0]


def _conflicting_components(
    ids: NDArray[np.int64], labels: NDArray[np.int32], cannot: Iterable[tuple[int, int]]
) -> set[int]:
    label_of = dict(zip(ids.tolist(), labels.tolist(), strict=True))
    found: set[int] = set()
    for a, b in cannot:
        la, lb = label_of.get(a), label_of.get(b)
        if la is not None and la == lb:
            found.add(la)
    return found


def _greedy(
    labels: NDArray[np.int32],
    ids: NDArray[np.int64],
    left: NDArray[np.intp],
    right: NDArray[np.intp],
    strength: NDArray[np.float64],
    components: set[int],
    cannot: list[tuple[int, int]],
    soft: list[tuple[int, int]],
) -> None:
    """Re-cluster ``components`` in place, strongest edge first, never joining a cannot-link
    (nor, by a model edge, a soft one)."""
    members = np.flatnonzero(np.isin(labels, list(components)))
    parent = {int(m): int(m) for m in members}
    forbidden: dict[int, set[int]] = {int(m): set() for m in members}
    unlikely: dict[int, set[int]] = {int(m): set() for m in members}
    for pairs, table in ((cannot, forbidden), (soft, unlikely)):
        for a, b in pairs:
            if a in parent and b in parent:
                table[a].add(b)
                table[b].add(a)
    groups: dict[int, set[int]] = {int(m): {int(m)} for m in members}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # Strongest first; ties in a fixed order by the two ids (not their positions in the
    # input), so that the result does not depend on the order the reports came in.
    low = np.minimum(ids[left], ids[right])
    high = np.maximum(ids[left], ids[right])
    order = np.lexsort((high, low, -strength))
    for k in order:
        ra, rb = find(int(left[k])), find(int(right[k]))
        if ra == rb:
            continue
        small, big = (ra, rb) if len(groups[ra]) < len(groups[rb]) else (rb, ra)
        if any(forbidden[m] & groups[big] for m in groups[small]):
            continue
        if strength[k] < KEPT and any(unlikely[m] & groups[big] for m in groups[small]):
            continue
        parent[small] = big
        groups[big] |= groups.pop(small)
    fresh = max(int(labels.max()) + 1, 0)
    for root, group in groups.items():
        del root
        for m in group:
            labels[m] = fresh
        fresh += 1
