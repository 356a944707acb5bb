"""Comparisons run in DuckDB without extensions, and the SQL Dice equals the encoder's."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from victim_monitor.linkage import compare, score, standardise
from victim_monitor.pseudonymise import Key, dice, encode_rows

KEY = Key(bytes(range(32)))
NAMES = st.text(alphabet="abcdefghijklmnoprstuvwyz", min_size=2, max_size=9)


def _encoded(first: str, last: str, birth: str) -> dict[str, str]:
    row = {
        "case_reference": "C1",
        "first_name": first,
        "last_name": last,
        "birth_date": birth,
        "sex": "F",
        "report_date": "2016-05-01",
    }
    (result,) = encode_rows([row], KEY, today=dt.date(2020, 1, 1))
    assert result.encoded is not None
    return result.encoded.as_dict()


def _frame(rows: list[dict[str, str]]) -> pd.DataFrame:
    """Encoded rows as read_reports would give them."""
    frame = pd.DataFrame(rows)
    frame["unique_id"] = range(1, len(rows) + 1)
    frame["sex"] = "female"
    frame["birth_year"] = pd.array([int(r["birth_year"]) if r["birth_year"] else None
                                    for r in rows], dtype="Int64")  # fmt: skip
    frame["nationality"] = None
    frame["report_date"] = dt.date(2016, 5, 1)
    frame["organisation_code"] = "POL"
    return frame


DUCKDB = score.duckdb_api().duckdb_con


@settings(max_examples=10, deadline=None)
@given(first=st.tuples(NAMES, NAMES), last=st.tuples(NAMES, NAMES))
def test_dice_in_sql_equals_the_encoders_dice(
    first: tuple[str, str], last: tuple[str, str]
) -> None:
    a = _encoded(first[0], last[0], "1990-05-12")
    b = _encoded(first[1], last[1], "1990-12-05")
    frame = standardise.standardise(_frame([a, b]))
    con = DUCKDB
    con.register("f", frame)
    sql = compare.dice_sql().replace("_l", "_a").replace("_r", "_b")
    columns = ", ".join(f"l.{c} AS {c}_a, r.{c} AS {c}_b" for c in standardise.WORD_COLUMNS)
    pair = f"SELECT {columns} FROM f l, f r WHERE l.unique_id = 1 AND r.unique_id = 2"
    query = f"SELECT {sql} FROM ({pair})"
    ((value,),) = con.execute(query).fetchall()
    assert value == dice(a["bloom"], b["bloom"])


def test_bloom_words_round_trip() -> None:
    row = _encoded("Anna Maria", "van der Berg", "1990-05-12")
    words, present = standardise.bloom_words([row["bloom"], "", None])
    assert present.tolist() == [True, False, False]
    value = 0
    for w in words[0]:
        value = (value << 64) | (int(w) & (2**64 - 1))
    assert value.bit_count() == 512
    assert (words[1:] == 0).all()


def test_unknown_values_are_null_never_a_code_that_agrees() -> None:
    rows = [_encoded("Anna", "Jansen", ""), _encoded("", "", "1990")]
    frame = _frame(rows)
    frame["sex"] = ["other_unknown", "male"]
    frame["nationality"] = ["", "PL"]
    out = standardise.standardise(frame)
    assert out.loc[0, "sex"] is None
    assert out.loc[1, "sex"] == "M"
    assert out.loc[0, "nationality"] is None
    assert out.loc[0, "pn_birth_date"] is None
    assert out.loc[1, "pn_first_name"] is None
    assert out["report_day"].tolist() == [(dt.date(2016, 5, 1) - dt.date(1970, 1, 1)).days] * 2


def test_scoring_loads_no_duckdb_extension() -> None:
    rows = [_encoded(first, last, birth) for first, last, birth in [
        ("Anna", "Jansen", "1990-05-12"), ("Anna", "Janssen", "1990-05-12"),
        ("Piet", "Bakker", "1985-01-01"), ("Anna", "Jansen", ""),
    ]]  # fmt: skip
    frame = standardise.standardise(_frame(rows))
    api = score.duckdb_api()
    loaded_before = api.duckdb_con.execute(
        "SELECT extension_name FROM duckdb_extensions() WHERE loaded"
    ).fetchall()

    pairs = score.predict(frame, score.reference_model(), floor=0.0, api=api)
    loaded_after = api.duckdb_con.execute(
        "SELECT extension_name FROM duckdb_extensions() WHERE loaded"
    ).fetchall()
    assert loaded_after == loaded_before
    assert {"gamma_name", "gamma_birth"} <= set(pairs.columns)
    best = pairs.sort_values("match_probability").iloc[-1]
    assert (best["unique_id_l"], best["unique_id_r"]) == (1, 2)  # the typo pair
    assert api.duckdb_con.execute(
        "SELECT current_setting('autoinstall_known_extensions')"
    ).fetchone() == (False,)


def test_every_comparison_has_a_null_or_else_level_and_labels() -> None:
    for comparisons in (compare.pseudonymised_comparisons(), compare.clear_comparisons()):
        names = [c["output_column_name"] for c in comparisons]
        assert names == ["name", "birth", "sex", "nationality", "report_date", "organisation"]
        for c in comparisons:
            levels = c["comparison_levels"]
            assert levels[-1]["sql_condition"] == "ELSE"
            assert all(lv["label_for_charts"] for lv in levels)
