"""Clustering: connected components, cannot-links, independence of input order."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from victim_monitor.linkage.cluster import DECIDED, KEPT, chain, cluster, edges, thin


def _edges(*pairs: tuple[int, int, float]) -> pd.DataFrame:
    frame = pd.DataFrame(pairs, columns=["unique_id_l", "unique_id_r", "match_probability"])
    return edges(frame)


def test_components_are_labelled_by_their_smallest_id() -> None:
    ids = np.array([10, 11, 12, 13, 14], np.int64)
    labels = cluster(ids, _edges((11, 12, 0.9), (12, 13, 0.85), (99, 10, 0.9)))
    assert labels.tolist() == [10, 11, 11, 11, 14]


def test_a_cannot_link_keeps_the_strongest_edges() -> None:
    ids = np.arange(1, 5, dtype=np.int64)
    # 1-2 strong, 2-3 weak, 3-4 strong: "1 and 4 are different" drops the weak edge.
    labels = cluster(ids, _edges((1, 2, 0.99), (2, 3, 0.81), (3, 4, 0.98)), [(1, 4)])
    assert labels.tolist() == [1, 1, 3, 3]


def test_decisions_and_earlier_persons_outrank_the_model() -> None:
    ids = np.arange(1, 5, dtype=np.int64)
    graph = pd.concat(
        [
            _edges((1, 2, 0.999)),
            edges(pd.DataFrame({"unique_id_l": [2], "unique_id_r": [3]}), DECIDED),
            edges(chain(pd.Series([3, 4]), pd.Series([7, 7])), KEPT),
        ]
    )
    labels = cluster(ids, graph, [(1, 3)])
    assert labels.tolist() == [1, 2, 2, 2]


def test_chain_holds_each_group_together() -> None:
    links = chain(pd.Series([5, 3, 9, 4]), pd.Series(["a", "a", "b", "a"]))
    assert sorted(zip(links["unique_id_l"], links["unique_id_r"], strict=True)) == [(3, 4), (3, 5)]


PAIRS = st.lists(
    st.tuples(st.integers(0, 11), st.integers(0, 11), st.floats(0.8, 1.0)), max_size=25
)


@settings(max_examples=60, deadline=None)
@given(pairs=PAIRS, cannot=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=3),
       seed=st.integers(0, 2**16))  # fmt: skip
def test_clusters_respect_cannot_links_and_ignore_input_order(
    pairs: list[tuple[int, int, float]], cannot: list[tuple[int, int]], seed: int
) -> None:
    cannot = [(a, b) for a, b in cannot if a != b]
    ids = np.arange(12, dtype=np.int64)
    graph = _edges(*[(a, b, p) for a, b, p in pairs if a != b]) if pairs else _edges()
    labels = cluster(ids, graph, cannot)
    for a, b in cannot:
        assert labels[a] != labels[b]
    rng = np.random.default_rng(seed)
    shuffled = graph.iloc[rng.permutation(len(graph))].reset_index(drop=True)
    order = rng.permutation(12)
    again = cluster(ids[order], shuffled, list(reversed(cannot)))
    assert again.tolist() == labels[order].tolist()
    if not cannot:
        # Without cannot-links: exactly the connected components.
        for a, b, _ in pairs:
            assert labels[a] == labels[b]


@settings(max_examples=80, deadline=None)
@given(pairs=PAIRS,
       same=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=5),
       different=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=4),
       groups=st.lists(st.integers(0, 3), min_size=12, max_size=12))  # fmt: skip
def test_decisions_that_agree_with_each_other_are_all_respected(
    pairs: list[tuple[int, int, float]],
    same: list[tuple[int, int]],
    different: list[tuple[int, int]],
    groups: list[int],
) -> None:
    # Keep the "different" decisions that the "same" ones do not contradict (as review does).
    parent = list(range(12))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in same:
        parent[find(a)] = find(b)
    cannot = [(a, b) for a, b in different if find(a) != find(b)]
    ids = np.arange(12, dtype=np.int64)
    parts = [
        _edges(*[(a, b, p) for a, b, p in pairs if a != b]),
        edges(pd.DataFrame(same, columns=["unique_id_l", "unique_id_r"]), DECIDED),
        # earlier persons, as an incremental run holds them together
        edges(chain(pd.Series(ids), pd.Series(groups)), KEPT),
    ]
    graph = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
    labels = cluster(ids, graph, cannot)
    for a, b in same:
        assert labels[a] == labels[b]
    for a, b in cannot:
        assert labels[a] != labels[b]


def test_a_chain_of_namesakes_is_cut_where_it_is_weakest() -> None:
    ids = np.arange(1, 13, dtype=np.int64)
    # Two persons of six (strong links), chained by one weak link 6-7; a decision 11-12.
    strong = [(i, i + 1, 0.95) for i in (1, 2, 3, 4, 5, 7, 8, 9, 10)]
    graph = pd.concat(
        [
            _edges(*strong, (6, 7, 0.3)),
            edges(pd.DataFrame({"unique_id_l": [11], "unique_id_r": [12]}), DECIDED),
        ]
    )
    assert len(thin(ids, graph, largest=12)) == len(graph)  # nothing too large: untouched
    thinned = thin(ids, graph, largest=11)
    assert len(thinned) == len(graph) - 1
    assert not ((thinned["unique_id_l"] == 6) & (thinned["unique_id_r"] == 7)).any()
    assert pd.Series(cluster(ids, thinned)).value_counts().tolist() == [6, 6]
    # The decision is never cut, even where nothing smaller would do.
    kept = thin(ids, graph, largest=1)
    assert kept["strength"].tolist() == [DECIDED]
