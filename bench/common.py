"""What every benchmark shares: the corpus paths, the machine facts written beside each result,
percentiles, and the rewriting of one script's section of a docs/benchmarks/<topic>.md file.

One definition each, so that every results file states its machine and computes its percentiles
the same way.
"""

from __future__ import annotations

import os
import platform
import re
import statistics
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data"
DILA_ZIPS = [
    DATA / f"vosdroits-{a}.zip" for a in ("particuliers", "professionnels", "associations")
]
TRAVAIL = DATA / "fiches-travail.json.gz"
#: the whole knowledge base: the three DILA archives and the labour-law fiches
CORPUS = [*DILA_ZIPS, TRAVAIL]


def machine_facts() -> str:
    """When, on what and under which load a result was measured (the machine is shared)."""
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
    """The q-quantile (0 ≤ q ≤ 1), interpolated between the two closest values; NaN if empty."""
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


def write_section(results: Path, header: str, name: str, body: str) -> None:
    """Replace (or append) the `name` section of a results file; the other sections are kept.

    A new file starts with `header`.
    """
    results.parent.mkdir(parents=True, exist_ok=True)
    current = results.read_text() if results.exists() else header
    start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    block = f"{start}\n{body.strip()}\n{end}"
    if start in current:
        current = re.sub(
            re.escape(start) + r".*?" + re.escape(end), lambda _m: block, current, flags=re.S
        )
    else:
        current = current.rstrip() + "\n\n" + block + "\n"
    results.write_text(current)
