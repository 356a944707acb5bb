"""Terms, models and their names; the hierarchical model catalogue."""

from __future__ import annotations

import pytest

from victim_monitor.estimation.design import (
    closure,
    count_hierarchical,
    design_matrix,
    hierarchical_models,
    is_hierarchical,
    members,
    mse_label,
    pair_terms,
    parse_terms,
    term_label,
)


@pytest.mark.parametrize(
    ("m", "order", "count"),
    [(3, 2, 8), (4, 3, 113), (5, 4, 6893), (6, 2, 32768), (5, 2, 1024)],
)
def test_catalogue_sizes_match_multiplesystemsestimation_and_rcapture(
    m: int, order: int, count: int
) -> None:
    # 6893 and 32768: the counts Rcapture closedpMS.t reports fitting (reference-estimates.csv)
    assert count_hierarchical(m, order) == count


@pytest.mark.parametrize(("m", "order"), [(4, 4), (5, 3), (5, 4)])
def test_each_model_comes_once_with_its_terms_in_order_and_by_level(m: int, order: int) -> None:
    # ties in BIC keep enumeration order, so the order itself is part of the answer
    models = list(hierarchical_models(m, order))
    assert len(set(models)) == len(models)
    for model in models:
        assert list(model) == sorted(model, key=lambda t: (t.bit_count(), members(t)))
        assert is_hierarchical(model)
    assert models[:3] == [(), (0b011,), (0b101,)]  # main effects, then pairs in list order


def test_pairs_come_in_sparsemse_order() -> None:
    assert pair_terms(3) == [0b011, 0b101, 0b110]


@pytest.mark.parametrize(
    ("terms", "m", "label"),
    [
        ((0b11000,), 8, "[45,1,2,3,6,7,8]"),
        ((), 5, "[1,2,3,4,5]"),
        (closure([0b111, 0b10010, 0b01100]), 5, "[123,25,34]"),
        (closure([0b10101, 0b11, 0b1010, 0b1100]), 5, "[135,12,24,34]"),
    ],
)
def test_multiplesystemsestimation_labels(terms: tuple[int, ...], m: int, label: str) -> None:
    assert mse_label(terms, m) == label


def test_names_round_trip_and_hierarchy() -> None:
    names = ("LA", "NG", "PF")
    terms = parse_terms(["LA:NG", "NG:PF", "LA:NG:PF"], names)
    assert [term_label(t, names) for t in terms] == ["LA:NG", "NG:PF", "LA:NG:PF"]
    assert not is_hierarchical(terms)
    assert is_hierarchical(closure(terms))
    assert parse_terms(["12", "23"], names) == (0b011, 0b110)
    with pytest.raises(ValueError, match="unknown list"):
        parse_terms(["LA:XX"], names)


def test_design_columns_are_on_every_list_indicators() -> None:
    x = design_matrix(2, [0b11])
    assert x.tolist() == [[1, 1, 0, 0], [1, 0, 1, 0], [1, 1, 1, 1]]
