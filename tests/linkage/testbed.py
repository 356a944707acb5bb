"""A synthetic register for linkage tests and benchmarks: raw files, submissions, truth.

As the demo does it: generate the population, write each organisation's raw files, encode
each at "the organisation" with one key, and import the submissions (all, or some years
first and the rest later, for incremental linkage).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from victim_monitor.pseudonymise import encode_file, generate_key
from victim_monitor.registry.intake import import_submission
from victim_monitor.synthetic import SyntheticConfig, generate, write


@dataclass(frozen=True, slots=True)
class Submissions:
    root: Path
    submissions: tuple[Path, ...]

    def year_of(self, path: Path) -> int:
        return int(path.stem.rsplit("-", 1)[1])

    def files(self, years: range | tuple[int, ...] | None = None) -> tuple[Path, ...]:
        """The submissions of the given report years (all when None)."""
        return tuple(p for p in self.submissions if years is None or self.year_of(p) in years)


def build(out: Path, *, scale: float, seed: int, years: tuple[int, ...]) -> Submissions:
    population = generate(SyntheticConfig(years=years, seed=seed, scale=scale))
    files = write(population, out)
    key = generate_key()
    target = out / "submissions"
    target.mkdir(exist_ok=True)
    made = []
    for raw in files.raw:
        encoded = encode_file(raw, key, target / raw.name)
        assert encoded.ok, encoded.summary()
        made.append(target / raw.name)
    return Submissions(out, tuple(sorted(made)))


def import_files(engine: Engine, paths: tuple[Path, ...]) -> int:
    """Import submissions (organisation from the file name); returns the reports added."""
    added = 0
    for path in paths:
        result = import_submission(engine, path, path.stem.rsplit("-", 1)[0])
        assert result.ok, result.summary()
        added += result.rows_new
    return added
