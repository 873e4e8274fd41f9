"""One node at a time: named locks for background jobs (purge, data sync, embedding…).

Every node of a deployment runs the same background loops; a job that must not run twice at
once (it would do the work twice, or two imports would fight over the same rows) wraps its run:

    with job_lock(runtime.engine, "retention-purge") as held:
        if held:
            run_the_job()

- PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) on a connection of its
  own, held for the run and released at the end — or by the server when the node dies, so a
  crashed node never blocks the others. The key is a stable 64-bit hash of the name.
- SQLite (one machine): an exclusive `flock` on a file beside the database, released likewise
  by the kernel when the process dies.

Never blocks: a node that finds the lock taken skips this run (`held` is False); the holder is
doing the work. Nested use of the same name in one process is not supported (the second try
fails, as from another node).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from allo.db.engine import is_postgres

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")


def lock_key(name: str) -> int:
    """The signed 64-bit advisory-lock key of a job name (the same on every node)."""
    digest = hashlib.blake2b(f"allo:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def job_lock(engine: Engine, name: str) -> Iterator[bool]:
    """Try to hold the lock `name` for the block; yields whether this process holds it."""
    if not _NAME.match(name):
        raise ValueError(f"invalid lock name: {name!r}")
    if is_postgres(engine):
        with _advisory(engine, lock_key(name)) as held:
            yield held
    else:
        with _file_lock(_lock_path(engine, name)) as held:
            yield held


@contextmanager
def _advisory(engine: Engine, key: int) -> Iterator[bool]:
    with engine.connect() as connection:
        # autocommit: the lock belongs to the session, not to a transaction left open
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        held = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}))
        try:
            yield held
        finally:
            if held:
                connection.scalar(text("SELECT pg_advisory_unlock(:k)"), {"k": key})


def _lock_path(engine: Engine, name: str) -> Path:
    database = engine.url.database or ""
    if database in ("", ":memory:"):
        return Path(f"/tmp/allo-{os.getuid()}-{name}.lock")  # noqa: S108 - no file to sit beside
    return Path(f"{database}.{name}.lock")


@contextmanager
def _file_lock(path: Path) -> Iterator[bool]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
