"""What the register holds: organisations, submissions with outcomes, reports by year."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select

from victim_monitor.registry.organisations import Organisation, registered_organisations
from victim_monitor.storage.schema import reports, submissions


@dataclass(frozen=True, slots=True)
class SubmissionLine:
    id: int
    organisation: str
    received_at: str
    filename: str
    outcome: str
    rows_total: int
    rows_new: int
    rows_changed: int
    rows_unchanged: int
    errors: int
    warnings: int


@dataclass(frozen=True, slots=True)
class RegisterStatus:
    """A snapshot of the register; counts are of current report versions."""

    organisations: tuple[Organisation, ...]
    submissions: tuple[SubmissionLine, ...]
    reports_by_year: dict[int, dict[str, int]]
    superseded_versions: int

    @property
    def total_reports(self) -> int:
        return sum(sum(row.values()) for row in self.reports_by_year.values())

    def summary(self) -> str:
        lines = [f"organisations: {len(self.organisations)} (code, name, estimation list)"]
        lines += [
            f"  {o.code:<6} {o.name_en} ({o.name_nl}), list {o.estimation_list}"
            for o in self.organisations
        ]
        outcomes: dict[str, int] = {}
        for sub in self.submissions:
            outcomes[sub.outcome] = outcomes.get(sub.outcome, 0) + 1
        shown = ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items())) or "none"
        lines.append(f"submissions: {len(self.submissions)} ({shown})")
        lines.append(
            f"reports (current versions): {self.total_reports}; "
            f"superseded versions kept: {self.superseded_versions}"
        )
        codes = sorted({c for row in self.reports_by_year.values() for c in row})
        if codes:
            lines.append("year  " + " ".join(f"{c:>6}" for c in codes) + "   total")
            for year, row in sorted(self.reports_by_year.items()):
                cells = " ".join(f"{row.get(c, 0):>6}" for c in codes)
                lines.append(f"{year}  {cells}  {sum(row.values()):>6}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "organisations": [
                {
                    "code": o.code,
                    "name_nl": o.name_nl,
                    "name_en": o.name_en,
                    "reporter_type": str(o.reporter_type),
                    "investigative": o.investigative,
                    "estimation_list": str(o.estimation_list),
                }
                for o in self.organisations
            ],
            "submissions": [vars_of(s) for s in self.submissions],
            "reports_by_year": {
                str(year): dict(sorted(row.items()))
                for year, row in sorted(self.reports_by_year.items())
            },
            "total_reports": self.total_reports,
            "superseded_versions": self.superseded_versions,
        }


def vars_of(line: SubmissionLine) -> dict[str, Any]:
    return {name: getattr(line, name) for name in SubmissionLine.__dataclass_fields__}


# A submission's columns in SubmissionLine's order: not the stored problems (up to a few hundred
# per submission), which only a submission's own screen shows.
SUBMISSION_COLUMNS = [
    submissions.c[name]
    for name in (
        "id",
        "organisation_code",
        "received_at",
        "filename",
        "outcome",
        "rows_total",
        "rows_new",
        "rows_changed",
        "rows_unchanged",
        "errors",
        "warnings",
    )
]


def submission_line(row: Any) -> SubmissionLine:
    """A row that starts with :data:`SUBMISSION_COLUMNS` as a line. By position: a list screen
    makes one per row, and a row's lookup by name cost about as much as the rest per row."""
    id_, organisation, received_at, filename, outcome, total, new, changed, same, e, w = row[:11]
    return SubmissionLine(
        int(id_),
        organisation,
        received_at.isoformat(timespec="seconds"),
        filename,
        outcome,
        total,
        new,
        changed,
        same,
        e,
        w,
    )


def register_status(engine: Engine) -> RegisterStatus:
    """Read the register's status in one transaction."""
    with engine.connect() as conn:
        orgs = tuple(registered_organisations(conn).values())
        query = select(*SUBMISSION_COLUMNS).order_by(submissions.c.id)
        subs = tuple(submission_line(row) for row in conn.execute(query))
        by_year: dict[int, dict[str, int]] = {}
        query = (
            select(reports.c.report_year, reports.c.organisation_code, func.count())
            .where(reports.c.is_current.is_(True))
            .group_by(reports.c.report_year, reports.c.organisation_code)
        )
        for year, code, count in conn.execute(query):
            by_year.setdefault(int(year), {})[code] = int(count)
        superseded = conn.scalar(
            select(func.count()).select_from(reports).where(reports.c.is_current.is_(False))
        )
    return RegisterStatus(orgs, subs, by_year, int(superseded or 0))
