"""Linkage: runs, persons, report membership, scored links, pair decisions, change log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

REPORT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "linkage_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("review_low", sa.Float(), nullable=False),
        sa.Column("review_high", sa.Float(), nullable=False),
        sa.Column("model", sa.JSON(), nullable=False),
        sa.Column("reports_linked", sa.Integer(), nullable=False),
        sa.Column("new_reports", sa.Integer(), nullable=False),
        sa.Column("pairs_scored", sa.BigInteger(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.CheckConstraint("mode IN ('full', 'incremental')", name="ck_linkage_runs_mode"),
        sa.PrimaryKeyConstraint("id", name="pk_linkage_runs"),
    )
    op.create_table(
        "persons",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("first_report_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(16), nullable=False),
        sa.Column("birth_year", sa.SmallInteger(), nullable=True),
        sa.Column("age", sa.SmallInteger(), nullable=True),
        sa.Column("age_group", sa.String(16), nullable=False),
        sa.Column("nationality", sa.String(2), nullable=True),
        sa.Column("exploitation", sa.String(64), nullable=False),
        sa.Column("border_crossed", sa.String(8), nullable=False),
        sa.Column("form_group", sa.String(40), nullable=False),
        sa.Column("lists", sa.String(16), nullable=False),
        sa.Column("n_reports", sa.Integer(), nullable=False),
        sa.Column("n_organisations", sa.Integer(), nullable=False),
        sa.Column("created_run_id", sa.Integer(), nullable=False),
        sa.Column("updated_run_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('active', 'retired')", name="ck_persons_status"),
        sa.ForeignKeyConstraint(
            ["created_run_id"], ["linkage_runs.id"], name="fk_persons_created_run_id_linkage_runs"
        ),
        sa.ForeignKeyConstraint(
            ["updated_run_id"], ["linkage_runs.id"], name="fk_persons_updated_run_id_linkage_runs"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_persons"),
    )
    op.create_index("ix_persons_status_year", "persons", ["status", "year"])
    op.create_table(
        "person_reports",
        sa.Column("organisation_code", sa.String(16), nullable=False),
        sa.Column("case_reference", sa.String(64), nullable=False),
        sa.Column("report_id", REPORT_ID, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_code"],
            ["organisations.code"],
            name="fk_person_reports_organisation_code_organisations",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name="fk_person_reports_report_id_reports"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name="fk_person_reports_person_id_persons"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["linkage_runs.id"], name="fk_person_reports_run_id_linkage_runs"
        ),
        sa.PrimaryKeyConstraint("organisation_code", "case_reference", name="pk_person_reports"),
    )
    op.create_index("ix_person_reports_person_id", "person_reports", ["person_id"])
    op.create_index("uq_person_reports_report_id", "person_reports", ["report_id"], unique=True)
    op.create_table(
        "report_links",
        sa.Column("report_id_l", REPORT_ID, nullable=False),
        sa.Column("report_id_r", REPORT_ID, nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=False),
        sa.Column("match_probability", sa.Float(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("report_id_l < report_id_r", name="ck_report_links_ordered"),
        sa.ForeignKeyConstraint(
            ["report_id_l"], ["reports.id"], name="fk_report_links_report_id_l_reports"
        ),
        sa.ForeignKeyConstraint(
            ["report_id_r"], ["reports.id"], name="fk_report_links_report_id_r_reports"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["linkage_runs.id"], name="fk_report_links_run_id_linkage_runs"
        ),
        sa.PrimaryKeyConstraint("report_id_l", "report_id_r", name="pk_report_links"),
    )
    op.create_index("ix_report_links_report_id_r", "report_links", ["report_id_r"])
    op.create_table(
        "pair_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organisation_code_l", sa.String(16), nullable=False),
        sa.Column("case_reference_l", sa.String(64), nullable=False),
        sa.Column("organisation_code_r", sa.String(16), nullable=False),
        sa.Column("case_reference_r", sa.String(64), nullable=False),
        sa.Column("report_id_l", REPORT_ID, nullable=False),
        sa.Column("report_id_r", REPORT_ID, nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=False),
        sa.Column("match_probability", sa.Float(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("queued_run_id", sa.Integer(), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewer", sa.String(64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'same', 'different')", name="ck_pair_decisions_status"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_code_l"],
            ["organisations.code"],
            name="fk_pair_decisions_organisation_code_l_organisations",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_code_r"],
            ["organisations.code"],
            name="fk_pair_decisions_organisation_code_r_organisations",
        ),
        sa.ForeignKeyConstraint(
            ["report_id_l"], ["reports.id"], name="fk_pair_decisions_report_id_l_reports"
        ),
        sa.ForeignKeyConstraint(
            ["report_id_r"], ["reports.id"], name="fk_pair_decisions_report_id_r_reports"
        ),
        sa.ForeignKeyConstraint(
            ["queued_run_id"],
            ["linkage_runs.id"],
            name="fk_pair_decisions_queued_run_id_linkage_runs",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_pair_decisions"),
    )
    op.create_index(
        "uq_pair_decisions_pair",
        "pair_decisions",
        ["organisation_code_l", "case_reference_l", "organisation_code_r", "case_reference_r"],
        unique=True,
    )
    op.create_index("ix_pair_decisions_status", "pair_decisions", ["status"])
    op.create_table(
        "person_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("other_person_id", sa.Integer(), nullable=True),
        sa.Column("organisation_code", sa.String(16), nullable=True),
        sa.Column("case_reference", sa.String(64), nullable=True),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("match_probability", sa.Float(), nullable=True),
        sa.Column("pair_decision_id", sa.Integer(), nullable=True),
        sa.Column("year_before", sa.SmallInteger(), nullable=True),
        sa.Column("year_after", sa.SmallInteger(), nullable=True),
        sa.CheckConstraint(
            "action IN ('created', 'report_added', 'report_removed', 'merged', 'split', 'retired')",
            name="ck_person_changes_action",
        ),
        sa.CheckConstraint(
            "reason IN ('model', 'review', 'new_report', 'relink')",
            name="ck_person_changes_reason",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["linkage_runs.id"], name="fk_person_changes_run_id_linkage_runs"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name="fk_person_changes_person_id_persons"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_person_changes"),
    )
    op.create_index("ix_person_changes_person_id", "person_changes", ["person_id"])
    op.create_index("ix_person_changes_run_id", "person_changes", ["run_id"])


def downgrade() -> None:
    op.drop_table("person_changes")
    op.drop_table("pair_decisions")
    op.drop_table("report_links")
    op.drop_table("person_reports")
    op.drop_table("persons")
    op.drop_table("linkage_runs")
