"""search_passage.created_at indexed: every worker's index check reads its count and newest

Revision ID: 0017_passage_version_index
Revises: 0016_passage_titles
"""

from __future__ import annotations

from alembic import op

revision = "0017_passage_version_index"
down_revision = "0016_passage_titles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_search_passage_created_at", "search_passage", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_search_passage_created_at", table_name="search_passage")
