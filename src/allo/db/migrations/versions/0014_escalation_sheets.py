"""escalation sheets as versioned content of the base (editors' copy, versions)

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from allo.db.base import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "escalation_sheet",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("published_content", sa.JSON(), nullable=True),
        sa.Column("published_version", sa.Integer(), nullable=True),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("last_author_id", sa.Integer(), nullable=True),
        sa.Column("approved_version", sa.Integer(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "state IN ('draft', 'review', 'published', 'archived')",
            name="ck_escalation_sheet_state",
        ),
        sa.ForeignKeyConstraint(
            ["last_author_id"],
            ["agent.id"],
            name="fk_escalation_sheet_last_author_id_agent",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["agent.id"],
            name="fk_escalation_sheet_approved_by_id_agent",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_escalation_sheet"),
    )
    op.create_index("ix_escalation_sheet_state", "escalation_sheet", ["state"])
    op.create_table(
        "escalation_sheet_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sheet_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=128), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sheet_id"],
            ["escalation_sheet.id"],
            name="fk_escalation_sheet_version_sheet_id_escalation_sheet",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["agent.id"],
            name="fk_escalation_sheet_version_author_id_agent",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_escalation_sheet_version"),
        sa.UniqueConstraint("sheet_id", "number", name="uq_escalation_sheet_version"),
    )
    op.create_index(
        "ix_escalation_sheet_version_sheet_id", "escalation_sheet_version", ["sheet_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_escalation_sheet_version_sheet_id", table_name="escalation_sheet_version")
    op.drop_table("escalation_sheet_version")
    op.drop_index("ix_escalation_sheet_state", table_name="escalation_sheet")
    op.drop_table("escalation_sheet")
