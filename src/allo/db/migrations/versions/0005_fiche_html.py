"""fiche: stored rendered HTML of the body and the renderer that made it

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: existing fiches are rendered by the next `allo kb import` (pages render a fiche
    # without stored HTML on the fly meanwhile).
    with op.batch_alter_table("fiche") as batch:
        batch.add_column(sa.Column("html", sa.Text(), nullable=True))
        batch.add_column(sa.Column("html_renderer", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fiche") as batch:
        batch.drop_column("html_renderer")
        batch.drop_column("html")
