"""The shipped example: the published recommendations verbatim, measures marked as examples."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

import pytest

from victim_monitor.problems import ProblemLog
from victim_monitor.programme.check import check
from victim_monitor.programme.read import read_file
from victim_monitor.programme.terms import LABELS, FollowUp, MeasureStatus, label

SEED = Path("/work/shared/seed/factsheet-slachtoffermonitor-2014-2018.txt")


def _words(text: str) -> str:
    """Text without line-break hyphenation and with single spaces, lower case."""
    return re.sub(r"\s+", " ", re.sub(r"-\n", "", text)).strip().lower()


def test_example_is_valid_and_every_measure_is_marked_as_an_example(example: Path) -> None:
    log = ProblemLog()
    doc = check(read_file(example, log), log)
    assert list(log) == []
    assert len(doc.action_lines) == 5
    assert len(doc.recommendations) == 5
    assert doc.measures
    for m in doc.measures:
        assert m.example, m.code
        assert m.title.nl.startswith("[Voorbeeld]"), m.code
        assert m.title.en.startswith("[Example]"), m.code
    # No follow-up is invented for the real recommendations.
    assert doc.recommendation_changes == ()
    assert all(r.response is None for r in doc.recommendations)


@pytest.mark.skipif(not SEED.exists(), reason="the seed factsheet is not in this checkout")
def test_recommendations_are_the_published_text(example: Path) -> None:
    log = ProblemLog()
    doc = check(read_file(example, log), log)
    seed = _words(SEED.read_text("utf-8"))
    for r in doc.recommendations:
        heading, body = r.text.nl.split(". ", 1)
        assert _words(body) in seed, r.number
        assert _words(heading) in seed, r.number


def test_every_status_has_its_own_label() -> None:
    enums: list[type[StrEnum]] = list(LABELS)
    for enum in enums:
        assert set(LABELS[enum]) == {str(v) for v in enum}
    assert label(MeasureStatus.IMPLEMENTED).nl == "Uitgevoerd"
    assert label(FollowUp.IMPLEMENTED).nl == "Opgevolgd"
