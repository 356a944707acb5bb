"""Model: the Fellegi-Sunter model's parameters, typed, stored as Splink's settings JSON.

A model is the prior (the probability that two random reports are one person) and, per
comparison, its levels with their ``m`` and ``u``. These are what ``train`` estimates and
``score`` reads, so they are typed fields. Everything else Splink's saved model holds (link
type, column names, blocking rules, a level's SQL condition flags) is Splink's business: it is
kept as read (``splink``, ``extra``) and written back unchanged, so that the models stored in
a register's runs and the shipped ones in ``victim_monitor/data`` load, and are saved, in
Splink's own format (:meth:`Model.from_json`, :meth:`Model.to_json`). The settings dict Splink
runs on is made in one place: :meth:`Model.splink_settings`, called by ``score.linker``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

PRIOR = "probability_two_random_records_match"
DEFAULT_PRIOR = 1e-4
"""Splink's own default, for a settings dict that does not state the prior."""


@dataclass(frozen=True, slots=True)
class Level:
    """One level of a comparison: where two reports agree this much, and how likely that is
    for one person (``m``) and for two (``u``). A null level has neither: it does not count."""

    label: str
    sql_condition: str | None = None
    m: float | None = None
    u: float | None = None
    is_null: bool = False
    tf_column: str | None = None
    """The column whose term frequencies adjust the level's weight (a rare name counts more)."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Splink's other keys of the level (``fix_m_probability``, ``tf_adjustment_weight``...)."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Level:
        known = {
            "label_for_charts",
            "sql_condition",
            "m_probability",
            "u_probability",
            "is_null_level",
            "tf_adjustment_column",
        }
        m, u = data.get("m_probability"), data.get("u_probability")
        return cls(
            label=str(data.get("label_for_charts", "")),
            sql_condition=data.get("sql_condition"),
            m=None if m is None else float(m),
            u=None if u is None else float(u),
            is_null=bool(data.get("is_null_level", False)),
            tf_column=data.get("tf_adjustment_column"),
            extra={k: v for k, v in data.items() if k not in known},
        )

    def to_json(self) -> dict[str, Any]:
        """The level as Splink writes it (keys it leaves out when unset are left out)."""
        out: dict[str, Any] = {"label_for_charts": self.label} if self.label else {}
        if self.sql_condition is not None:
            out["sql_condition"] = self.sql_condition
        if self.is_null:
            out["is_null_level"] = True
        for key, value in (
            ("m_probability", self.m),
            ("u_probability", self.u),
            ("tf_adjustment_column", self.tf_column),
        ):
            if value is not None:
                out[key] = value
        return {**dict(self.extra), **out}

    def without_term_frequencies(self) -> Level:
        extra = {k: v for k, v in self.extra.items() if not k.startswith("tf_adjustment")}
        return replace(self, tf_column=None, extra=extra)


@dataclass(frozen=True, slots=True)
class Comparison:
    """How two reports compare on one thing (names, birth date...): levels, best first, the
    null level (if any) among them, the last one Splink's ``else``."""

    name: str
    levels: tuple[Level, ...]
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Splink's other keys of the comparison (``comparison_description``)."""

    @property
    def scored(self) -> tuple[Level, ...]:
        """The levels that count (not null), best first."""
        return tuple(lv for lv in self.levels if not lv.is_null)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Comparison:
        return cls(
            name=str(data["output_column_name"]),
            levels=tuple(Level.from_json(lv) for lv in data["comparison_levels"]),
            extra={
                k: v
                for k, v in data.items()
                if k not in ("output_column_name", "comparison_levels")
            },
        )

    def to_json(self) -> dict[str, Any]:
        return {
            **dict(self.extra),
            "output_column_name": self.name,
            "comparison_levels": [lv.to_json() for lv in self.levels],
        }

    def with_levels(self, levels: Sequence[Level]) -> Comparison:
        return replace(self, levels=tuple(levels))


@dataclass(frozen=True, slots=True)
class Model:
    """A Fellegi-Sunter model: the prior and the comparisons with their parameters."""

    prior: float
    comparisons: tuple[Comparison, ...]
    splink: Mapping[str, Any] = field(default_factory=dict)
    """The rest of Splink's settings as read (link type, blocking rules, column names)."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Model:
        """A model from Splink's settings JSON (a stored run's model, a shipped model file,
        ``Linker.misc.save_model_to_json()``)."""
        return cls(
            prior=float(data.get(PRIOR, DEFAULT_PRIOR)),
            comparisons=tuple(Comparison.from_json(c) for c in data.get("comparisons", ())),
            splink={k: v for k, v in data.items() if k not in (PRIOR, "comparisons")},
        )

    def to_json(self) -> dict[str, Any]:
        """Splink's settings JSON: the format runs store and the shipped models are in."""
        return {
            **dict(self.splink),
            PRIOR: self.prior,
            "comparisons": [c.to_json() for c in self.comparisons],
        }

    def splink_settings(
        self,
        *,
        blocking_rules: Sequence[str] | None = None,
        retain_matching_columns: bool | None = None,
        term_frequencies: bool = True,
    ) -> dict[str, Any]:
        """The settings dict Splink runs on, with what a caller overrides.

        ``blocking_rules``: other rules than the model's; ``retain_matching_columns``: True
        brings the gamma (level) columns out of Splink's predict; ``term_frequencies``: False
        drops the term-frequency adjustments (levels do not depend on them). Intermediate
        columns are never retained.
        """
        model = self if term_frequencies else self.without_term_frequencies()
        settings = model.to_json()
        settings["retain_intermediate_calculation_columns"] = False
        if blocking_rules is not None:
            settings["blocking_rules_to_generate_predictions"] = [
                {"blocking_rule": rule} for rule in blocking_rules
            ]
        if retain_matching_columns is not None:
            settings["retain_matching_columns"] = retain_matching_columns
        return settings

    def comparison(self, name: str) -> Comparison:
        return next(c for c in self.comparisons if c.name == name)

    def with_prior(self, prior: float) -> Model:
        return replace(self, prior=prior)

    def with_comparisons(self, comparisons: Sequence[Comparison]) -> Model:
        return replace(self, comparisons=tuple(comparisons))

    def without_term_frequencies(self) -> Model:
        return self.with_comparisons(
            [
                c.with_levels([lv.without_term_frequencies() for lv in c.levels])
                for c in self.comparisons
            ]
        )

    def levels(self) -> list[tuple[str, int]]:
        """Each comparison's name and number of levels: models with equal ``levels`` compare."""
        return [(c.name, len(c.levels)) for c in self.comparisons]

    def term_frequency_columns(self) -> list[str]:
        """The columns whose term frequencies the model uses, in order of first use."""
        found: list[str] = []
        for comparison in self.comparisons:
            for level in comparison.levels:
                if level.tf_column and level.tf_column not in found:
                    found.append(level.tf_column)
        return found
