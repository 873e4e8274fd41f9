"""Alembic environment: the engine comes from the caller (allo.db.migrate), never from a file."""

from __future__ import annotations

from alembic import context

from allo.db.models import Base

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
