"""Property: for random raw files, the browser encoder's output equals Python's.

Rows mix plausible values (Dutch names with particles, dates in every accepted layout, coded
values in Dutch and English) with arbitrary text, so that both the encoded rows and the
problems are exercised; the container varies too (separator, line ends, BOM, quoting).
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web_encoder.harness import Node, assert_same, node_encode, python_encode
from victim_monitor.pseudonymise import RAW_COLUMNS, Key
from victim_monitor.pseudonymise.source import column_aliases

ANY_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=12)
FIRST = st.sampled_from(
    ["Anna", "Jan", "Mohammed", "Олена", "José", "N.N.", "", "Anna-Maria", "Wei", "Thị Lan"]
)
LAST = st.sampled_from(
    ["van der Berg", "Berg, van der", "De", "Meijer", "Kowalczyk", "Nguyễn", "onbekend", "",
     "'t Hart", "El Amrani", "Jansen-de Vries", "Шевчук"]
)  # fmt: skip
DAY = st.integers(0, 32).map(lambda d: f"{d:02d}")
MONTH = st.integers(0, 13).map(lambda m: f"{m:02d}")
YEAR = st.integers(1880, 2026).map(str)
DATE = st.one_of(
    st.builds(lambda y, m, d: f"{y}-{m}-{d}", YEAR, MONTH, DAY),
    st.builds(lambda y, m, d: f"{d}-{m}-{y}", YEAR, MONTH, DAY),
    st.builds(lambda y, m, d: f"{d}/{m}/{y} 12:30", YEAR, MONTH, DAY),
    st.builds(lambda y, m, d: f"{y}{m}{d}", YEAR, MONTH, DAY),
    st.builds(lambda y, m: f"{y}-{m}", YEAR, MONTH),
    YEAR,
    st.just(""),
    ANY_TEXT,
)
VALUES = {
    "case_reference": st.one_of(st.from_regex(r"[A-Z]{1,2}-[0-9]{1,3}", fullmatch=True), ANY_TEXT),
    "first_name": st.one_of(FIRST, ANY_TEXT),
    "last_name": st.one_of(LAST, ANY_TEXT),
    "birth_date": DATE,
    "sex": st.sampled_from(["F", "M", "X", "vrouw", "man", "", "onbekend", "?", "vrouwtje"]),
    "report_date": st.one_of(DATE, st.just("2021-03-04")),
    "nationality": st.sampled_from(["NL", "POL", "Poolse", "Oekraïense", "", "Narnia", "xx"]),
    "exploitation": st.sampled_from(["seksueel; arbeid", "labour", "", "onbekend", "dans", "a/b"]),
    "sector": st.sampled_from(["Horeca", "landbouw", "", "bakkerij", "sex_industry"]),
    "border_crossed": st.sampled_from(["ja", "nee", "", "n.v.t.", "misschien", "1"]),
    "country_of_exploitation": st.sampled_from(["Nederland", "BE", "", "Frankrijk", "Mars"]),
    "dublin_claimant": st.sampled_from(["j", "n", "", "?"]),
    "residence_permit": st.sampled_from(["aangevraagd", "verleend", "", "soms", "geen"]),
    "police_report": st.sampled_from(["ja", "nee", "", "0", "unknown"]),
}
ROW = st.fixed_dictionaries({}, optional=VALUES)
GOOD_DAY = st.integers(1, 28).map(lambda d: f"{d:02d}")
GOOD_MONTH = st.integers(1, 12).map(lambda m: f"{m:02d}")
GOOD_YEAR = st.integers(1950, 2010).map(str)
GOOD_VALUES = {
    **VALUES,
    "case_reference": st.just(""),  # numbered below: unique
    "first_name": st.one_of(FIRST, ANY_TEXT),
    "birth_date": st.one_of(
        st.builds(lambda y, m, d: f"{d}-{m}-{y}", GOOD_YEAR, GOOD_MONTH, GOOD_DAY),
        st.builds(lambda y, m: f"{y}-{m}", GOOD_YEAR, GOOD_MONTH),
        GOOD_YEAR,
        st.just(""),
    ),
    "sex": st.sampled_from(["F", "M", "X", "vrouw", "man", "", "onbekend", "?"]),
    "report_date": st.builds(lambda m, d: f"2021-{m}-{d}", GOOD_MONTH, GOOD_DAY),
    "exploitation": st.sampled_from(["seksueel; arbeid", "labour", "", "onbekend"]),
    "sector": st.sampled_from(["Horeca", "landbouw", "", "sex_industry"]),
    "border_crossed": st.sampled_from(["ja", "nee", "", "n.v.t.", "1"]),
    "residence_permit": st.sampled_from(["aangevraagd", "verleend", "", "geen"]),
}
GOOD_ROW = st.fixed_dictionaries(GOOD_VALUES)


@st.composite
def raw_files(draw: st.DrawFn, *, good: bool = False) -> bytes:
    columns = draw(st.permutations(RAW_COLUMNS))
    kept = [c for c in columns if c in REQUIRED or draw(st.booleans())]
    header = [draw(st.sampled_from(SPELLINGS[c])) for c in kept]
    if good:
        rows = draw(st.lists(GOOD_ROW, min_size=1, max_size=20))
        rows = [{**row, "case_reference": f"R-{i}"} for i, row in enumerate(rows)]
    else:
        rows = draw(st.lists(ROW, max_size=8))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    text = io.StringIO(newline="")
    writer = csv.writer(
        text,
        delimiter=delimiter,
        lineterminator=draw(st.sampled_from(["\n", "\r\n"])),
        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
    )
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(c, "") for c in kept])
    bom = b"\xef\xbb\xbf" if draw(st.booleans()) else b""
    return bom + text.getvalue().encode("utf-8")


# How a column may be named: its standard name, shouted, or any known alias (duplicates and
# clashes happen, and give VM412 on both sides).
SPELLINGS = {
    column: [
        column,
        column.upper().replace("_", " "),
        *sorted(alias for alias, target in column_aliases().items() if target == column),
    ]
    for column in RAW_COLUMNS
}
REQUIRED = {"case_reference", "first_name", "last_name", "birth_date", "sex", "report_date"}


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw_files())
def test_random_files_encode_identically(node: Node, key: Key, raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        assert_same(node, raw, key, Path(tmp))


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw_files(good=True))
def test_random_good_files_encode_identically(node: Node, key: Key, raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        outcome = assert_same(node, raw, key, Path(tmp))
    assert outcome.output is not None  # these files are valid: the rows themselves compared


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=200), st.sampled_from([b"", b"case_reference,first_name\n"]))
def test_random_bytes_give_the_same_problems(node: Node, key: Key, raw: bytes, head: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        try:
            python_encode(head + raw, key, Path(tmp))
        except (csv.Error, ValueError):
            # The Python encoder raises on some broken headers; the browser says VM401.
            got = node_encode(node, head + raw, key, "raw.csv")
            assert [(p["code"], p["row"]) for p in got.problems] == [("VM401", 1)]
        else:
            assert_same(node, head + raw, key, Path(tmp))
