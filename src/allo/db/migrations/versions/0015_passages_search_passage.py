"""search_passage: each fiche's answer passages, taken from its body by the import

Revision ID: 0015_passages
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import allo.db.base

revision = "0015_passages"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_passage",
        sa.Column("fiche_id", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("extractor", sa.String(length=32), nullable=False),
        sa.Column("analysis", sa.String(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", allo.db.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("fiche_id", name=op.f("pk_search_passage")),
    )


def downgrade() -> None:
    op.drop_table("search_passage")
