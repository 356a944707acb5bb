"""API tokens: organisations' systems submit files with a bearer token (issue 15).

One table, ``api_tokens``: a token belongs to one organisation and is stored only as the
SHA-256 of its text (a random 256-bit value shown once), with a short prefix in clear to tell
tokens apart, who made it and when, an optional expiry, when it was last used, and when and by
whom it was revoked. Nothing else changes; downgrade drops the table (and with it every token).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organisation_code", sa.String(16), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_code"],
            ["organisations.code"],
            name="fk_api_tokens_organisation_code_organisations",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("token_sha256", name="uq_api_tokens_token_sha256"),
    )
    op.create_index("ix_api_tokens_organisation_code", "api_tokens", ["organisation_code"])


def downgrade() -> None:
    op.drop_index("ix_api_tokens_organisation_code", table_name="api_tokens")
    op.drop_table("api_tokens")
