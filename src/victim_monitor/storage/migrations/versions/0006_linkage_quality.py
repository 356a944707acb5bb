"""Linkage quality: each run keeps its own estimate of how well it linked.

``linkage_runs.quality`` holds the run's estimate (the matching pairs it expects in the
register, the precision and recall of its links, the error in persons on two or more lists)
and how its threshold was set; NULL for runs before this migration.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("linkage_runs", sa.Column("quality", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("linkage_runs", "quality")
