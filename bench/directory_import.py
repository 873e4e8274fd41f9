"""Full import of the DILA directory (61,112 offices) on SQLite and PostgreSQL.

    .venv/bin/python -m bench.directory_import [--no-postgres]

Baseline: parse only (read the .tar.xz, decode the JSON, normalise every record; no database).
Measured: communes import (COG), then offices import into an empty database (bulk insert and
commune points), then the idempotent re-import; the target is full import ≤ 30 s on SQLite.
Results: docs/benchmarks/directory.md.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from allo.db.engine import make_engine
from allo.db.migrate import upgrade
from allo.db.session import make_session_factory, unit_of_work
from allo.directory.importer import ImportReport, import_communes, import_offices, normalise_files
from allo.directory.source import iter_source
from bench.common import machine_facts
from bench.directory_common import ARCHIVE, COMMUNES, postgres_database, write_section


def parse_only() -> tuple[float, float, int]:
    """One process, no workers: the plain cost of reading the source."""
    start, cpu = time.perf_counter(), time.process_time()
    report = ImportReport()
    count = sum(1 for _ in normalise_files(iter_source(ARCHIVE), report))
    return time.perf_counter() - start, time.process_time() - cpu, count


def run(url: str) -> dict[str, float | int]:
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    start = time.perf_counter()
    with unit_of_work(factory) as session:
        communes = import_communes(session, COMMUNES)
    communes_s = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    with unit_of_work(factory) as session:
        first = import_offices(session, ARCHIVE)
    first_s = time.perf_counter() - start  # includes the commit
    first_cpu = time.process_time() - cpu
    start = time.perf_counter()
    with unit_of_work(factory) as session:
        again = import_offices(session, ARCHIVE)
    again_s = time.perf_counter() - start
    engine.dispose()
    return {
        "communes": communes.new,
        "communes_s": communes_s,
        "offices": first.new,
        "import_s": first_s,
        "import_cpu": first_cpu,
        "worker_cpu": first.worker_cpu,
        "points": first.points_updated,
        "reimport_s": again_s,
        "unchanged": again.unchanged,
        "changed_again": again.new + again.changed + again.removed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()

    baseline_s, baseline_cpu, parsed = parse_only()
    print(f"parse only: {parsed} records in {baseline_s:.1f} s (CPU {baseline_cpu:.1f} s)")
    results: dict[str, dict[str, float | int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["SQLite"] = run(f"sqlite:///{Path(tmp) / 'bench.db'}")
        print("SQLite", results["SQLite"])
    if not args.no_postgres:
        with postgres_database() as url:
            if url is not None:
                results["PostgreSQL"] = run(url)
                print("PostgreSQL", results["PostgreSQL"])

    rows = [
        "| backend | communes (COG) | offices import, wall | CPU: importing process + parsing workers | wall × parse-only | re-import (idempotent), wall | offices | unchanged on re-import |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for backend, r in results.items():
        rows.append(
            f"| {backend} | {r['communes']} in {r['communes_s']:.1f} s | **{r['import_s']:.1f} s** "
            f"| {r['import_cpu']:.1f} s + {r['worker_cpu']:.1f} s | {r['import_s'] / baseline_s:.2f} "
            f"| {r['reimport_s']:.1f} s "
            f"| {r['offices']} | {r['unchanged']} (changed: {r['changed_again']}) |"
        )
    target = results["SQLite"]["import_s"] <= 30
    body = f"""## Import of the full directory (`bench/directory_import.py`)

Machine: {machine_facts()}.

Source: `annuaire-bdl-2017.tar.xz` read as the archive (no extraction), {parsed} offices.
Baseline, parse only (decompress, decode JSON, normalise every record, no database):
**{baseline_s:.1f} s** wall, {baseline_cpu:.1f} s CPU. The offices import adds the bulk insert (SQLite: one DBAPI executemany
per 5,000 rows; PostgreSQL: COPY), the content hashes for idempotence and the communes' points
from the town halls;
the re-import reads and hashes everything again and writes nothing. The import parses the
archive in 2 worker processes (the parse is CPU-bound) while the main process writes.

{chr(10).join(rows)}

Target full import ≤ 30 s on SQLite (wall clock): **{"met" if target else "NOT met"}**.
The CPU column is what the import itself computed (main process + the two parsing workers):
on this shared machine the wall clock also counts the time other engineers' jobs held the two
cores (see the load average above); on an idle 2-core machine the SQLite import takes about
the main process's CPU plus half the workers'. For PostgreSQL the server's own work is not in
the CPU column.
"""
    write_section("directory_import", body)


if __name__ == "__main__":
    main()
