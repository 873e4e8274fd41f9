"""First start: load the bundled real sample of the official fiches into an empty knowledge base.

The sample (src/allo/data/kb/, built by scripts/make_kb_sample.py, see docs/DATA.md) holds whole
themes of the DILA fiches and every travail-emploi fiche, so the product starts with real content
on a machine that cannot download the full exports.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from allo.db.session import unit_of_work
from allo.french import plural
from allo.kb import repository
from allo.kb.importer import ImportReport, import_paths
from allo.runtime import Runtime

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data" / "kb"


def sample_paths() -> list[Path]:
    return sorted(p for p in SAMPLE_DIR.iterdir() if p.is_file() and not p.name.startswith("."))


def load_if_empty(runtime: Runtime, report: Callable[[str], None]) -> ImportReport | None:
    _load_escalation_sheets(runtime, report)
    with unit_of_work(runtime.read_sessions) as session:
        if repository.count(session) > 0:
            return None
    with unit_of_work(runtime.sessions) as session:
        # re-checked under the import lock: two workers starting together load it once
        repository.lock_for_import(session)
        if repository.count(session) > 0:
            return None
        result = import_paths(session, sample_paths())
    report(f"Base de connaissances : échantillon embarqué chargé — {result.summary()}")
    for problem in result.skipped:
        report(f"  ignoré : {problem.origin} — {problem.message}")
    return result


def _load_escalation_sheets(runtime: Runtime, report: Callable[[str], None]) -> None:
    """The JSON files become the published sheets of the base, once (then editors own them)."""
    from allo.kb.local import sheets

    with unit_of_work(runtime.sessions) as session:
        loaded = sheets.load_initial(session, runtime.settings.home / "escalation")
    if loaded:
        report(f"Fiches d'escalade : {plural(len(loaded), 'chargée')} dans la base.")
