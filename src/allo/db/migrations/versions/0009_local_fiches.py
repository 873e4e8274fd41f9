"""local fiches: the service's own answer fiches and their versions

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from allo.db.base import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "local_fiche",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("audiences", sa.JSON(), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=False),
        sa.Column("theme", sa.String(length=255), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("advisor_note", sa.Text(), nullable=False),
        sa.Column("related", sa.JSON(), nullable=False),
        sa.Column("pivots", sa.JSON(), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("sites", sa.JSON(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("review_by", sa.Date(), nullable=True),
        sa.Column("last_author_id", sa.Integer(), nullable=True),
        sa.Column("approved_version", sa.Integer(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("published_version", sa.Integer(), nullable=True),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.Column("source_hash", sa.String(length=64), nullable=True),
        sa.Column("source_modified", sa.Date(), nullable=True),
        sa.Column("source_title", sa.Text(), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "state IN ('draft', 'review', 'published', 'archived')", name="ck_local_fiche_state"
        ),
        sa.ForeignKeyConstraint(
            ["last_author_id"],
            ["agent.id"],
            name="fk_local_fiche_last_author_id_agent",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["agent.id"],
            name="fk_local_fiche_approved_by_id_agent",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_local_fiche"),
        sa.UniqueConstraint("number", name="uq_local_fiche_number"),
    )
    op.create_index("ix_local_fiche_state", "local_fiche", ["state"])
    op.create_index("ix_local_fiche_source_id", "local_fiche", ["source_id"])
    op.create_table(
        "local_fiche_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fiche_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=128), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fiche_id"],
            ["local_fiche.id"],
            name="fk_local_fiche_version_fiche_id_local_fiche",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["agent.id"],
            name="fk_local_fiche_version_author_id_agent",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_local_fiche_version"),
        sa.UniqueConstraint("fiche_id", "number", name="uq_local_fiche_version"),
    )
    op.create_index("ix_local_fiche_version_fiche_id", "local_fiche_version", ["fiche_id"])


def downgrade() -> None:
    op.drop_index("ix_local_fiche_version_fiche_id", table_name="local_fiche_version")
    op.drop_table("local_fiche_version")
    op.drop_index("ix_local_fiche_source_id", table_name="local_fiche")
    op.drop_index("ix_local_fiche_state", table_name="local_fiche")
    op.drop_table("local_fiche")
