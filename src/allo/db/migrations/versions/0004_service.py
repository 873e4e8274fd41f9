"""service tables: written channel links, service calendar, anonymous ratings, audit log

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import allo.db.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", allo.db.base.UTCDateTime(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    op.create_index(op.f("ix_audit_entry_agent_id"), "audit_entry", ["agent_id"], unique=False)
    op.create_index(op.f("ix_audit_entry_at"), "audit_entry", ["at"], unique=False)
    op.create_index(
        "ix_audit_entry_object", "audit_entry", ["object_type", "object_id"], unique=False
    )
    op.create_table(
        "survey_response",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("sector", sa.String(length=16), nullable=True),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("comment_redactions", sa.JSON(), nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_survey_response_rating")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_response")),
    )
    op.create_index(op.f("ix_survey_response_day"), "survey_response", ["day"], unique=False)
    op.create_table(
        "service_calendar",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("weekly", sa.JSON(), nullable=False),
        sa.Column("closed_on_public_holidays", sa.Boolean(), nullable=False),
        sa.Column("closed_days", sa.JSON(), nullable=False),
        sa.Column("updated_at", allo.db.base.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by"],
            ["agent.id"],
            name=op.f("fk_service_calendar_updated_by_agent"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_calendar")),
    )
    op.create_table(
        "survey_receipt",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_survey_receipt_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_survey_receipt")),
    )
    op.create_table(
        "web_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", allo.db.base.UTCDateTime(), nullable=False),
        sa.Column("expires_at", allo.db.base.UTCDateTime(), nullable=False),
        sa.Column("notify_email", sa.String(length=254), nullable=True),
        sa.Column("notified_at", allo.db.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_web_message_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_message")),
        sa.UniqueConstraint("contact_id", name=op.f("uq_web_message_contact_id")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_message_token_hash")),
    )
    op.create_index(op.f("ix_web_message_expires_at"), "web_message", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_web_message_expires_at"), table_name="web_message")
    op.drop_table("web_message")
    op.drop_table("survey_receipt")
    op.drop_table("service_calendar")
    op.drop_index(op.f("ix_survey_response_day"), table_name="survey_response")
    op.drop_table("survey_response")
    op.drop_index("ix_audit_entry_object", table_name="audit_entry")
    op.drop_index(op.f("ix_audit_entry_at"), table_name="audit_entry")
    op.drop_index(op.f("ix_audit_entry_agent_id"), table_name="audit_entry")
    op.drop_table("audit_entry")
