"""kb tables

Revision ID: 0001
Revises: None
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import allo.db.base

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fiche",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("type_label", sa.String(length=128), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("breadcrumb", sa.JSON(), nullable=False),
        sa.Column("audiences", sa.JSON(), nullable=False),
        sa.Column("url", sa.String(length=512), nullable=False),
        sa.Column("modified", sa.Date(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_format", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("related", sa.JSON(), nullable=False),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("pivots", sa.JSON(), nullable=False),
        sa.Column("contacts", sa.JSON(), nullable=False),
        sa.Column("references", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("imported_at", allo.db.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", allo.db.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fiche")),
    )
    op.create_index(op.f("ix_fiche_source"), "fiche", ["source"], unique=False)
    op.create_index(op.f("ix_fiche_kind"), "fiche", ["kind"], unique=False)
    op.create_index("ix_fiche_source_kind", "fiche", ["source", "kind"], unique=False)
    op.create_index("ix_fiche_updated_at", "fiche", ["updated_at"], unique=False)
    op.create_table(
        "fiche_variant",
        sa.Column("fiche_id", sa.String(length=64), nullable=False),
        sa.Column("feed", sa.String(length=32), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("source", sa.LargeBinary(), nullable=False),
        sa.Column("imported_at", allo.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fiche_id"],
            ["fiche.id"],
            name=op.f("fk_fiche_variant_fiche_id_fiche"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("fiche_id", "feed", name=op.f("pk_fiche_variant")),
    )


def downgrade() -> None:
    op.drop_table("fiche_variant")
    op.drop_index("ix_fiche_updated_at", table_name="fiche")
    op.drop_index("ix_fiche_source_kind", table_name="fiche")
    op.drop_index(op.f("ix_fiche_kind"), table_name="fiche")
    op.drop_index(op.f("ix_fiche_source"), table_name="fiche")
    op.drop_table("fiche")
