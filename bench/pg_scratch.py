"""A scratch PostgreSQL database and `allo serve` processes for the multi-process benchmarks
(bench/multinode.py, bench/editorial_publish.py): made fresh, always cleaned up."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.common import ROOT

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _admin(statements: list[str]) -> None:
    admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        for statement in statements:
            c.execute(text(statement))
    admin.dispose()


def create(name: str) -> str:
    """An empty database `name` (dropped first if a run left it); returns its URL."""
    _admin([f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'])
    return make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)


def drop(name: str) -> None:
    _admin([f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'])


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """Stop each process group started with `start_new_session=True` (TERM, then KILL)."""
    for process in processes:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.pid, signal.SIGKILL)


def serve(url: str, home: Path, port: int, **env: str) -> subprocess.Popen[bytes]:
    """`allo serve --workers 1` on `url` and a loopback port, no embedder, in its own group."""
    environment = dict(
        os.environ,
        ALLO_DATABASE_URL=url,
        ALLO_HOME=str(home),
        ALLO_EMBEDDER="none",
        ALLO_LOG_LEVEL="WARNING",
        OMP_NUM_THREADS="1",
        **env,
    )
    return subprocess.Popen(  # noqa: S603 - our own binary
        [str(ROOT / ".venv/bin/allo"), "serve", "--port", str(port), "--workers", "1"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
