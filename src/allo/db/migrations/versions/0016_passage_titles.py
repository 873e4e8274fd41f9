"""search_passage.titles: the section titles the dense model reads after title and description

Revision ID: 0016_passage_titles
Revises: 0015_passages
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_passage_titles"
down_revision = "0015_passages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("search_passage") as batch:
        batch.add_column(sa.Column("titles", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("search_passage") as batch:
        batch.drop_column("titles")
