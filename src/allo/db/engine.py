"""Engine creation: SQLite (embedded default) or PostgreSQL, with the same behaviour on both."""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    """Build an engine; SQLite gets WAL, foreign keys and real SAVEPOINT-capable transactions."""
    parsed = make_url(url)
    # hide_parameters: statement values (questions, e-mails, token hashes) never reach a log
    # line or an exception message, whatever the log level.
    if parsed.get_backend_name() == "sqlite":
        in_memory = parsed.database in (None, "", ":memory:")
        if not in_memory:
            _create_private(Path(str(parsed.database)))
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            poolclass=NullPool if in_memory else None,
            hide_parameters=True,
        )
        _configure_sqlite(engine, _writer_lock(parsed.database or ":memory:"))
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        hide_parameters=True,
    )


def _create_private(path: Path) -> None:
    """Create the SQLite file 0600 before SQLite does (it would use 0644 under the usual umask);
    its -wal and -shm files take the database file's permissions."""
    if path.exists():
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def checkpoint(engine: Engine) -> None:
    """After erasing text (retention purge): copy the WAL into the database file and truncate
    it, so erased bytes (zeroed by `secure_delete`) do not linger in the -wal file."""
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()  # autocommit (isolation_level None): no BEGIN around it
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        raw.close()


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
        # Deleted or overwritten content is zeroed on disk, not left in free pages.
        cursor.execute("PRAGMA secure_delete=ON")
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
