"""Difficulty levels: more namesakes and more variants, the standard population unchanged."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from victim_monitor.synthetic import DIFFICULTIES, NamePools, SyntheticConfig, generate
from victim_monitor.synthetic.config import MIN_POOL
from victim_monitor.synthetic.names import TrueNames, draw_names, origins
from victim_monitor.synthetic.recording import mistype_birth_date


def _namesakes(level: str) -> float:
    persons = generate(SyntheticConfig.at(level, scale=0.3, seed=9)).persons
    seen = persons[persons["registered"]]
    full = seen["first_name"] + " " + seen["second_given_name"] + " " + seen["last_name"]
    return float(full.duplicated(keep=False).mean())


def test_standard_is_the_default_population() -> None:
    assert SyntheticConfig.at("standard", seed=4, scale=0.1) == SyntheticConfig(seed=4, scale=0.1)
    assert SyntheticConfig().difficulty == "standard"
    assert SyntheticConfig.at("hard").difficulty == "hard"
    assert SyntheticConfig(names=NamePools(skew=0.5)).difficulty == "custom"
    data = SyntheticConfig.at("hardest").as_dict()
    assert data["difficulty"] == "hardest"
    assert data["names"]["handful"] == list(DIFFICULTIES["hardest"][0].handful)


def test_harder_levels_share_more_names_and_vary_more() -> None:
    shares = [_namesakes(level) for level in ("standard", "hard", "hardest", "extreme")]
    assert shares == sorted(shares)
    assert shares[-1] > 2 * shares[0]
    reports = generate(SyntheticConfig.at("hardest", scale=0.3, seed=9)).reports
    made = reports["variants"].str.split(";").explode()
    assert (made == "birth_typo").mean() > 0.005
    assert "birth_typo" not in set(generate(SyntheticConfig(scale=0.3, seed=9)).reports["variants"])


def test_a_handful_of_names_for_the_origins_that_have_few() -> None:
    rng = np.random.default_rng(1)
    nationality = np.array(["VN"] * 2000 + ["PL"] * 2000, dtype=object)
    female = rng.random(4000) < 0.5
    names = draw_names(nationality, female, rng, NamePools(size=0.5, handful=("vietnamese",)))
    assert len(set(names.last[:2000])) == MIN_POOL
    assert len(set(names.first[:2000][female[:2000]])) == MIN_POOL
    polish = len(origins()["polish"].last)
    assert len(set(names.last[2000:])) == round(0.5 * polish)


def test_skewed_names_are_drawn_from_common_to_rare() -> None:
    rng = np.random.default_rng(2)
    nationality = np.array(["PL"] * 6000, dtype=object)
    names = draw_names(nationality, np.zeros(6000, bool), rng, NamePools(skew=1.0))
    common = origins()["polish"].last[0][0]
    rare = origins()["polish"].last[-1][0]
    assert (names.last == common).sum() > 5 * (names.last == rare).sum()


def test_namesakes_take_a_whole_name_of_their_origin_and_sex() -> None:
    rng = np.random.default_rng(3)
    nationality = np.array(["NG"] * 3000, dtype=object)
    female = rng.random(3000) < 0.5
    plain = draw_names(nationality, female, np.random.default_rng(3), NamePools())
    shared = draw_names(
        nationality, female, np.random.default_rng(3), NamePools(namesakes=0.3), rng
    )
    assert _full(shared) != _full(plain)
    assert len(set(_full(shared))) < len(set(_full(plain)))


def _full(names: TrueNames) -> list[str]:
    return (names.first + "|" + names.second + "|" + names.last).tolist()


@pytest.mark.parametrize("birth", ["1990-01-01", "1991-12-31", "2000-02-29", "1985-07-28"])
def test_a_mistyped_birth_date_is_another_valid_date(birth: str) -> None:
    for u1 in (0.1, 0.6, 0.9):
        for u2 in (0.2, 0.8):
            typed = mistype_birth_date(birth, u1, u2)
            assert typed != birth
            dt.date.fromisoformat(typed)


def test_levels_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown difficulty"):
        SyntheticConfig.at("impossible")
    with pytest.raises(ValueError, match="size"):
        NamePools(size=0.0)


def test_the_command_offers_every_level() -> None:
    from victim_monitor.cli.synthetic import synthetic

    option = next(p for p in synthetic.params if p.name == "difficulty")
    assert list(option.type.choices) == list(DIFFICULTIES)  # type: ignore[attr-defined]
