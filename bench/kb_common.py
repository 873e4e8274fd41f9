"""Shared by the knowledge-base benchmarks: corpus paths, machine facts, the results file."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "docs" / "benchmarks" / "kb.md"
DILA_ZIPS = [
    DATA / f"vosdroits-{a}.zip" for a in ("particuliers", "professionnels", "associations")
]
TRAVAIL = DATA / "fiches-travail.json.gz"
HEADER = """# Knowledge base benchmarks

Scripts: `bench/kb_import.py` (import) and `bench/kb_render.py` (rendering). Each section below is
rewritten by its script; every run states the machine and its load.
"""


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
        f"load average {load}"
    )


def write_section(name: str, markdown: str) -> None:
    """Replace (or append) this benchmark's section of docs/benchmarks/kb.md."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    text = RESULTS.read_text() if RESULTS.exists() else HEADER
    opening, closing = f"<!-- {name} -->", f"<!-- /{name} -->"
    block = f"{opening}\n{markdown.strip()}\n{closing}"
    start, end = text.find(opening), text.rfind(closing)
    if start >= 0 and end > start:
        text = text[:start] + block + text[end + len(closing) :]
    else:
        text = f"{text.rstrip()}\n\n{block}\n"
    RESULTS.write_text(text)
