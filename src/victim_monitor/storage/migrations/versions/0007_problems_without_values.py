"""Stored submission problems lose the values from the file they repeated (issue 14, M2).

Problems stored before this revision could hold a cell's value (``value``) and, for an unknown
or identifying column (VM102, VM103), the header's text as field and in the message: a raw
file imported without its header row left a name and a birth date there. Intake no longer
writes them; this clears them from the problems already stored. The column's position was not
stored, so those two say "a column" instead. Irreversible by design: downgrade leaves them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

HEADER_MESSAGES = {
    "VM102": "the header of a column is not a column of submission format v1 "
    "(its text was removed from this stored problem)",
    "VM103": "the header of a column looks like a clear name, birth date or other identifier "
    "(its text was removed from this stored problem); the register accepts only "
    "pseudonymised files: run `victim-monitor encode` on your machine first",
}

submissions = sa.table("submissions", sa.column("id", sa.Integer), sa.column("problems", sa.JSON))


def scrubbed(problem: dict[str, Any]) -> dict[str, Any]:
    """A stored problem without a value from the file."""
    clean = {**problem, "value": None}
    if problem.get("code") in HEADER_MESSAGES:
        clean["field"] = None
        clean["message"] = HEADER_MESSAGES[str(problem["code"])]
    return clean


def upgrade() -> None:
    conn = op.get_bind()
    for sub_id, problems in conn.execute(sa.select(submissions.c.id, submissions.c.problems)):
        clean = [scrubbed(p) for p in problems or []]
        if clean != (problems or []):
            conn.execute(
                submissions.update().where(submissions.c.id == sub_id).values(problems=clean)
            )


def downgrade() -> None:
    pass  # the values are gone, as intended
