"""What a synthetic population is generated from: years, seed, scale and variant rates."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

DEFAULT_YEARS = (2014, 2015, 2016, 2017, 2018)


@dataclass(frozen=True, slots=True)
class VariantRates:
    """Per-report probabilities that an organisation records a fact differently.

    Name rates apply where the variant is possible (a respelling needs a name with several
    spellings; a particle variant needs a Dutch surname with a particle; transliteration
    needs a name of Cyrillic origin). Swaps are four times as frequent for origins that
    write the family name first (Hungarian, Eritrean, Vietnamese, Chinese).
    """

    typo: float = 0.04
    spelling: float = 0.30
    diacritics: float = 0.50
    transliteration: float = 0.30
    swap: float = 0.03
    second_given_dropped: float = 0.50
    particle: float = 0.35
    birth_missing: float = 0.05
    birth_partial: float = 0.05
    birth_day_month_swap: float = 0.03
    birth_january_first: float = 0.15
    nationality_missing: float = 0.03
    nationality_error: float = 0.01
    sex_unknown: float = 0.01


@dataclass(frozen=True, slots=True)
class SyntheticConfig:
    """A synthetic population: which years, which seed, how large, how noisy.

    ``scale`` multiplies the true population sizes (1.0 is the Dutch size, about 6,250
    victims a year); ``duplicate_rate`` is the share of reports that the same organisation
    makes a second time under another case reference; ``late_rate`` the share of a
    person's later reports, for persons who came into view in October-December, that are
    dated in January of the next year.
    """

    years: tuple[int, ...] = DEFAULT_YEARS
    seed: int = 2019
    scale: float = 1.0
    variants: VariantRates = field(default_factory=VariantRates)
    duplicate_rate: float = 0.01
    late_rate: float = 0.25

    def __post_init__(self) -> None:
        if not self.years or len(set(self.years)) != len(self.years):
            raise ValueError(f"years must be distinct and not empty, got {self.years!r}")
        if any(not 2000 <= year <= 2100 for year in self.years):
            raise ValueError(f"years must lie in 2000-2100, got {self.years!r}")
        if not self.scale > 0:
            raise ValueError(f"scale must be positive, got {self.scale!r}")
        rates = {f.name: getattr(self.variants, f.name) for f in fields(self.variants)}
        rates |= {"duplicate_rate": self.duplicate_rate, "late_rate": self.late_rate}
        for name, rate in rates.items():
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} must be a probability, got {rate!r}")

    def as_dict(self) -> dict[str, Any]:
        """The configuration as plain JSON-able values."""
        data = asdict(self)
        data["years"] = list(self.years)
        return data
