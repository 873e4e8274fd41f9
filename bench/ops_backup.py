"""Backup and restore of the full corpus plus a day of contacts, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.ops_backup [--contacts 8000]

The base: the full knowledge base (imported from ../shared/data, as `allo kb import` does) plus
the day replay's 8,000-contact day (a busy day of the 3939, `bench.day_replay`'s data: every
channel and sector, escalations, written answers, ratings, agents' states, the audit), replayed
flat out through the API of a server on the base. PostgreSQL gets the same rows
(a scratch database on 127.0.0.1:5432, dropped at the end). Measured: `allo.ops.backup.backup`
and `restore` (what `allo backup` / `allo restore` run), wall time and file size, and as a
baseline in the same run a plain file copy of the SQLite database (what a naive operator does,
unsafe while the server writes). Results: docs/benchmarks/ops.md.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.common import CORPUS, ROOT, machine_facts, write_section

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
CONTACTS = 8000
RESULTS = ROOT / "docs" / "benchmarks" / "ops.md"
HEADER = "# Operations benchmarks\n\nBackups and several nodes (issue 15).\n"


def add_day(url: str, count: int, workdir: Path, workers: int) -> dict[str, Any]:
    """The day replay's day (`bench.day_replay`, allo.stats.simulation): `count` contacts of
    every channel and sector, taken, escalated, answered and rated through the HTTP API of a
    server on this base, flat out. Returns the replay's own check (none lost, none twice)."""
    from allo.stats.replay_protocol import KEY_ENV
    from allo.stats.simulation import SimulationOptions, run_day, simulation_server

    key = secrets.token_urlsafe(32)
    home = workdir / f"replay-{make_url(url).get_backend_name()}"
    home.mkdir()
    saved = {name: os.environ.get(name) for name in ("ALLO_DATABASE_URL", KEY_ENV)}
    with simulation_server(url, home, key, workers) as server:
        os.environ.update({"ALLO_DATABASE_URL": url, KEY_ENV: key})
        try:
            report = run_day(
                SimulationOptions(contacts=count, url=server, speed=0.0, baseline_requests=1),
                progress=lambda line: print(f"  {line}", flush=True),
            )
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    return report.check


def measure(url: str, workdir: Path, label: str) -> dict[str, float]:
    from allo.db.engine import make_engine
    from allo.db.migrate import upgrade
    from allo.ops import backup as ops

    engine = make_engine(url)
    counts = ops.row_counts(engine)
    report = ops.backup(engine, workdir / f"{label}.sauvegarde")
    engine.dispose()
    target_url = scratch(label + "_restored", workdir)
    target = make_engine(target_url)
    upgrade(target)
    restored = ops.restore(target, report.path)
    assert ops.row_counts(target) == counts, "restore lost rows"
    target.dispose()
    drop(target_url)
    return {
        "backup_s": report.seconds,
        "restore_s": restored.seconds,
        "size_mb": report.size / 1e6,
        "fiches": counts["fiche"],
        "contacts": counts["contact"],
        "events": counts.get("contact_event", 0),
    }


def scratch(name: str, workdir: Path) -> str:
    if name.startswith("pg"):
        admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "allo_bench_{name}" WITH (FORCE)'))
            c.execute(text(f'CREATE DATABASE "allo_bench_{name}"'))
        admin.dispose()
        return make_url(PG_SERVER).set(database=f"allo_bench_{name}").render_as_string(False)
    return f"sqlite:///{workdir / (name + '.db')}"


def drop(url: str) -> None:
    if url.startswith("postgresql"):
        admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
        admin.dispose()


def import_corpus(url: str) -> None:
    """The full corpus into a scratch base, as `allo kb import` does."""
    from allo.db.engine import make_engine
    from allo.db.migrate import upgrade
    from allo.db.session import make_session_factory, unit_of_work
    from allo.kb.importer import import_paths

    engine = make_engine(url)
    upgrade(engine)
    with unit_of_work(make_session_factory(engine)) as session:
        import_paths(session, CORPUS)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=CONTACTS, help="contacts of the day")
    parser.add_argument(
        "--sqlite-base", type=Path, help="a SQLite base already holding the corpus and contacts"
    )
    parser.add_argument("--no-write", action="store_true", help="print, leave docs/ alone")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="allo-bench-ops-"))
    checks = {}
    try:
        base = args.sqlite_base or workdir / "sqlite_day.db"
        sqlite_url = f"sqlite:///{base}"
        if args.sqlite_base is None:
            print("SQLite: corpus, then the day", flush=True)
            import_corpus(sqlite_url)
            checks["SQLite"] = add_day(sqlite_url, args.contacts, workdir, workers=1)
        start = time.perf_counter()
        shutil.copyfile(base, workdir / "copy-baseline.db")
        copy_s = time.perf_counter() - start
        sqlite = measure(sqlite_url, workdir, "sqlite")
        print("PostgreSQL: corpus, then the day", flush=True)
        pg_url = scratch("pg_day", workdir)
        import_corpus(pg_url)
        checks["PostgreSQL"] = add_day(pg_url, args.contacts, workdir, workers=2)
        pg = measure(pg_url, workdir, "pg")
        drop(pg_url)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    body = f"""## Backup and restore (`allo backup` / `allo restore`)

Written by `bench/ops_backup.py` ({machine_facts()}).

The full knowledge base (fiches with their variants and stored HTML) plus the day replay's day
(`bench.day_replay`: {args.contacts:,} contacts of every channel and sector, taken, escalated,
answered, rated, audited, through the HTTP API; replay check: {_checks(checks)}). Baseline: a plain copy of the SQLite
base file with its contacts (unsafe while a server writes), {copy_s:.2f} s.

| engine | fiches | contacts | contact events |
|---|---|---|---|
| SQLite | {sqlite["fiches"]:,} | {sqlite["contacts"]:,} | {sqlite["events"]:,} |
| PostgreSQL | {pg["fiches"]:,} | {pg["contacts"]:,} | {pg["events"]:,} |

| engine | backup | restore | file |
|---|---|---|---|
| SQLite (online backup API) | {sqlite["backup_s"]:.2f} s | {sqlite["restore_s"]:.2f} s | {sqlite["size_mb"]:.0f} MB |
| PostgreSQL (pg_dump -Fc / pg_restore) | {pg["backup_s"]:.2f} s | {pg["restore_s"]:.2f} s | {pg["size_mb"]:.0f} MB |

Every restore is checked row for row (counts per table equal to the source's).
"""
    if not args.no_write:
        write_section(RESULTS, HEADER, "ops_backup", body)
    print(body)


def _checks(checks: dict[str, dict[str, Any]]) -> str:
    return (
        "; ".join(
            f"{engine} {check.get('lost')} lost, {check.get('duplicated')} duplicated"
            for engine, check in checks.items()
        )
        or "not replayed"
    )


if __name__ == "__main__":
    main()
