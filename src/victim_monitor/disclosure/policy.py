"""The disclosure policy: a commented TOML file, read once and validated whole.

The policy says which cells are unsafe (fewer than ``threshold`` persons), what is done with
them (``suppress`` or ``round``) and how wide the range of values an outsider cannot rule out
must be around every hidden unsafe cell (the *protection interval*, tau-ARGUS's protection
levels). The default is ``victim_monitor/data/disclosure-policy.toml``.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from victim_monitor.disclosure.codes import (
    POLICY_BAD_VALUE,
    POLICY_UNKNOWN_SETTING,
    POLICY_UNREADABLE,
    DisclosureError,
)
from victim_monitor.problems import Problem

Method = Literal["suppress", "round"]
Zeros = Literal["publish", "protect"]
Cost = Literal["unity", "value", "log"]

POLICY_FILE = "disclosure-policy.toml"


@dataclass(frozen=True, slots=True)
class Policy:
    """What counts as unsafe and how unsafe cells are protected (see the policy file)."""

    threshold: int = 10
    method: Method = "suppress"
    zeros: Zeros = "publish"
    upper_share: float = 0.5
    upper_absolute: float = 3.0
    lower_share: float = 0.5
    lower_absolute: float = 1.0
    rounding_base: int = 5
    cost: Cost = "log"
    previous_hidden_discount: float = 0.5
    time_limit: float = 10.0

    def is_unsafe(self, value: int) -> bool:
        """Whether a cell of ``value`` persons may not be published as it is."""
        if value == 0:
            return self.zeros == "protect"
        return 0 < value < self.threshold

    def protection(self, value: int) -> tuple[float, float]:
        """Required (lower, upper) protection of an unsafe cell of ``value`` persons.

        A hidden cell is protected when nobody can rule out any value in
        ``[value - lower, value + upper]``. The lower protection never exceeds the value itself
        (counts are not negative); for a protected zero only the upper protection applies.
        """
        upper = max(self.upper_absolute, self.upper_share * value)
        lower = min(float(value), max(self.lower_absolute, self.lower_share * value))
        return lower, upper

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Policy:
        """A policy from :meth:`to_dict` output (as stored in a release), validated."""
        problems: list[Problem] = []
        policy = _build(data, problems, "release")
        if problems:
            raise DisclosureError(problems)
        return policy


# (section, key) in the TOML file -> field name, expected type, check, description of the check
_Check = tuple[str, type, Any, str]
_SETTINGS: dict[tuple[str, str], _Check] = {
    ("", "threshold"): ("threshold", int, lambda v: v >= 1, "a whole number of at least 1"),
    ("", "method"): ("method", str, lambda v: v in ("suppress", "round"), '"suppress" or "round"'),
    ("", "zeros"): ("zeros", str, lambda v: v in ("publish", "protect"), '"publish" or "protect"'),
    ("protection", "upper_share"): ("upper_share", float, lambda v: 0 <= v <= 10, "from 0 to 10"),
    ("protection", "upper_absolute"): (
        "upper_absolute",
        float,
        lambda v: 0 < v <= 1e6,
        "more than 0 (a zero upper protection protects nothing)",
    ),
    ("protection", "lower_share"): ("lower_share", float, lambda v: 0 <= v <= 1, "from 0 to 1"),
    ("protection", "lower_absolute"): (
        "lower_absolute",
        float,
        lambda v: 0 <= v <= 1e6,
        "0 or more",
    ),
    ("rounding", "base"): ("rounding_base", int, lambda v: v >= 2, "a whole number of at least 2"),
    ("suppression", "cost"): (
        "cost",
        str,
        lambda v: v in ("unity", "value", "log"),
        '"unity", "value" or "log"',
    ),
    ("suppression", "previous_hidden_discount"): (
        "previous_hidden_discount",
        float,
        lambda v: 0 < v <= 1,
        "more than 0 and at most 1",
    ),
    ("suppression", "time_limit"): ("time_limit", float, lambda v: v > 0, "more than 0 seconds"),
}
_BY_FIELD = {spec[0]: spec for spec in _SETTINGS.values()}


def load_policy(path: Path | None = None) -> Policy:
    """Read and validate a policy file; without ``path``, the packaged default policy.

    Every problem in the file is collected (VM701-VM703) and raised together in one
    :class:`DisclosureError`.
    """
    name = str(path) if path is not None else POLICY_FILE
    try:
        if path is None:
            text = resources.files("victim_monitor.data").joinpath(POLICY_FILE).read_text("utf-8")
        else:
            text = path.read_text("utf-8")
        raw = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DisclosureError([POLICY_UNREADABLE(str(exc), file=name)]) from exc
    problems: list[Problem] = []
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, dict):
            for sub, subvalue in value.items():
                _take((key, sub), subvalue, flat, problems, name)
        else:
            _take(("", key), value, flat, problems, name)
    policy = _build(flat, problems, name)
    if problems:
        raise DisclosureError(problems)
    return policy


def _take(
    where: tuple[str, str], value: object, flat: dict[str, Any], problems: list[Problem], name: str
) -> None:
    label = ".".join(p for p in where if p)
    if where not in _SETTINGS:
        known = ", ".join(".".join(p for p in k if p) for k in _SETTINGS)
        problems.append(POLICY_UNKNOWN_SETTING(f"known settings: {known}", file=name, field=label))
        return
    flat[_SETTINGS[where][0]] = value


def _build(flat: dict[str, Any], problems: list[Problem], name: str) -> Policy:
    values: dict[str, Any] = {}
    for field_name, value in flat.items():
        spec = _BY_FIELD.get(field_name)
        if spec is None:
            problems.append(
                POLICY_UNKNOWN_SETTING("not a policy setting", file=name, field=field_name)
            )
            continue
        _, kind, check, wanted = spec
        converted = _convert(value, kind)
        if converted is None or not check(converted):
            problems.append(
                POLICY_BAD_VALUE(f"must be {wanted}", file=name, field=field_name, value=value)
            )
            continue
        values[field_name] = converted
    return Policy(**values)


def _convert(value: object, kind: type) -> object | None:
    if isinstance(value, bool):
        return None
    if kind is int:
        return value if isinstance(value, int) else None
    if kind is float:
        if isinstance(value, int | float) and math.isfinite(value):
            return float(value)
        return None
    return value if isinstance(value, str) else None
