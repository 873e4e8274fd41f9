"""directory: the 2022 JSON format's fields on offices, and territorial competence

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("uuid", sa.String(length=36)),
    ("siret", sa.String(length=14)),
    ("siren", sa.String(length=9)),
    ("url_service_public", sa.Text()),
    ("parent_uuid", sa.String(length=36)),
    ("other_types", sa.String(length=255)),
    ("details", sa.JSON()),
)


def upgrade() -> None:
    # Nullable: offices imported from the 2017 tree have none of these until the next import.
    with op.batch_alter_table("directory_office") as batch:
        for name, kind in _COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
        batch.create_index("ix_directory_office_uuid", ["uuid"])
    op.create_table(
        "directory_competence",
        sa.Column("insee", sa.String(length=5), nullable=False),
        sa.Column("office_type", sa.String(length=64), nullable=False),
        sa.Column("service", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("insee", "office_type", "service"),
    )


def downgrade() -> None:
    op.drop_table("directory_competence")
    with op.batch_alter_table("directory_office") as batch:
        batch.drop_index("ix_directory_office_uuid")
        for name, _kind in reversed(_COLUMNS):
            batch.drop_column(name)
