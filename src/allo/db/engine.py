"""Engine creation: SQLite (embedded default) or PostgreSQL, with the same behaviour on both."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """Build an engine; SQLite gets WAL, foreign keys and real SAVEPOINT-capable transactions."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            poolclass=NullPool if parsed.database in (None, "", ":memory:") else None,
        )
        _configure_sqlite(engine, _writer_lock(parsed.database or ":memory:"))
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


#: One lock per SQLite file and process: threads queue for the write lock here, in order,
#: instead of in SQLite's sleep-and-retry busy handler, where a writer can starve past its timeout.
_WRITER_LOCKS: dict[str, threading.Lock] = {}
_WRITER_LOCKS_GUARD = threading.Lock()
_WRITER_WAIT_S = 30.0
_HOLDS_LOCK = "allo_sqlite_writer_lock"


def _writer_lock(database: str) -> threading.Lock:
    with _WRITER_LOCKS_GUARD:
        return _WRITER_LOCKS.setdefault(database, threading.Lock())


def _configure_sqlite(engine: Engine, writer_lock: threading.Lock) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINTs; let SQLAlchemy emit BEGIN itself.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers BEGIN IMMEDIATE: they take the write lock up front and wait for it (busy_timeout)
        # instead of failing when a read lock cannot be upgraded. Readers stay DEFERRED (WAL: no lock).
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        if mode == "IMMEDIATE":
            if not writer_lock.acquire(timeout=_WRITER_WAIT_S):
                raise OperationalError("BEGIN IMMEDIATE", None, Exception("database is locked"))
            connection.info[_HOLDS_LOCK] = True
        try:
            connection.exec_driver_sql(f"BEGIN {mode}")
        except BaseException:
            _release(connection.info)
            raise

    def _release(info: dict[str, Any]) -> None:
        if info.pop(_HOLDS_LOCK, False):
            writer_lock.release()

    @event.listens_for(engine, "commit")
    def _on_commit(connection: Any) -> None:
        _release(connection.info)

    @event.listens_for(engine, "rollback")
    def _on_rollback(connection: Any) -> None:
        _release(connection.info)

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        # A connection returned to the pool without commit/rollback events (invalidated, closed
        # mid-transaction) must not keep the lock.
        _release(record.info)


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
