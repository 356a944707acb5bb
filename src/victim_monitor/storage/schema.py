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
