"""contacts tables: agents and their login tokens, contacts, their notes and their steps

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import allo.db.base

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("sectors", sa.JSON(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("state_since", allo.db.base.UTCDateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", allo.db.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "role IN ('advisor', 'specialist', 'editor', 'supervisor', 'administrator')",
            name=op.f("ck_agent_role"),
        ),
        sa.CheckConstraint(
            "state IN ('available', 'busy', 'paused', 'offline')", name=op.f("ck_agent_state")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent")),
        sa.UniqueConstraint("username", name=op.f("uq_agent_username")),
    )
    op.create_table(
        "agent_token",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("created_at", allo.db.base.UTCDateTime(), nullable=False),
        sa.Column("expires_at", allo.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agent.id"],
            name=op.f("fk_agent_token_agent_id_agent"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_agent_token")),
    )
    op.create_index(op.f("ix_agent_token_agent_id"), "agent_token", ["agent_id"], unique=False)
    op.create_index(op.f("ix_agent_token_expires_at"), "agent_token", ["expires_at"], unique=False)
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("created_at", allo.db.base.UTCDateTime(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("question_redactions", sa.JSON(), nullable=False),
        sa.Column("commune", sa.String(length=5), nullable=True),
        sa.Column("theme", sa.String(length=255), nullable=False),
        sa.Column("queue", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("sector", sa.String(length=16), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("queued_at", allo.db.base.UTCDateTime(), nullable=False),
        sa.Column("first_taken_at", allo.db.base.UTCDateTime(), nullable=True),
        sa.Column("taken_at", allo.db.base.UTCDateTime(), nullable=True),
        sa.Column("closed_at", allo.db.base.UTCDateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("outcome_detail", sa.JSON(), nullable=False),
        sa.Column("fiches_consulted", sa.JSON(), nullable=False),
        sa.Column("qualification", sa.JSON(), nullable=False),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.Column("purged_at", allo.db.base.UTCDateTime(), nullable=True),
        sa.CheckConstraint("channel IN ('phone', 'web', 'email')", name=op.f("ck_contact_channel")),
        sa.CheckConstraint(
            "queue IN ('niveau1', 'interieur', 'travail', 'consommation', 'justice', 'fiscalite', 'logement')",
            name=op.f("ck_contact_queue"),
        ),
        sa.CheckConstraint(
            "state IN ('waiting', 'taken', 'closed', 'abandoned')", name=op.f("ck_contact_state")
        ),
        sa.CheckConstraint("level IN (1, 2)", name=op.f("ck_contact_level")),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agent.id"], name=op.f("fk_contact_agent_id_agent"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
        sa.UniqueConstraint("call_id", name=op.f("uq_contact_call_id")),
    )
    op.create_index(op.f("ix_contact_agent_id"), "contact", ["agent_id"], unique=False)
    op.create_index(op.f("ix_contact_created_at"), "contact", ["created_at"], unique=False)
    op.create_index(
        "ix_contact_queue_state_queued_at", "contact", ["queue", "state", "queued_at"], unique=False
    )
    op.create_table(
        "contact_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("at", allo.db.base.UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("queue", sa.String(length=32), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('created', 'queued', 'offered', 'taken', 'consulted', 'noted', 'qualified', 'escalated', 'redirected', 'returned', 'released', 'answered', 'oriented', 'connected', 'transferred', 'closed', 'abandoned', 'ended')",
            name=op.f("ck_contact_event_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agent.id"],
            name=op.f("fk_contact_event_agent_id_agent"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_contact_event_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_event")),
    )
    op.create_index(op.f("ix_contact_event_at"), "contact_event", ["at"], unique=False)
    op.create_index(
        op.f("ix_contact_event_contact_id"), "contact_event", ["contact_id"], unique=False
    )
    op.create_table(
        "contact_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("redactions", sa.JSON(), nullable=False),
        sa.Column("created_at", allo.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agent.id"],
            name=op.f("fk_contact_note_agent_id_agent"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_contact_note_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_note")),
    )
    op.create_index(
        op.f("ix_contact_note_contact_id"), "contact_note", ["contact_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_contact_note_contact_id"), table_name="contact_note")
    op.drop_table("contact_note")
    op.drop_index(op.f("ix_contact_event_contact_id"), table_name="contact_event")
    op.drop_index(op.f("ix_contact_event_at"), table_name="contact_event")
    op.drop_table("contact_event")
    op.drop_index("ix_contact_queue_state_queued_at", table_name="contact")
    op.drop_index(op.f("ix_contact_created_at"), table_name="contact")
    op.drop_index(op.f("ix_contact_agent_id"), table_name="contact")
    op.drop_table("contact")
    op.drop_index(op.f("ix_agent_token_expires_at"), table_name="agent_token")
    op.drop_index(op.f("ix_agent_token_agent_id"), table_name="agent_token")
    op.drop_table("agent_token")
    op.drop_table("agent")
