"""search_vector: sentence vectors of the fiches, computed once and shared by every process

Revision ID: 0013
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import allo.db.base

revision = "0013"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_vector",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=128), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", allo.db.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_search_vector")),
    )
    op.create_index(op.f("ix_search_vector_model"), "search_vector", ["model"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_search_vector_model"), table_name="search_vector")
    op.drop_table("search_vector")
