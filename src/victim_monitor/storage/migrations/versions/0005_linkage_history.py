"""Linkage history: decisions kept append-only, report updates and rule changes in the log.

``pair_decision_history`` keeps every review decision (who, when, why, what it replaced),
append-only like the audit trail; the decisions already recorded are copied into it as they
stand (what they replaced is not known: ``replaces`` NULL). ``person_changes`` gets the
actions ``report_updated`` (a new version of a report that stays with its person, until now
logged as ``report_added`` to the person itself, which is rewritten) and
``attributes_changed`` (reason ``rule``, with the attributes before and after in ``detail``;
the action column widens to 24 characters for it);
``linkage_runs`` gets the rules each run applied.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OLD_ACTIONS = "'created', 'report_added', 'report_removed', 'merged', 'split', 'retired'"
NEW_ACTIONS = (
    "'created', 'report_added', 'report_updated', 'report_removed', 'merged', "
    "'split', 'retired', 'attributes_changed'"
)
OLD_REASONS = "'model', 'review', 'new_report', 'relink'"
NEW_REASONS = "'model', 'review', 'new_report', 'relink', 'rule'"

SQLITE_GUARDS = [
    f"CREATE TRIGGER pair_decision_history_no_{verb.lower()} BEFORE {verb} "
    "ON pair_decision_history "
    "BEGIN SELECT RAISE(ABORT, 'the decision history is append-only'); END"
    for verb in ("UPDATE", "DELETE")
]
POSTGRES_GUARDS = [
    """CREATE FUNCTION pair_decision_history_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'the decision history is append-only'; END $$""",
    "CREATE TRIGGER pair_decision_history_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
    "ON pair_decision_history FOR EACH STATEMENT "
    "EXECUTE FUNCTION pair_decision_history_append_only()",
]


# Migration 0002 gave the checks the naming convention twice ("ck_person_changes_ck_..."); the
# new checks get the names schema.py declares.
OLD_PREFIX = "ck_person_changes_ck_person_changes_"
NEW_PREFIX = "ck_person_changes_"


def _checks(drop: str, create: str, actions: str, reasons: str, width: int) -> None:
    with op.batch_alter_table("person_changes") as batch:
        for name in ("action", "reason"):
            batch.drop_constraint(op.f(drop + name), type_="check")
        batch.alter_column("action", type_=sa.String(width), existing_nullable=False)
        batch.create_check_constraint(op.f(create + "action"), f"action IN ({actions})")
        batch.create_check_constraint(op.f(create + "reason"), f"reason IN ({reasons})")


def upgrade() -> None:
    op.add_column("linkage_runs", sa.Column("rules", sa.JSON(), nullable=True))
    op.add_column("person_changes", sa.Column("detail", sa.JSON(), nullable=True))
    _checks(OLD_PREFIX, NEW_PREFIX, NEW_ACTIONS, NEW_REASONS, 24)
    op.execute(
        "UPDATE person_changes SET action = 'report_updated', other_person_id = NULL "
        "WHERE action = 'report_added' AND other_person_id = person_id"
    )
    op.create_table(
        "pair_decision_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pair_decision_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reviewer", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("replaces", sa.String(16), nullable=True),
        sa.CheckConstraint(
            "decision IN ('same', 'different')", name="ck_pair_decision_history_decision"
        ),
        sa.CheckConstraint(
            "replaces IS NULL OR replaces IN ('pending', 'same', 'different')",
            name="ck_pair_decision_history_replaces",
        ),
        sa.ForeignKeyConstraint(
            ["pair_decision_id"],
            ["pair_decisions.id"],
            name="fk_pair_decision_history_pair_decision_id_pair_decisions",
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"],
            ["pair_decision_history.id"],
            name="fk_pair_decision_history_replaces_id_pair_decision_history",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_pair_decision_history"),
    )
    op.create_index(
        "ix_pair_decision_history_pair_decision_id",
        "pair_decision_history",
        ["pair_decision_id"],
    )
    # The decisions recorded so far, as they stand (what they replaced was overwritten).
    op.execute(
        "INSERT INTO pair_decision_history "
        "(pair_decision_id, decision, reviewer, reason, decided_at, replaces_id, replaces) "
        "SELECT id, status, COALESCE(reviewer, ''), reason, COALESCE(decided_at, queued_at), "
        "NULL, NULL FROM pair_decisions WHERE status IN ('same', 'different') ORDER BY id"
    )
    guards = POSTGRES_GUARDS if op.get_bind().dialect.name == "postgresql" else SQLITE_GUARDS
    for statement in guards:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER pair_decision_history_append_only ON pair_decision_history")
        op.execute("DROP FUNCTION pair_decision_history_append_only()")
    op.drop_index("ix_pair_decision_history_pair_decision_id", table_name="pair_decision_history")
    op.drop_table("pair_decision_history")
    op.execute(
        "UPDATE person_changes SET action = 'report_added', other_person_id = person_id "
        "WHERE action = 'report_updated'"
    )
    op.execute("DELETE FROM person_changes WHERE action = 'attributes_changed'")
    _checks(NEW_PREFIX, OLD_PREFIX, OLD_ACTIONS, OLD_REASONS, 16)
    op.drop_column("person_changes", "detail")
    op.drop_column("linkage_runs", "rules")
