"""directory tables

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import allo.db.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "directory_office",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("insee", sa.String(length=5), nullable=False),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("addresses", sa.JSON(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("phone", sa.String(length=255), nullable=True),
        sa.Column("phone_cost", sa.Text(), nullable=True),
        sa.Column("fax", sa.String(length=255), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("contact_url", sa.Text(), nullable=True),
        sa.Column("hours", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("updated_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("imported_at", allo.db.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", allo.db.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_office")),
    )
    op.create_index(op.f("ix_directory_office_type"), "directory_office", ["type"])
    op.create_index(op.f("ix_directory_office_insee"), "directory_office", ["insee"])
    op.create_index(op.f("ix_directory_office_departement"), "directory_office", ["departement"])
    op.create_index("ix_directory_office_type_insee", "directory_office", ["type", "insee"])

    op.create_table(
        "directory_commune",
        sa.Column("insee", sa.String(length=5), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("parent", sa.String(length=5), nullable=True),
        sa.Column("departement", sa.String(length=3), nullable=False),
        sa.Column("region", sa.String(length=3), nullable=True),
        sa.Column("postal_codes", sa.JSON(), nullable=False),
        sa.Column("former_codes", sa.JSON(), nullable=False),
        sa.Column("epci", sa.String(length=9), nullable=True),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("point_source", sa.String(length=16), nullable=True),
        sa.PrimaryKeyConstraint("insee", "kind", name=op.f("pk_directory_commune")),
    )
    op.create_index(op.f("ix_directory_commune_departement"), "directory_commune", ["departement"])
    op.create_index(op.f("ix_directory_commune_epci"), "directory_commune", ["epci"])

    op.create_table(
        "directory_departement",
        sa.Column("code", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("region", sa.String(length=3), nullable=True),
        sa.Column("region_name", sa.String(length=128), nullable=True),
        sa.Column("chef_lieu", sa.String(length=5), nullable=True),
        sa.Column("zone", sa.String(length=8), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_directory_departement")),
    )
    op.create_table(
        "directory_epci",
        sa.Column("code", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=True),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_directory_epci")),
    )
    op.create_table(
        "directory_dataset",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("loaded_at", allo.db.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_directory_dataset")),
    )


def downgrade() -> None:
    op.drop_table("directory_dataset")
    op.drop_table("directory_epci")
    op.drop_table("directory_departement")
    op.drop_index(op.f("ix_directory_commune_epci"), table_name="directory_commune")
    op.drop_index(op.f("ix_directory_commune_departement"), table_name="directory_commune")
    op.drop_table("directory_commune")
    op.drop_index("ix_directory_office_type_insee", table_name="directory_office")
    op.drop_index(op.f("ix_directory_office_departement"), table_name="directory_office")
    op.drop_index(op.f("ix_directory_office_insee"), table_name="directory_office")
    op.drop_index(op.f("ix_directory_office_type"), table_name="directory_office")
    op.drop_table("directory_office")
