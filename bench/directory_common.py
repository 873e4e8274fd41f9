"""What the directory benchmarks share: the data, the results file, a scratch PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import common
from bench.common import DATA, ROOT

ARCHIVE = DATA / "annuaire-bdl-2017.tar.xz"
COMMUNES = DATA / "communes.json.gz"
RESULTS = ROOT / "docs" / "benchmarks" / "directory.md"
HEADER = (
    "# Directory benchmarks\n\n"
    "Written by `bench/directory_import.py` and `bench/directory_find.py` "
    "(each rewrites its own section).\n"
)
PG_SERVER = os.environ.get("ALLO_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def write_section(name: str, body: str) -> None:
    """Replace this benchmark's section of docs/benchmarks/directory.md (others are kept)."""
    common.write_section(RESULTS, HEADER, name, body)


@contextmanager
def postgres_database() -> Iterator[str | None]:
    """A fresh database on the PostgreSQL server, dropped afterwards (None if unreachable)."""
    admin = create_engine(
        make_url(PG_SERVER).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    name = f"allo_bench_dir_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:
        admin.dispose()
        yield None
        return
    try:
        yield make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
