"""Shared by the knowledge-base benchmarks: their results file."""

from __future__ import annotations

from bench import common
from bench.common import ROOT

RESULTS = ROOT / "docs" / "benchmarks" / "kb.md"
HEADER = """# Knowledge base benchmarks

Scripts: `bench/kb_import.py` (import), `bench/kb_render.py` (rendering), `bench/kb_changes.py`
(change report) and `bench/kb_sync.py` (daily sync). Each section below is
rewritten by its script; every run states the machine and its load.
"""


def write_section(name: str, markdown: str) -> None:
    """Replace (or append) this benchmark's section of docs/benchmarks/kb.md."""
    common.write_section(RESULTS, HEADER, name, markdown)
