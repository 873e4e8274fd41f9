"""What the directory benchmarks share: machine facts, percentiles, the results file, databases."""

from __future__ import annotations

import os
import platform
import re
import statistics
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
ARCHIVE = SHARED / "annuaire-bdl-2017.tar.xz"
COMMUNES = SHARED / "communes.json.gz"
RESULTS = ROOT / "docs" / "benchmarks" / "directory.md"
PG_SERVER = os.environ.get("ALLO_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def machine_facts() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{now}; nproc {os.cpu_count()} ({cpu}); Python {platform.python_version()}; "
        f"load average at the end: {load} (2 cores shared by several engineers)"
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summary_ms(values: list[float]) -> tuple[float, float, float]:
    """(p50, p99, mean) in milliseconds of durations in seconds."""
    return (
        percentile(values, 0.5) * 1000,
        percentile(values, 0.99) * 1000,
        statistics.fmean(values) * 1000,
    )


def write_section(name: str, body: str) -> None:
    """Replace this benchmark's section of docs/benchmarks/directory.md (others are kept)."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "# Directory benchmarks\n\n"
        "Written by `bench/directory_import.py` and `bench/directory_find.py` "
        "(each rewrites its own section).\n"
    )
    current = RESULTS.read_text() if RESULTS.exists() else header
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    block = f"{start}\n{body.strip()}\n{end}"
    if start in current:
        current = re.sub(
            re.escape(start) + r".*?" + re.escape(end), lambda _m: block, current, flags=re.S
        )
    else:
        current = current.rstrip() + "\n\n" + block + "\n"
    RESULTS.write_text(current)


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
