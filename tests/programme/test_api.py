"""The public export list of ``victim_monitor.programme`` is pinned: changing it is a decision."""

from __future__ import annotations

import victim_monitor.programme as programme


def test_public_api() -> None:
    assert sorted(programme.__all__) == sorted([
        "SERIES", "Comparison", "Document", "EditionView", "ImportResult", "MeasureView",
        "NotFoundError", "Observation", "ProgrammeView", "PublicationSource", "SeriesSource",
        "Verdict", "compare", "editions", "example_file", "followup", "import_example",
        "import_programme", "load", "measure_detail", "poisson_interval", "programme_overview",
        "record_followup", "record_measure_status", "to_csv", "to_yaml",
    ])  # fmt: skip
    for name in programme.__all__:
        assert hasattr(programme, name), name
