"""The policy file: the packaged default, validation with coded problems, protection levels."""

from __future__ import annotations

from pathlib import Path

import pytest

from victim_monitor.disclosure import DisclosureError, Policy, load_policy


def test_the_packaged_policy_is_the_documented_default() -> None:
    policy = load_policy()
    assert policy == Policy()
    assert policy.threshold == 10
    assert policy.method == "suppress"
    assert policy.zeros == "publish"


def test_unsafe_cells_are_one_to_threshold_minus_one() -> None:
    policy = Policy()
    assert [v for v in range(15) if policy.is_unsafe(v)] == list(range(1, 10))
    assert Policy(zeros="protect").is_unsafe(0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, (1.0, 3.0)), (2, (1.0, 3.0)), (4, (2.0, 3.0)), (8, (4.0, 4.0)), (9, (4.5, 4.5))],
)
def test_protection_levels_follow_the_policy_file_formula(
    value: int, expected: tuple[float, float]
) -> None:
    assert Policy().protection(value) == expected


def test_lower_protection_never_exceeds_the_count() -> None:
    policy = Policy(lower_absolute=5, lower_share=1.0)
    assert policy.protection(2) == (2.0, 3.0)
    assert policy.protection(0) == (0.0, 3.0)


def test_a_policy_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        'threshold = 5\nmethod = "round"\n[rounding]\nbase = 10\n[protection]\nupper_share = 0.2\n'
    )
    policy = load_policy(path)
    assert (policy.threshold, policy.method, policy.rounding_base, policy.upper_share) == (
        5,
        "round",
        10,
        0.2,
    )
    assert policy.lower_absolute == Policy().lower_absolute


def test_every_problem_in_a_policy_file_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(
        'threshold = 0\nmethod = "hide"\ncolour = "red"\n'
        "[protection]\nupper_absolute = 0\nlower_share = true\n"
    )
    with pytest.raises(DisclosureError) as caught:
        load_policy(path)
    found = {(p.code, p.field) for p in caught.value.problems}
    assert found == {
        ("VM703", "threshold"),
        ("VM703", "method"),
        ("VM702", "colour"),
        ("VM703", "upper_absolute"),
        ("VM703", "lower_share"),
    }
    assert all(p.file == str(path) for p in caught.value.problems)


@pytest.mark.parametrize("text", ["threshold = ", "\xff"])
def test_an_unreadable_policy_file_is_vm701(tmp_path: Path, text: str) -> None:
    path = tmp_path / "policy.toml"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(DisclosureError) as caught:
        load_policy(path)
    assert [p.code for p in caught.value.problems] == ["VM701"]


def test_a_missing_policy_file_is_vm701(tmp_path: Path) -> None:
    with pytest.raises(DisclosureError) as caught:
        load_policy(tmp_path / "nope.toml")
    assert caught.value.problems[0].code == "VM701"


def test_a_policy_survives_its_dict_form() -> None:
    policy = Policy(threshold=5, method="round", rounding_base=3, cost="unity")
    assert Policy.from_dict(policy.to_dict()) == policy
    with pytest.raises(DisclosureError):
        Policy.from_dict({**policy.to_dict(), "threshold": -1})
