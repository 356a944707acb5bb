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


def build(
    out: Path,
    *,
    scale: float,
    seed: int,
    years: tuple[int, ...],
    difficulty: str = "standard",
    heterogeneity: float = 1.0,
) -> Submissions:
    config = SyntheticConfig.at(
        difficulty, years=years, seed=seed, scale=scale, heterogeneity=heterogeneity
    )
    population = generate(config)
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


def report_row(path: Path, case: str) -> dict[str, str]:
    """The fields of report ``case`` in submission ``path``."""
    lines = path.read_text("utf-8").splitlines()
    header = lines[0].split(",")
    at = header.index("case_reference")
    row = next(line.split(",") for line in lines[1:] if line.split(",")[at] == case)
    return dict(zip(header, row, strict=True))


def new_version(path: Path, case: str, out: Path, **changes: str) -> Path:
    """A submission holding only report ``case`` of ``path``, with ``changes`` to its fields.

    Written under ``out`` with the same file name (so the same organisation imports it).
    """
    lines = path.read_text("utf-8").splitlines()
    header = lines[0].split(",")
    at = header.index("case_reference")
    row = next(line.split(",") for line in lines[1:] if line.split(",")[at] == case)
    for name, value in changes.items():
        row[header.index(name)] = value
    out.mkdir(parents=True, exist_ok=True)
    target = out / path.name
    target.write_text(lines[0] + "\r\n" + ",".join(row) + "\r\n", "utf-8")
    return target
