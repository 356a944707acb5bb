"""The register's tables (SQLAlchemy Core), the same on SQLite and PostgreSQL.

Reports keep the facts as sent (pseudonyms, coded values), never a clear name or birth date,
and never a derived group: groups are derived when tables are made, so that a change of rule
reclassifies history. A changed report is a new *version*; the old one stays, not current.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

PSEUDONYM_FIELDS: tuple[str, ...] = (
    "pn_first_name",
    "pn_last_name",
    "pn_full_name",
    "pn_name_sorted",
    "pn_first_name_phonetic",
    "pn_last_name_phonetic",
    "pn_birth_date",
    "pn_birth_year_month",
    "pn_sex_birth_year",
)

organisations = Table(
    "organisations",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("name_nl", String(200), nullable=False),
    Column("name_en", String(200), nullable=False),
    Column("reporter_type", String(32), nullable=False),
    Column("investigative", Boolean, nullable=False),
    Column("estimation_list", String(1), nullable=False),
)

submissions = Table(
    "submissions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("organisation_code", ForeignKey("organisations.code"), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("file_format", String(8), nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("key_id", String(16)),
    Column("outcome", String(16), nullable=False),
    Column("rows_total", Integer, nullable=False, default=0),
    Column("rows_new", Integer, nullable=False, default=0),
    Column("rows_changed", Integer, nullable=False, default=0),
    Column("rows_unchanged", Integer, nullable=False, default=0),
    Column("errors", Integer, nullable=False, default=0),
    Column("warnings", Integer, nullable=False, default=0),
    # The first problems (bounded), as dicts: for the registry's screens and audits.
    Column("problems", JSON, nullable=False),
    CheckConstraint("outcome IN ('accepted', 'rejected', 'duplicate')", name="outcome"),
    Index("ix_submissions_org_hash", "organisation_code", "content_sha256"),
    # One accepted submission per content: two concurrent uploads of the same file cannot
    # both be counted.
    Index(
        "uq_submissions_accepted_content",
        "organisation_code",
        "content_sha256",
        unique=True,
        sqlite_where=text("outcome = 'accepted'"),
        postgresql_where=text("outcome = 'accepted'"),
    ),
)

reports = Table(
    "reports",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("organisation_code", ForeignKey("organisations.code"), nullable=False),
    Column("case_reference", String(64), nullable=False),
    Column("version", SmallInteger, nullable=False),
    Column("is_current", Boolean, nullable=False),
    Column("submission_id", ForeignKey("submissions.id"), nullable=False),
    Column("superseded_by_submission_id", ForeignKey("submissions.id")),
    Column("content_sha256", String(64), nullable=False),
    Column("report_date", Date, nullable=False),
    Column("report_year", SmallInteger, nullable=False),
    Column("key_id", String(16), nullable=False),
    *(Column(name, String(64)) for name in PSEUDONYM_FIELDS),
    Column("bloom", Text),
    Column("sex", String(16), nullable=False),
    Column("birth_year", SmallInteger),
    Column("age_at_report", SmallInteger),
    Column("nationality", String(2)),
    Column("exploitation", String(64), nullable=False),
    Column("sector", String(32)),
    Column("border_crossed", String(8), nullable=False),
    Column("country_of_exploitation", String(2)),
    Column("dublin_claimant", String(8), nullable=False),
    Column("residence_permit", String(8), nullable=False),
    Column("police_report", String(8), nullable=False),
    UniqueConstraint("organisation_code", "case_reference", "version"),
    Index(
        "uq_reports_current",
        "organisation_code",
        "case_reference",
        unique=True,
        sqlite_where=text("is_current"),
        postgresql_where=text("is_current"),
    ),
    Index("ix_reports_year_org", "report_year", "organisation_code"),
    Index("ix_reports_submission_id", "submission_id"),
)

# Columns a checked row supplies, in the order of the submission format (without version
# bookkeeping, which intake adds).
REPORT_FIELDS: tuple[str, ...] = (
    "case_reference",
    "report_date",
    "report_year",
    "key_id",
    *PSEUDONYM_FIELDS,
    "bloom",
    "sex",
    "birth_year",
    "age_at_report",
    "nationality",
    "exploitation",
    "sector",
    "border_crossed",
    "country_of_exploitation",
    "dublin_claimant",
    "residence_permit",
    "police_report",
)

# --- Linkage (migration 0002) ------------------------------------------------------------
# Persons are what tables and estimation read. A person id is assigned once and never reused;
# a person whose reports all went elsewhere is kept as ``retired`` so that the change log and
# earlier outputs still resolve. Report identity is organisation + case reference, so that a
# new version of a report keeps its person and its review decisions.

_REPORT_ID = BigInteger().with_variant(Integer, "sqlite")

linkage_runs = Table(
    "linkage_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("threshold", Float, nullable=False),
    Column("review_low", Float, nullable=False),
    Column("review_high", Float, nullable=False),
    # The Splink model (settings with the trained m and u), so that later runs score new
    # reports with the same parameters.
    Column("model", JSON, nullable=False),
    Column("reports_linked", Integer, nullable=False),
    Column("new_reports", Integer, nullable=False),
    Column("pairs_scored", BigInteger, nullable=False),
    Column("persons", Integer, nullable=False),
    Column("changes", Integer, nullable=False),
    # What persons' attributes follow besides reports: the form rule's fingerprint and each
    # organisation's estimation list (migration 0005; NULL for earlier runs).
    Column("rules", JSON),
    # The run's own estimate of its quality and how its threshold was set (migration 0006;
    # NULL for earlier runs): linkage.threshold.Expected.as_dict().
    Column("quality", JSON),
    CheckConstraint("mode IN ('full', 'incremental')", name="mode"),
)

persons = Table(
    "persons",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("status", String(16), nullable=False),
    # For a retired person whose reports all went to one other person.
    Column("merged_into", Integer),
    Column("year", SmallInteger, nullable=False),
    Column("first_report_date", Date, nullable=False),
    Column("sex", String(16), nullable=False),
    Column("birth_year", SmallInteger),
    Column("age", SmallInteger),
    Column("age_group", String(16), nullable=False),
    Column("nationality", String(2)),
    Column("exploitation", String(64), nullable=False),
    Column("border_crossed", String(8), nullable=False),
    Column("form_group", String(40), nullable=False),
    # The capture history: the estimation lists of the person's reports, in P K I R O Z order.
    Column("lists", String(16), nullable=False),
    Column("n_reports", Integer, nullable=False),
    Column("n_organisations", Integer, nullable=False),
    Column("created_run_id", ForeignKey("linkage_runs.id"), nullable=False),
    Column("updated_run_id", ForeignKey("linkage_runs.id"), nullable=False),
    CheckConstraint("status IN ('active', 'retired')", name="status"),
    Index("ix_persons_status_year", "status", "year"),
)

person_reports = Table(
    "person_reports",
    metadata,
    Column("organisation_code", ForeignKey("organisations.code"), primary_key=True),
    Column("case_reference", String(64), primary_key=True),
    # The version of the report that was linked.
    Column("report_id", _REPORT_ID, ForeignKey("reports.id"), nullable=False),
    Column("person_id", ForeignKey("persons.id"), nullable=False),
    Column("run_id", ForeignKey("linkage_runs.id"), nullable=False),
    Index("ix_person_reports_person_id", "person_id"),
    Index("uq_person_reports_report_id", "report_id", unique=True),
)

report_links = Table(
    "report_links",
    metadata,
    Column("report_id_l", _REPORT_ID, ForeignKey("reports.id"), primary_key=True),
    Column("report_id_r", _REPORT_ID, ForeignKey("reports.id"), primary_key=True),
    Column("match_weight", Float, nullable=False),
    Column("match_probability", Float, nullable=False),
    Column("run_id", ForeignKey("linkage_runs.id"), nullable=False),
    CheckConstraint("report_id_l < report_id_r", name="ordered"),
    Index("ix_report_links_report_id_r", "report_id_r"),
)

pair_decisions = Table(
    "pair_decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("organisation_code_l", ForeignKey("organisations.code"), nullable=False),
    Column("case_reference_l", String(64), nullable=False),
    Column("organisation_code_r", ForeignKey("organisations.code"), nullable=False),
    Column("case_reference_r", String(64), nullable=False),
    # The versions that were scored and shown.
    Column("report_id_l", _REPORT_ID, ForeignKey("reports.id"), nullable=False),
    Column("report_id_r", _REPORT_ID, ForeignKey("reports.id"), nullable=False),
    Column("match_weight", Float, nullable=False),
    Column("match_probability", Float, nullable=False),
    # Per comparison, the level the pair reached (never a clear value: there is none).
    Column("evidence", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("queued_run_id", ForeignKey("linkage_runs.id")),
    Column("queued_at", DateTime(timezone=True), nullable=False),
    Column("reviewer", String(64)),
    Column("reason", Text),
    Column("decided_at", DateTime(timezone=True)),
    CheckConstraint("status IN ('pending', 'same', 'different')", name="status"),
    Index(
        "uq_pair_decisions_pair",
        "organisation_code_l",
        "case_reference_l",
        "organisation_code_r",
        "case_reference_r",
        unique=True,
    ),
    Index("ix_pair_decisions_status", "status"),
)

person_changes = Table(
    "person_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", ForeignKey("linkage_runs.id"), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Column("action", String(24), nullable=False),
    Column("person_id", ForeignKey("persons.id"), nullable=False),
    # Merged into, split from, or the person a report moved from.
    Column("other_person_id", Integer),
    Column("organisation_code", String(16)),
    Column("case_reference", String(64)),
    Column("reason", String(16), nullable=False),
    Column("match_probability", Float),
    Column("pair_decision_id", Integer),
    Column("year_before", SmallInteger),
    Column("year_after", SmallInteger),
    # For 'attributes_changed': {attribute: [before, after]} (migration 0005).
    Column("detail", JSON),
    CheckConstraint(
        "action IN ('created', 'report_added', 'report_updated', 'report_removed', 'merged', "
        "'split', 'retired', 'attributes_changed')",
        name="action",
    ),
    CheckConstraint("reason IN ('model', 'review', 'new_report', 'relink', 'rule')", name="reason"),
    Index("ix_person_changes_person_id", "person_id"),
    Index("ix_person_changes_run_id", "run_id"),
)


# --- Programme monitor (migration 0003) ---------------------------------------------------
# Government programmes, their action lines and measures, the rapporteur's recommendations per
# monitor edition, and the indicators that should move. Rows are keyed by natural codes so that
# a repeated import finds them again; status histories are append-only (an import adds entries
# it does not have and never removes one), and the current status is the latest entry's.

MEASURE_STATUSES: tuple[str, ...] = ("planned", "running", "implemented", "delayed", "stopped")
FOLLOWUP_STATUSES: tuple[str, ...] = (
    "open",
    "in_progress",
    "implemented",
    "partly_implemented",
    "not_implemented",
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


programmes = Table(
    "programmes",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("title_nl", String(200), nullable=False),
    Column("title_en", String(200), nullable=False),
    Column("year", SmallInteger, nullable=False),
    Column("start_date", Date),
    Column("end_date", Date),
    Column("owner_nl", String(200)),
    Column("owner_en", String(200)),
    Column("source", Text),
)

programme_action_lines = Table(
    "programme_action_lines",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("programme_code", ForeignKey("programmes.code"), nullable=False),
    Column("code", String(32), nullable=False),
    Column("number", SmallInteger, nullable=False),
    Column("title_nl", String(200), nullable=False),
    Column("title_en", String(200), nullable=False),
    UniqueConstraint("programme_code", "code"),
)

programme_measures = Table(
    "programme_measures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("programme_code", ForeignKey("programmes.code"), nullable=False),
    Column("code", String(32), nullable=False),
    Column("action_line_id", ForeignKey("programme_action_lines.id"), nullable=False),
    Column("title_nl", String(300), nullable=False),
    Column("title_en", String(300), nullable=False),
    Column("description_nl", Text),
    Column("description_en", Text),
    Column("owner", String(200), nullable=False),
    Column("start_date", Date),
    Column("planned_end", Date),
    # The latest entry of the status history, kept here for listing.
    Column("status", String(16), nullable=False),
    # True for the illustrative measures shipped with the example file.
    Column("is_example", Boolean, nullable=False),
    CheckConstraint(_in("status", MEASURE_STATUSES), name="status"),
    UniqueConstraint("programme_code", "code"),
    Index("ix_programme_measures_action_line_id", "action_line_id"),
)

measure_history = Table(
    "measure_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("measure_id", ForeignKey("programme_measures.id"), nullable=False),
    Column("changed_on", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("evidence_nl", Text, nullable=False),
    Column("evidence_en", Text, nullable=False),
    Column("evidence_url", String(500)),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("recorded_by", String(64)),
    CheckConstraint(_in("status", MEASURE_STATUSES), name="status"),
    UniqueConstraint("measure_id", "changed_on", "status"),
)

measure_milestones = Table(
    "measure_milestones",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("measure_id", ForeignKey("programme_measures.id"), nullable=False),
    Column("code", String(32), nullable=False),
    Column("title_nl", String(300), nullable=False),
    Column("title_en", String(300), nullable=False),
    Column("due", Date),
    Column("reached", Date),
    UniqueConstraint("measure_id", "code"),
)

monitor_editions = Table(
    "monitor_editions",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("title_nl", String(300), nullable=False),
    Column("title_en", String(300), nullable=False),
    Column("published_on", Date),
    Column("source", Text),
)

recommendations = Table(
    "recommendations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("edition_code", ForeignKey("monitor_editions.code"), nullable=False),
    Column("number", SmallInteger, nullable=False),
    Column("addressee_nl", String(300), nullable=False),
    Column("addressee_en", String(300), nullable=False),
    Column("text_nl", Text, nullable=False),
    Column("text_en", Text, nullable=False),
    Column("response_nl", Text),
    Column("response_en", Text),
    Column("response_source", Text),
    # The latest entry of the follow-up history.
    Column("status", String(24), nullable=False),
    CheckConstraint(_in("status", FOLLOWUP_STATUSES), name="status"),
    UniqueConstraint("edition_code", "number"),
)

recommendation_history = Table(
    "recommendation_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("recommendation_id", ForeignKey("recommendations.id"), nullable=False),
    Column("changed_on", Date, nullable=False),
    Column("status", String(24), nullable=False),
    Column("evidence_nl", Text, nullable=False),
    Column("evidence_en", Text, nullable=False),
    Column("evidence_url", String(500)),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("recorded_by", String(64)),
    CheckConstraint(_in("status", FOLLOWUP_STATUSES), name="status"),
    UniqueConstraint("recommendation_id", "changed_on", "status"),
)

indicators = Table(
    "indicators",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("title_nl", String(300), nullable=False),
    Column("title_en", String(300), nullable=False),
    # 'monitor': a series the monitor computes (named by ``series``); 'external': values
    # entered with their source in indicator_values.
    Column("kind", String(16), nullable=False),
    Column("series", String(64)),
    Column("unit", String(16), nullable=False),
    # The direction the measure should move the indicator: 'up', 'down' or 'none' stated.
    Column("expected", String(8), nullable=False),
    Column("source", Text),
    CheckConstraint("kind IN ('monitor', 'external')", name="kind"),
    CheckConstraint("unit IN ('count', 'share')", name="unit"),
    CheckConstraint("expected IN ('up', 'down', 'none')", name="expected"),
    CheckConstraint("(kind = 'monitor') = (series IS NOT NULL)", name="series"),
)

indicator_values = Table(
    "indicator_values",
    metadata,
    Column("indicator_code", ForeignKey("indicators.code"), primary_key=True),
    Column("year", SmallInteger, primary_key=True),
    Column("value", Float, nullable=False),
    Column("lower", Float),
    Column("upper", Float),
    Column("source", Text, nullable=False),
)

measure_indicators = Table(
    "measure_indicators",
    metadata,
    Column("measure_id", ForeignKey("programme_measures.id"), primary_key=True),
    Column("indicator_code", ForeignKey("indicators.code"), primary_key=True),
)

recommendation_indicators = Table(
    "recommendation_indicators",
    metadata,
    Column("recommendation_id", ForeignKey("recommendations.id"), primary_key=True),
    Column("indicator_code", ForeignKey("indicators.code"), primary_key=True),
)

programme_imports = Table(
    "programme_imports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),
    # Rows added and changed per kind, and the first problems (bounded), as dicts.
    Column("counts", JSON, nullable=False),
    Column("problems", JSON, nullable=False),
    CheckConstraint("outcome IN ('accepted', 'rejected', 'unchanged')", name="outcome"),
)

# --- Web application (migration 0004) ------------------------------------------------------
# Accounts of the registry workspace, their server-side sessions (only a hash of the cookie's
# token is stored) and the audit trail: append-only (database triggers refuse UPDATE and
# DELETE) and hash-chained, each event's hash covering the previous one.

web_users = Table(
    "web_users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("organisation_code", ForeignKey("organisations.code")),
    Column("password_hash", String(255), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("role IN ('reporter', 'staff', 'analyst', 'admin')", name="role"),
    CheckConstraint(
        "(role = 'reporter') = (organisation_code IS NOT NULL)", name="reporter_organisation"
    ),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("user_id", ForeignKey("web_users.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_web_sessions_user_id", "user_id"),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("action", String(32), nullable=False),
    # The record read or changed ("submission:12", "person:301", "user:ana"), or "".
    Column("record", String(200), nullable=False),
    Column("screen", String(200), nullable=False),
    Column("detail", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
    Index("ix_audit_events_action_at", "action", "at"),
)


# --- Linkage history (migration 0005) -----------------------------------------------------
# Every review decision ever recorded, append-only (database triggers refuse UPDATE and
# DELETE): who decided what, when and why, and which decision it replaced. ``pair_decisions``
# holds the decision in force; this table holds how it came to be.

pair_decision_history = Table(
    "pair_decision_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("pair_decision_id", ForeignKey("pair_decisions.id"), nullable=False),
    Column("decision", String(16), nullable=False),
    Column("reviewer", String(64), nullable=False),
    Column("reason", Text),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    # The entry this one replaced (NULL for the first decision on the pair), and the status
    # it replaced: 'pending', 'same' or 'different'; NULL when not known (decisions recorded
    # before migration 0005, which copied them as they then stood).
    Column("replaces_id", ForeignKey("pair_decision_history.id")),
    Column("replaces", String(16)),
    CheckConstraint("decision IN ('same', 'different')", name="decision"),
    CheckConstraint(
        "replaces IS NULL OR replaces IN ('pending', 'same', 'different')", name="replaces"
    ),
    Index("ix_pair_decision_history_pair_decision_id", "pair_decision_id"),
)


# --- API tokens (migration 0008) ------------------------------------------------------------
# Tokens with which an organisation's own system submits files (``POST /api/submissions``):
# each bound to one organisation, stored only as the SHA-256 of a random 256-bit token (the
# token itself is shown once, when made), with a short prefix kept in clear to tell tokens
# apart. A revoked token stays as a record of who revoked it and when; an expired one too.

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("organisation_code", ForeignKey("organisations.code"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("prefix", String(16), nullable=False),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoked_by", String(64)),
    Index("ix_api_tokens_organisation_code", "organisation_code"),
)
