"""The demo: a synthetic population taken through the pipeline on the embedded SQLite register.

Generate the hidden population and each organisation's raw files (with clear, synthetic
names), encode every file at "the organisation" with a shared key, import every submission
into a fresh register, link reports into persons, and summarise. Later stages (estimation,
tables, factsheet, dashboard) extend this function, not the command line.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select

from victim_monitor.linkage import LinkageStatus, LinkResult, link_register, linkage_status
from victim_monitor.programme import ImportResult, import_example
from victim_monitor.pseudonymise import encode_file, generate_key, write_key
from victim_monitor.publication.run import PublishResult, publish
from victim_monitor.registry.intake import IntakeResult, import_submission
from victim_monitor.registry.register import open_register
from victim_monitor.registry.status import RegisterStatus, register_status
from victim_monitor.reporting import FactsheetError, FactsheetResult, build_factsheet
from victim_monitor.reporting.followup import followup_sections
from victim_monitor.reporting.published import load_published
from victim_monitor.storage.codes import NOT_EMPTY, DatabaseError
from victim_monitor.storage.engine import shown_url
from victim_monitor.storage.migrate import erase
from victim_monitor.storage.schema import submissions as submission_table
from victim_monitor.synthetic import PopulationSummary, SyntheticConfig, generate, write

DEMO_YEARS = (2014, 2015, 2016, 2017, 2018)

# Step callback: (step name, done, total). The CLI turns it into progress bars.
Progress = Callable[[str, int, int], None]


class DemoError(RuntimeError):
    """A demo step failed; the message says which file and why."""


@dataclass(frozen=True, slots=True)
class DemoResult:
    """Where the demo put its outputs and what the register holds afterwards."""

    out: Path
    database_url: str
    key_id: str
    raw_files: tuple[Path, ...]
    submissions: tuple[Path, ...]
    intake: tuple[IntakeResult, ...]
    population: PopulationSummary
    status: RegisterStatus
    linkage: LinkResult
    linked: LinkageStatus
    programme: ImportResult | None = None
    published: PublishResult | None = None
    factsheet: FactsheetResult | FactsheetError | None = None

    @property
    def failed(self) -> bool:
        """Whether the factsheet was asked for and could not be written (the CLI exits 1)."""
        return isinstance(self.factsheet, FactsheetError)

    @property
    def publication(self) -> Path | None:
        """The published directory (protected tables, estimates, trends, findings)."""
        return None if self.published is None else self.published.out

    def summary(self) -> str:
        accepted = sum(r.outcome == "accepted" for r in self.intake)
        warnings = sum(r.warnings for r in self.intake)
        lines = [
            "Synthetic population (truth):",
            _indent(str(self.population)),
            "",
            f"Imported {accepted} of {len(self.intake)} submissions "
            f"({sum(r.rows_new for r in self.intake):,} reports; {warnings} warnings).",
            "",
            "Register (reports by year and organisation):",
            _indent(self.status.summary()),
            "",
            "Linkage (reports of the same person, found on pseudonyms only):",
            _indent(self.linkage.summary()),
            _indent(self.linked.summary()),
            "",
            "Programme register (shipped example; measures are examples):",
            _indent(self.programme.summary() if self.programme else "not loaded"),
            "",
            "Publication (disclosure-protected, audited):",
            _indent(self.published.summary() if self.published else "not published"),
            "",
            "Factsheet (from the publication only; every number in the text checked):",
            _indent(_factsheet(self.factsheet)),
            "",
            "Outputs:",
            f"  {self.out / 'raw'}          the organisations' raw files (synthetic clear names)",
            f"  {self.out / 'keys'}         the shared pseudonymisation key (key id {self.key_id})",
            f"  {self.out / 'submissions'}  pseudonymised submissions, as sent to the register",
            f"  {self.out / 'truth'}        who is who: the synthetic truth, for checking linkage",
            f"  {self.out / 'publication'}  the publication: tables, estimates, findings",
            f"  {self.database_url}  the register",
        ]
        return "\n".join(lines)


def _factsheet(result: FactsheetResult | FactsheetError | None) -> str:
    if isinstance(result, FactsheetError):  # text that needs more than the publication has
        return "not written:\n" + "\n".join(str(p) for p in result.problems)
    return "not written" if result is None else result.summary()


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())


def _fresh(out: Path) -> None:
    """Remove what an earlier demo run wrote, so that a rerun starts from the same state."""
    for name in ("raw", "truth", "keys", "submissions"):
        shutil.rmtree(out / name, ignore_errors=True)
    for name in ("demo.db", "demo.db-wal", "demo.db-shm"):
        (out / name).unlink(missing_ok=True)
    for old in out.glob("factsheet-*-*.*"):
        old.unlink()


def _require_empty(engine: Engine) -> None:
    """A demo fills an empty register: run twice on one database it would count twice (VM904)."""
    with engine.connect() as conn:
        held = conn.scalar(select(func.count()).select_from(submission_table)) or 0
    if held:
        engine.dispose()
        raise DatabaseError(
            [NOT_EMPTY(f"{shown_url(engine.url)} holds {held} submissions; give the demo a new "
                       "database, or --reset to empty this one (the default, OUT/demo.db, is "
                       "made afresh each run)")]
        )  # fmt: skip


def run_demo(
    out: Path,
    *,
    database_url: str | None = None,
    seed: int = 2019,
    scale: float = 1.0,
    years: tuple[int, ...] = DEMO_YEARS,
    progress: Progress | None = None,
    reset: bool = False,
) -> DemoResult:
    """Run the demo into ``out`` (default register: ``out/demo.db``, made afresh). A register
    given by ``database_url`` must hold no submissions (VM904), unless ``reset`` empties it."""
    step: Progress = progress or (lambda _name, _done, _total: None)
    out.mkdir(parents=True, exist_ok=True)
    _fresh(out)
    url = database_url or f"sqlite:///{out / 'demo.db'}"
    engine = open_register(url)
    if reset:
        erase(engine)
        engine = open_register(url)
    _require_empty(engine)

    step("generate synthetic population", 0, 1)
    population = generate(SyntheticConfig(years=years, seed=seed, scale=scale))
    files = write(population, out)
    step("generate synthetic population", 1, 1)

    (out / "keys").mkdir()
    key = generate_key()
    write_key(key, out / "keys" / "demo.key")

    submissions_dir = out / "submissions"
    submissions_dir.mkdir()
    submissions: list[Path] = []
    for done, raw in enumerate(files.raw):
        target = submissions_dir / raw.name
        encoded = encode_file(raw, key, target)
        if not encoded.ok:
            raise DemoError(f"encoding {raw} failed:\n{encoded.summary()}")
        submissions.append(target)
        step("encode at each organisation", done + 1, len(files.raw))

    results: list[IntakeResult] = []
    for done, path in enumerate(submissions):
        organisation = path.stem.rsplit("-", 1)[0]
        result = import_submission(engine, path, organisation)
        if not result.ok:
            raise DemoError(f"importing {path} failed:\n{result.summary()}")
        results.append(result)
        step("import into the register", done + 1, len(submissions))
    status = register_status(engine)
    linkage = link_register(engine, progress=step)
    linked = linkage_status(engine)
    programme = import_example(engine)
    if not programme.ok:
        raise DemoError(f"loading the example programme failed:\n{programme.summary()}")
    published = publish(engine, years, out / "publication", progress=step)
    followup = followup_sections(engine, "2014-2018")
    engine.dispose()
    factsheet: FactsheetResult | FactsheetError | None = None
    if years == DEMO_YEARS:  # the shipped editorial text is for 2014-2018
        try:
            factsheet = build_factsheet(
                load_published(published.out), out, extra=followup, progress=step
            )
        except FactsheetError as exc:
            factsheet = exc
    return DemoResult(
        out=out,
        database_url=url,
        key_id=key.key_id,
        raw_files=files.raw,
        submissions=tuple(submissions),
        intake=tuple(results),
        population=population.summary(),
        status=status,
        linkage=linkage,
        linked=linked,
        programme=programme,
        published=published,
        factsheet=factsheet,
    )
