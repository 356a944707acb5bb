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
    birth_typo: float = 0.0


@dataclass(frozen=True, slots=True)
class NamePools:
    """How varied true names are: what makes namesakes (persons sharing a full name).

    ``size``: the share of each origin's name lists in use (at least ``MIN_POOL`` names);
    ``handful``: origins whose lists shrink to ``MIN_POOL`` names whatever ``size`` (a few
    family names cover most Vietnamese and many Nigerian registrations); ``skew``: the Zipf
    exponent of name frequencies within a list, which the lists order from common to rare (0:
    every name equally common); ``namesakes``: the share of persons who carry the whole name
    of another person of the same origin and sex (a name common in one community). The
    defaults draw as the generator always did.
    """

    size: float = 1.0
    handful: tuple[str, ...] = ()
    skew: float = 0.0
    namesakes: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 < self.size <= 1.0:
            raise ValueError(f"size must lie in (0, 1], got {self.size!r}")
        if not 0.0 <= self.skew <= 3.0:
            raise ValueError(f"skew must lie in [0, 3], got {self.skew!r}")
        if not 0.0 <= self.namesakes <= 1.0:
            raise ValueError(f"namesakes must be a probability, got {self.namesakes!r}")

    @property
    def is_default(self) -> bool:
        return self == NamePools()


MIN_POOL = 4

#: Wide enough for validation: at 3 the police's rate varies by a factor of about 7.5 per
#: standard deviation of its latent term (3 x 0.67), against 2 in the calibrated population.
MAX_HETEROGENEITY = 3.0


@dataclass(frozen=True, slots=True)
class SyntheticConfig:
    """A synthetic population: which years, which seed, how large, how noisy.

    ``scale`` multiplies the true population sizes (1.0 is the Dutch size, about 6,250
    victims a year); ``duplicate_rate`` is the share of reports that the same organisation
    makes a second time under another case reference; ``names`` how varied the true names
    are (:class:`NamePools`); ``late_rate`` the share of a
    person's later reports, for persons who came into view in October-December, that are
    dated in January of the next year; ``heterogeneity`` multiplies the loadings of the latent
    traits in capture (0: everyone in a stratum equally visible, 1: the calibrated population,
    2: twice its spread; at most ``MAX_HETEROGENEITY``).
    """

    years: tuple[int, ...] = DEFAULT_YEARS
    seed: int = 2019
    scale: float = 1.0
    variants: VariantRates = field(default_factory=VariantRates)
    names: NamePools = field(default_factory=NamePools)
    duplicate_rate: float = 0.01
    late_rate: float = 0.25
    heterogeneity: float = 1.0

    def __post_init__(self) -> None:
        if not self.years or len(set(self.years)) != len(self.years):
            raise ValueError(f"years must be distinct and not empty, got {self.years!r}")
        if any(not 2000 <= year <= 2100 for year in self.years):
            raise ValueError(f"years must lie in 2000-2100, got {self.years!r}")
        if not self.scale > 0:
            raise ValueError(f"scale must be positive, got {self.scale!r}")
        if not 0.0 <= self.heterogeneity <= MAX_HETEROGENEITY:
            raise ValueError(
                f"heterogeneity must lie in [0, {MAX_HETEROGENEITY:g}], got {self.heterogeneity!r}"
            )
        rates = {f.name: getattr(self.variants, f.name) for f in fields(self.variants)}
        rates |= {"duplicate_rate": self.duplicate_rate, "late_rate": self.late_rate}
        for name, rate in rates.items():
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} must be a probability, got {rate!r}")

    def as_dict(self) -> dict[str, Any]:
        """The configuration as plain JSON-able values."""
        data = asdict(self)
        data["years"] = list(self.years)
        data["names"]["handful"] = list(self.names.handful)
        data["difficulty"] = self.difficulty
        return data

    @property
    def difficulty(self) -> str:
        """The level of :data:`DIFFICULTIES` whose names and rates these are, else ``custom``."""
        for level, (names, variants) in DIFFICULTIES.items():
            if (self.names, self.variants) == (names, variants):
                return level
        return "custom"

    @classmethod
    def at(cls, difficulty: str, **options: Any) -> SyntheticConfig:
        """A configuration with the names and variant rates of a difficulty level."""
        if difficulty not in DIFFICULTIES:
            known = ", ".join(DIFFICULTIES)
            raise ValueError(f"unknown difficulty {difficulty!r}: use one of {known}")
        names, variants = DIFFICULTIES[difficulty]
        return cls(names=names, variants=variants, **options)


#: Difficulty levels for linkage: how many persons share a name, how often names and birth
#: dates are recorded differently. ``standard`` is the demo's population; ``hard`` and
#: ``hardest`` are the registers linkage must also hold on (docs/methods/synthetic.md).
DIFFICULTIES: dict[str, tuple[NamePools, VariantRates]] = {
    "standard": (NamePools(), VariantRates()),
    "hard": (
        NamePools(size=0.7, handful=("vietnamese",), skew=0.5, namesakes=0.01),
        VariantRates(typo=0.05, spelling=0.35, transliteration=0.40, swap=0.05,
                     birth_partial=0.06, birth_day_month_swap=0.04, birth_typo=0.02),
    ),
    "hardest": (
        NamePools(size=0.5, handful=("vietnamese", "nigerian"), skew=0.8, namesakes=0.02),
        VariantRates(typo=0.06, spelling=0.40, transliteration=0.50, swap=0.08,
                     birth_partial=0.08, birth_day_month_swap=0.04, birth_typo=0.03),
    ),
    "extreme": (
        NamePools(size=0.3, handful=("vietnamese", "nigerian", "eritrean", "chinese"), skew=1.0,
                  namesakes=0.05),
        VariantRates(typo=0.08, spelling=0.50, transliteration=0.50, swap=0.10,
                     second_given_dropped=0.6, birth_missing=0.08, birth_partial=0.10,
                     birth_day_month_swap=0.05, birth_january_first=0.25, birth_typo=0.04,
                     nationality_missing=0.05, nationality_error=0.02),
    ),
}  # fmt: skip
