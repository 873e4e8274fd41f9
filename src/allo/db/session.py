"""Sessions: one unit of work per request or CLI command, committed on success, rolled back on error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Executable
from sqlalchemy.orm import Session, sessionmaker


def make_session_factory(engine: Engine, *, readonly: bool = False) -> sessionmaker[Session]:
    """Read-only sessions (GET pages, searches) never take SQLite's write lock."""
    bind = engine.execution_options(sqlite_begin="DEFERRED") if readonly else engine
    return sessionmaker(bind=bind, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """The transaction boundary: services never commit, the caller of this does."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def rows_touched(session: Session, statement: Executable, **kwargs: Any) -> int:
    """Run an UPDATE or DELETE and say how many rows it changed (a claim won, a purge's size)."""
    result = cast(CursorResult[Any], session.execute(statement, **kwargs))
    return int(result.rowcount or 0)
