"""editorial backlog: fiche flags from the consoles, aggregated portal query counts

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import allo.db.base

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fiche_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", allo.db.base.UTCDateTime(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("fiche_id", sa.String(length=64), nullable=True),
        sa.Column("fiche_title", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("note_redactions", sa.JSON(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("theme", sa.String(length=255), nullable=False),
        sa.Column("sector", sa.String(length=16), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("handled_at", allo.db.base.UTCDateTime(), nullable=True),
        sa.Column("handled_by", sa.Integer(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answer_redactions", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('a_corriger', 'incomplete', 'obsolete', 'manque')",
            name=op.f("ck_fiche_flag_kind"),
        ),
        sa.CheckConstraint("state IN ('open', 'handled')", name=op.f("ck_fiche_flag_state")),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agent.id"],
            name=op.f("fk_fiche_flag_agent_id_agent"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_fiche_flag_contact_id_contact"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["handled_by"],
            ["agent.id"],
            name=op.f("fk_fiche_flag_handled_by_agent"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fiche_flag")),
    )
    op.create_index(op.f("ix_fiche_flag_agent_id"), "fiche_flag", ["agent_id"], unique=False)
    op.create_index(op.f("ix_fiche_flag_created_at"), "fiche_flag", ["created_at"], unique=False)
    op.create_index(op.f("ix_fiche_flag_fiche_id"), "fiche_flag", ["fiche_id"], unique=False)
    op.create_index(op.f("ix_fiche_flag_state"), "fiche_flag", ["state"], unique=False)
    op.create_table(
        "portal_query_count",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("wording", sa.String(length=200), nullable=False),
        sa.Column("searches", sa.Integer(), nullable=False),
        sa.Column("empty", sa.Integer(), nullable=False),
        sa.Column("opened", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "wording", name=op.f("pk_portal_query_count")),
    )


def downgrade() -> None:
    op.drop_table("portal_query_count")
    op.drop_index(op.f("ix_fiche_flag_state"), table_name="fiche_flag")
    op.drop_index(op.f("ix_fiche_flag_fiche_id"), table_name="fiche_flag")
    op.drop_index(op.f("ix_fiche_flag_created_at"), table_name="fiche_flag")
    op.drop_index(op.f("ix_fiche_flag_agent_id"), table_name="fiche_flag")
    op.drop_table("fiche_flag")
