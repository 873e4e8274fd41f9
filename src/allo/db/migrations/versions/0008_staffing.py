"""staffing: imported rosters and their shifts

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import allo.db.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staffing_roster_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", allo.db.base.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("shifts", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["agent.id"],
            name=op.f("fk_staffing_roster_import_created_by_agent"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staffing_roster_import")),
    )
    op.create_table(
        "staffing_shift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("agent", sa.String(length=128), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("queue", sa.String(length=32), nullable=False),
        sa.Column("start", allo.db.base.UTCDateTime(), nullable=False),
        sa.Column("end", allo.db.base.UTCDateTime(), nullable=False),
        sa.Column("breaks", sa.JSON(), nullable=False),
        sa.CheckConstraint("count >= 1", name=op.f("ck_staffing_shift_count")),
        sa.CheckConstraint('"end" > start', name=op.f("ck_staffing_shift_span")),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["staffing_roster_import.id"],
            name=op.f("fk_staffing_shift_import_id_staffing_roster_import"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staffing_shift")),
    )
    op.create_index(
        op.f("ix_staffing_shift_import_id"), "staffing_shift", ["import_id"], unique=False
    )
    op.create_index("ix_staffing_shift_start_end", "staffing_shift", ["start", "end"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_staffing_shift_start_end", table_name="staffing_shift")
    op.drop_index(op.f("ix_staffing_shift_import_id"), table_name="staffing_shift")
    op.drop_table("staffing_shift")
    op.drop_table("staffing_roster_import")
