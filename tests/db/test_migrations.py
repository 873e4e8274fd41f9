"""Migrations are reviewed code: one head, and the models never drift from them."""

from __future__ import annotations

from collections.abc import Callable

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from allo.db.engine import make_engine
from allo.db.migrate import heads, upgrade
from allo.db.models import Base


def test_single_head(engine: Engine) -> None:
    assert len(heads(engine)) == 1


def test_models_match_migrations(make_database: Callable[[], str]) -> None:
    eng = make_engine(make_database())
    upgrade(eng)
    with eng.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    eng.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def test_upgrade_is_idempotent(engine: Engine) -> None:
    before = set(inspect(engine).get_table_names())
    upgrade(engine)
    assert set(inspect(engine).get_table_names()) == before
    assert "alembic_version" in before
