"""Shared by the knowledge-base benchmarks: corpus paths, machine facts, the results file."""

from __future__ import annotations

import os
import platform
import re
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
rewritten by its script; the machine is shared by several engineers, so the load average is given
with every run (wall-clock figures grow with it; CPU seconds much less).
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
    block = f"<!-- {name} -->\n{markdown.strip()}\n<!-- /{name} -->"
    pattern = re.compile(rf"<!-- {name} -->.*?<!-- /{name} -->", re.S)
    text = (
        pattern.sub(lambda _m: block, text)
        if pattern.search(text)
        else f"{text.rstrip()}\n\n{block}\n"
    )
    RESULTS.write_text(text)
