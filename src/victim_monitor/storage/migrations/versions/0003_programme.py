"""Programme monitor: programmes, action lines, measures with status history and milestones,
monitor editions and recommendations with follow-up history, indicators and their values,
and the import log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

FOLLOWUP = (
    "status IN ('open', 'in_progress', 'implemented', 'partly_implemented', 'not_implemented')"
)


def upgrade() -> None:
    op.create_table(
        "indicators",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("title_nl", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("series", sa.String(length=64), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("expected", sa.String(length=8), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "(kind = 'monitor') = (series IS NOT NULL)", name="ck_indicators_series"
        ),
        sa.CheckConstraint("expected IN ('up', 'down', 'none')", name="ck_indicators_expected"),
        sa.CheckConstraint("kind IN ('monitor', 'external')", name="ck_indicators_kind"),
        sa.CheckConstraint("unit IN ('count', 'share')", name="ck_indicators_unit"),
        sa.PrimaryKeyConstraint("code", name="pk_indicators"),
    )
    op.create_table(
        "monitor_editions",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("title_nl", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("code", name="pk_monitor_editions"),
    )
    op.create_table(
        "programme_imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('accepted', 'rejected', 'unchanged')", name="ck_programme_imports_outcome"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_programme_imports"),
    )
    op.create_table(
        "programmes",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("title_nl", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("owner_nl", sa.String(length=200), nullable=True),
        sa.Column("owner_en", sa.String(length=200), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("code", name="pk_programmes"),
    )
    op.create_table(
        "indicator_values",
        sa.Column("indicator_code", sa.String(length=64), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("lower", sa.Float(), nullable=True),
        sa.Column("upper", sa.Float(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_code"],
            ["indicators.code"],
            name="fk_indicator_values_indicator_code_indicators",
        ),
        sa.PrimaryKeyConstraint("indicator_code", "year", name="pk_indicator_values"),
    )
    op.create_table(
        "programme_action_lines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("programme_code", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("number", sa.SmallInteger(), nullable=False),
        sa.Column("title_nl", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_code"],
            ["programmes.code"],
            name="fk_programme_action_lines_programme_code_programmes",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_programme_action_lines"),
        sa.UniqueConstraint(
            "programme_code", "code", name="uq_programme_action_lines_programme_code_code"
        ),
    )
    op.create_table(
        "recommendations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("edition_code", sa.String(length=16), nullable=False),
        sa.Column("number", sa.SmallInteger(), nullable=False),
        sa.Column("addressee_nl", sa.String(length=300), nullable=False),
        sa.Column("addressee_en", sa.String(length=300), nullable=False),
        sa.Column("text_nl", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("response_nl", sa.Text(), nullable=True),
        sa.Column("response_en", sa.Text(), nullable=True),
        sa.Column("response_source", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.CheckConstraint(
            FOLLOWUP,
            name="ck_recommendations_status",
        ),
        sa.ForeignKeyConstraint(
            ["edition_code"],
            ["monitor_editions.code"],
            name="fk_recommendations_edition_code_monitor_editions",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_recommendations"),
        sa.UniqueConstraint(
            "edition_code", "number", name="uq_recommendations_edition_code_number"
        ),
    )
    op.create_table(
        "programme_measures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("programme_code", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("action_line_id", sa.Integer(), nullable=False),
        sa.Column("title_nl", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("description_nl", sa.Text(), nullable=True),
        sa.Column("description_en", sa.Text(), nullable=True),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("planned_end", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("is_example", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "status IN ('planned', 'running', 'implemented', 'delayed', 'stopped')",
            name="ck_programme_measures_status",
        ),
        sa.ForeignKeyConstraint(
            ["action_line_id"],
            ["programme_action_lines.id"],
            name="fk_programme_measures_action_line_id_programme_action_lines",
        ),
        sa.ForeignKeyConstraint(
            ["programme_code"],
            ["programmes.code"],
            name="fk_programme_measures_programme_code_programmes",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_programme_measures"),
        sa.UniqueConstraint(
            "programme_code", "code", name="uq_programme_measures_programme_code_code"
        ),
    )
    op.create_index(
        "ix_programme_measures_action_line_id",
        "programme_measures",
        ["action_line_id"],
        unique=False,
    )
    op.create_table(
        "recommendation_indicators",
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("indicator_code", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_code"],
            ["indicators.code"],
            name="fk_recommendation_indicators_indicator_code_indicators",
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name="fk_recommendation_indicators_recommendation_id_recommendations",
        ),
        sa.PrimaryKeyConstraint(
            "recommendation_id", "indicator_code", name="pk_recommendation_indicators"
        ),
    )
    op.create_table(
        "recommendation_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("evidence_nl", sa.Text(), nullable=False),
        sa.Column("evidence_en", sa.Text(), nullable=False),
        sa.Column("evidence_url", sa.String(length=500), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            FOLLOWUP,
            name="ck_recommendation_history_status",
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name="fk_recommendation_history_recommendation_id_recommendations",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_recommendation_history"),
        sa.UniqueConstraint(
            "recommendation_id",
            "changed_on",
            "status",
            name="uq_recommendation_history_recommendation_id_changed_on_status",
        ),
    )
    op.create_table(
        "measure_indicators",
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("indicator_code", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_code"],
            ["indicators.code"],
            name="fk_measure_indicators_indicator_code_indicators",
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["programme_measures.id"],
            name="fk_measure_indicators_measure_id_programme_measures",
        ),
        sa.PrimaryKeyConstraint("measure_id", "indicator_code", name="pk_measure_indicators"),
    )
    op.create_table(
        "measure_milestones",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("title_nl", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("reached", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["programme_measures.id"],
            name="fk_measure_milestones_measure_id_programme_measures",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_measure_milestones"),
        sa.UniqueConstraint("measure_id", "code", name="uq_measure_milestones_measure_id_code"),
    )
    op.create_table(
        "measure_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("evidence_nl", sa.Text(), nullable=False),
        sa.Column("evidence_en", sa.Text(), nullable=False),
        sa.Column("evidence_url", sa.String(length=500), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "status IN ('planned', 'running', 'implemented', 'delayed', 'stopped')",
            name="ck_measure_history_status",
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["programme_measures.id"],
            name="fk_measure_history_measure_id_programme_measures",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_measure_history"),
        sa.UniqueConstraint(
            "measure_id",
            "changed_on",
            "status",
            name="uq_measure_history_measure_id_changed_on_status",
        ),
    )


def downgrade() -> None:
    op.drop_table("measure_history")
    op.drop_table("measure_milestones")
    op.drop_table("measure_indicators")
    op.drop_table("recommendation_history")
    op.drop_table("recommendation_indicators")
    op.drop_table("programme_measures")
    op.drop_table("recommendations")
    op.drop_table("programme_action_lines")
    op.drop_table("indicator_values")
    op.drop_table("programmes")
    op.drop_table("programme_imports")
    op.drop_table("monitor_editions")
    op.drop_table("indicators")
