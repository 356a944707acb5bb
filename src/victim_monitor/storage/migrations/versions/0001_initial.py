"""Initial register: organisations, submissions, reports.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

PSEUDONYMS = (
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


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("name_nl", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("reporter_type", sa.String(32), nullable=False),
        sa.Column("investigative", sa.Boolean(), nullable=False),
        sa.Column("estimation_list", sa.String(1), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_organisations"),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organisation_code", sa.String(16), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("file_format", sa.String(8), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_new", sa.Integer(), nullable=False),
        sa.Column("rows_changed", sa.Integer(), nullable=False),
        sa.Column("rows_unchanged", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('accepted', 'rejected', 'duplicate')", name="ck_submissions_outcome"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_code"],
            ["organisations.code"],
            name="fk_submissions_organisation_code_organisations",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_submissions"),
    )
    op.create_index(
        "ix_submissions_org_hash", "submissions", ["organisation_code", "content_sha256"]
    )
    op.create_index(
        "uq_submissions_accepted_content",
        "submissions",
        ["organisation_code", "content_sha256"],
        unique=True,
        sqlite_where=sa.text("outcome = 'accepted'"),
        postgresql_where=sa.text("outcome = 'accepted'"),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("organisation_code", sa.String(16), nullable=False),
        sa.Column("case_reference", sa.String(64), nullable=False),
        sa.Column("version", sa.SmallInteger(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("superseded_by_submission_id", sa.Integer(), nullable=True),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("report_year", sa.SmallInteger(), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        *(sa.Column(name, sa.String(64), nullable=True) for name in PSEUDONYMS),
        sa.Column("bloom", sa.Text(), nullable=True),
        sa.Column("sex", sa.String(16), nullable=False),
        sa.Column("birth_year", sa.SmallInteger(), nullable=True),
        sa.Column("age_at_report", sa.SmallInteger(), nullable=True),
        sa.Column("nationality", sa.String(2), nullable=True),
        sa.Column("exploitation", sa.String(64), nullable=False),
        sa.Column("sector", sa.String(32), nullable=True),
        sa.Column("border_crossed", sa.String(8), nullable=False),
        sa.Column("country_of_exploitation", sa.String(2), nullable=True),
        sa.Column("dublin_claimant", sa.String(8), nullable=False),
        sa.Column("residence_permit", sa.String(8), nullable=False),
        sa.Column("police_report", sa.String(8), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_code"],
            ["organisations.code"],
            name="fk_reports_organisation_code_organisations",
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"], name="fk_reports_submission_id_submissions"
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by_submission_id"],
            ["submissions.id"],
            name="fk_reports_superseded_by_submission_id_submissions",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
        sa.UniqueConstraint(
            "organisation_code",
            "case_reference",
            "version",
            name="uq_reports_organisation_code_case_reference_version",
        ),
    )
    op.create_index(
        "uq_reports_current",
        "reports",
        ["organisation_code", "case_reference"],
        unique=True,
        sqlite_where=sa.text("is_current"),
        postgresql_where=sa.text("is_current"),
    )
    op.create_index("ix_reports_year_org", "reports", ["report_year", "organisation_code"])
    op.create_index("ix_reports_submission_id", "reports", ["submission_id"])


def downgrade() -> None:
    op.drop_table("reports")
    op.drop_table("submissions")
    op.drop_table("organisations")
