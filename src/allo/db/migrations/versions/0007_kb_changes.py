"""kb change reports: what each import or sync of the official data changed, for the editors

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import allo.db.base

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_change_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", allo.db.base.UTCDateTime(), nullable=False),
        sa.Column("trigger", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_change_reports")),
    )
    op.create_index(
        op.f("ix_kb_change_reports_created_at"), "kb_change_reports", ["created_at"], unique=False
    )
    op.create_table(
        "kb_change_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("object_id", sa.String(length=80), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("theme", sa.String(length=255), nullable=False),
        sa.Column("audiences", sa.JSON(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("diff", sa.Text(), nullable=False),
        sa.Column("seen_at", allo.db.base.UTCDateTime(), nullable=True),
        sa.Column("seen_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["kb_change_reports.id"],
            name=op.f("fk_kb_change_items_report_id_kb_change_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["seen_by"],
            ["agent.id"],
            name=op.f("fk_kb_change_items_seen_by_agent"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_change_items")),
    )
    op.create_index(
        op.f("ix_kb_change_items_report_id"), "kb_change_items", ["report_id"], unique=False
    )
    op.create_index(
        op.f("ix_kb_change_items_object_id"), "kb_change_items", ["object_id"], unique=False
    )
    op.create_index(
        "ix_kb_change_items_report_domain",
        "kb_change_items",
        ["report_id", "domain", "action"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("kb_change_items")
    op.drop_table("kb_change_reports")
