"""Backup and restore of the whole database: SQLite's online backup API, or pg_dump/pg_restore.

- SQLite: `sqlite3.Connection.backup` copies a consistent snapshot page by page while the
  server keeps running (readers and writers are not stopped); the backup is a plain SQLite file.
- PostgreSQL: `pg_dump --format=custom` (a consistent snapshot, compressed) and `pg_restore`,
  from Debian's `postgresql-client` (same major version as the server or newer).

A restore replaces everything; it refuses a database that already holds data unless `force`
(an operator restoring over a live base says so). The file's kind is checked first, so a
PostgreSQL dump is never fed to SQLite or the reverse. Nothing here commits application rows:
the backup is a file, the restore is the database engine's own.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, inspect, select, table
from sqlalchemy.engine import make_url

from allo.db.engine import is_postgres
from allo.errors import Conflict, InvalidInput

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
#: tables whose rows make a database "not empty" (the schema version table does not count)
_IGNORED = frozenset({"alembic_version"})


class ToolMissing(InvalidInput):
    """pg_dump / pg_restore are not installed."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size: int
    seconds: float
    backend: str


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per application table (what a restore compares and refuses to overwrite)."""
    names = sorted(set(inspect(engine).get_table_names()) - _IGNORED)
    with engine.connect() as connection:
        return {
            name: int(connection.scalar(select(func.count()).select_from(table(name))) or 0)
            for name in names
        }


def is_empty(engine: Engine) -> bool:
    return not any(row_counts(engine).values())


def backup(engine: Engine, path: Path) -> BackupReport:
    """Write a consistent copy of the whole database to `path` (replaced if it exists)."""
    path = path.expanduser()
    if path.is_dir():
        raise InvalidInput(f"{path} est un dossier : indiquez un nom de fichier.")
    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    partial = path.with_name(path.name + ".partiel")
    if is_postgres(engine):
        _run(_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}", engine)
    else:
        source = sqlite3.connect(_sqlite_file(engine))
        target = sqlite3.connect(partial)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    partial.chmod(0o600)
    partial.replace(path)  # a failed backup never leaves a half file under the right name
    return BackupReport(
        path,
        path.stat().st_size,
        time.perf_counter() - start,
        engine.dialect.name,
    )


def restore(engine: Engine, path: Path, *, force: bool = False) -> BackupReport:
    """Replace the database's content with the backup at `path`."""
    path = path.expanduser()
    if not path.is_file():
        raise InvalidInput(f"Sauvegarde introuvable : {path}.")
    with path.open("rb") as f:
        head = f.read(16)
    postgres = is_postgres(engine)
    if postgres and not head.startswith(PGDUMP_MAGIC):
        raise InvalidInput(
            f"{path} n'est pas une sauvegarde PostgreSQL (pg_dump) : "
            "une sauvegarde se restaure sur le même moteur de base de données."
        )
    if not postgres and head != SQLITE_MAGIC:
        raise InvalidInput(
            f"{path} n'est pas une sauvegarde SQLite : "
            "une sauvegarde se restaure sur le même moteur de base de données."
        )
    if not force and not is_empty(engine):
        raise Conflict(
            "La base de données contient déjà des données : la restauration les remplacerait. "
            "Relancez avec --force pour confirmer."
        )
    start = time.perf_counter()
    if postgres:
        engine.dispose()  # our pooled connections would hold locks on the tables being dropped
        _run(
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            str(path),
            engine,
            target_flag="--dbname",
        )
    else:
        engine.dispose()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target = sqlite3.connect(_sqlite_file(engine), timeout=30)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    return BackupReport(path, path.stat().st_size, time.perf_counter() - start, engine.dialect.name)


def _sqlite_file(engine: Engine) -> str:
    database = engine.url.database
    if not database or database == ":memory:":
        raise InvalidInput("Une base SQLite en mémoire ne se sauvegarde pas.")
    return database


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ToolMissing(
            f"{name} est introuvable : installez le paquet Debian « postgresql-client » "
            "(apt-get install postgresql-client)."
        )
    return found


def _run(tool: str, *args: object, target_flag: str = "--dbname") -> None:
    """Run a PostgreSQL client tool on the engine's database; the password goes by environment."""
    *options, engine = args
    assert isinstance(engine, Engine)
    url = make_url(engine.url.render_as_string(hide_password=False))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    command = [tool, *(str(o) for o in options), f"{target_flag}={conninfo}"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(aucun message)"])[-1]
        raise InvalidInput(f"{Path(tool).name} a échoué : {last[:300]}")
