from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from victim_monitor.registry.organisations import (
    OrganisationsFileError,
    load_organisations,
    registered_organisations,
    sync_organisations,
)
from victim_monitor.vocab import INVESTIGATIVE_TYPES, EstimationList


def test_default_dutch_mapping_covers_every_list() -> None:
    orgs = load_organisations()
    assert {o.estimation_list for o in orgs} == set(EstimationList)
    assert {o.code for o in orgs if o.estimation_list is EstimationList.P} == {"POL"}
    for org in orgs:
        assert org.investigative == (org.reporter_type in INVESTIGATIVE_TYPES), org.code


def test_sync_inserts_then_updates(engine: Engine, tmp_path: Path) -> None:
    custom = tmp_path / "orgs.toml"
    custom.write_text(
        '[[organisation]]\ncode = "POL"\nname_nl = "Politie"\nname_en = "Police"\n'
        'reporter_type = "police"\ninvestigative = true\nlist = "P"\n'
        '[[organisation]]\ncode = "xyz"\nname_nl = "X"\nname_en = "X"\n'
        'reporter_type = "ngo"\ninvestigative = false\nlist = "Z"\n',
        "utf-8",
    )
    sync_organisations(engine, load_organisations(custom))
    with engine.connect() as conn:
        known = registered_organisations(conn)
    assert known["POL"].name_en == "Police"
    assert known["XYZ"].estimation_list is EstimationList.Z
    assert "KMAR" in known  # never deleted


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not toml [", "not an organisations file"),
        ('[[organisation]]\ncode = "A"\n', "organisation #1"),
        (
            '[[organisation]]\ncode="A"\nname_nl="a"\nname_en="a"\nreporter_type="spy"\n'
            'investigative=false\nlist="Z"\n',
            "spy",
        ),
        (
            '[[organisation]]\ncode="A"\nname_nl="a"\nname_en="a"\nreporter_type="ngo"\n'
            'investigative=false\nlist="Z"\n' * 2,
            "appears twice",
        ),
    ],
)
def test_bad_organisation_files_are_named(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content, "utf-8")
    with pytest.raises(OrganisationsFileError, match=message) as info:
        load_organisations(path)
    assert str(path) in str(info.value)
