"""The block paths of the encoder give the same bytes as the one-at-a-time definitions."""

from __future__ import annotations

import base64
import csv
import gc
import io
import random
import unicodedata
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tests.pseudonymise.conftest import WriteRaw
from tests.pseudonymise.people import PEOPLE, TODAY, person
from victim_monitor.pseudonymise import Key, RowEncoder, encode_file
from victim_monitor.pseudonymise.bloom import BloomEncoder
from victim_monitor.pseudonymise.names import _FOLD_TABLE, fold_unicode
from victim_monitor.pseudonymise.output import row_writer

KEY = Key(bytes(range(32)))
# Values that need quotes in CSV, beside values that do not.
CELL = st.one_of(st.sampled_from(["", "a", ",", '"', "\r", "\n", "\r\n", " a ", "x,y"]), st.text())


def _csv_text(rows: list[list[str]], *, many: bool) -> str:
    """The file our writer makes of ``rows`` (as a block, or a row at a time)."""
    handle = io.StringIO(newline="")
    writer = row_writer(handle, [f"c{i}" for i in range(len(rows[0]))], "csv")
    if many:
        writer.write_many(rows)
    else:
        for values in rows:
            writer.write(values)
    return handle.getvalue()


def _csv_module(rows: list[list[str]]) -> str:
    """The same file made by the csv module alone: the reference."""
    handle = io.StringIO(newline="")
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow([f"c{i}" for i in range(len(rows[0]))])
    writer.writerows(rows)
    return handle.getvalue()


@given(
    rows=st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=1, max_size=5),
    width=st.integers(1, 3),
)
def test_a_block_of_rows_is_written_as_csv_writes_it(rows: list[list[str]], width: int) -> None:
    rows = [values[:width] for values in rows]
    assert _csv_text(rows, many=True) == _csv_module(rows)
    assert _csv_text(rows, many=False) == _csv_module(rows)


def test_a_block_of_filters_is_hardened_as_one_filter_is() -> None:
    encoder = BloomEncoder(KEY)
    draw = random.Random(1)
    clks = [0, 1, (1 << 1024) - 1, 1 << 1023, *(draw.getrandbits(1024) for _ in range(50))]
    expected = [
        base64.b64encode(encoder.harden(clk)).decode("ascii") if clk else "" for clk in clks
    ]
    assert encoder.encode_many(clks) == expected


def test_a_block_of_rows_encodes_as_each_row_alone() -> None:
    rows = [*PEOPLE, person(birth_date="31-02-1990"), person(first_name="", last_name="")]
    numbered = list(enumerate(rows, start=2))
    alone = [RowEncoder(KEY, today=TODAY).encode(raw, row) for row, raw in numbered]
    assert RowEncoder(KEY, today=TODAY).encode_block(numbered) == alone


def _fold_in_turn(text: str) -> str:
    """fold_unicode as it was first written: each step over the whole string."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("M"))
    text = text.translate(_FOLD_TABLE)
    return " ".join("".join(ch if ch.isalpha() else " " for ch in text).split())


def test_folding_per_character_equals_folding_step_by_step() -> None:
    every = "".join(chr(p) for p in range(0x30000) if not 0xD800 <= p <= 0xDFFF)
    for at in range(0, len(every), 4096):
        assert fold_unicode(every[at : at + 4096]) == _fold_in_turn(every[at : at + 4096])


@given(text=st.text())
def test_folding_arbitrary_text_per_character_equals_step_by_step(text: str) -> None:
    assert fold_unicode(text) == _fold_in_turn(text)


def test_encoding_a_file_leaves_the_garbage_collector_as_it_was(
    tmp_path: Path, write_raw: WriteRaw
) -> None:
    raw = write_raw()
    assert gc.isenabled()
    assert encode_file(raw, KEY, tmp_path / "on.csv", today=TODAY).ok
    assert gc.isenabled()
    gc.disable()
    try:
        assert encode_file(raw, KEY, tmp_path / "off.csv", today=TODAY).ok
        assert not gc.isenabled()
    finally:
        gc.enable()
