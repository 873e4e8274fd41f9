"""First start: load the communes and the bundled subset of the directory into an empty database.

The files in `allo/data/directory/` are built by `scripts/build_directory_bundle.py` from the
full DILA directory and the COG (rule and credits in docs/DATA.md). They are already
normalised, so loading them is a bulk insert: a few seconds.
"""

from __future__ import annotations

import json
import lzma
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from allo.db.session import unit_of_work
from allo.directory import repository as repo
from allo.directory.importer import ImportReport, store_communes, store_offices
from allo.directory.types import DATA_DIR
from allo.french import plural
from allo.runtime import Runtime

OFFICES_FILE = DATA_DIR / "offices.json.xz"
COMMUNES_FILE = DATA_DIR / "communes.json.xz"


def read_bundle(path: Path) -> dict[str, Any]:
    with lzma.open(path, "rb") as handle:
        return json.loads(handle.read())


def _rows(table: dict[str, Any]) -> list[dict[str, Any]]:
    columns = table["columns"]
    return [dict(zip(columns, row, strict=True)) for row in table["rows"]]


def load_communes(session: Session, path: Path = COMMUNES_FILE) -> int:
    bundle = read_bundle(path)
    rows = _rows(bundle["communes"])
    store_communes(
        session,
        rows,
        _rows(bundle["departements"]),
        _rows(bundle["epcis"]),
        source=f"{path.name} ({bundle.get('source', '')})",
        compute=False,
    )
    return len(rows)


def load_offices(session: Session, path: Path = OFFICES_FILE) -> ImportReport:
    bundle = read_bundle(path)
    report = ImportReport()
    records = _rows(bundle["offices"])
    report.read = len(records)
    return store_offices(
        session, records, report, source=f"{path.name} ({bundle.get('source', '')})"
    )


def load_if_empty(runtime: Runtime, report: Callable[[str], None]) -> None:
    """Load what is missing: communes, then the offices subset."""
    with unit_of_work(runtime.sessions) as session:
        if repo.count_communes(session) == 0 and COMMUNES_FILE.is_file():
            count = load_communes(session)
            report(
                f"Annuaire : {plural(count, 'commune chargée', 'communes chargées')} (COG, INSEE)."
            )
        if repo.count_offices(session) == 0 and OFFICES_FILE.is_file():
            result = load_offices(session)
            report(
                f"Annuaire : {plural(result.new, 'organisme chargé', 'organismes chargés')} "
                "(extrait embarqué de l'annuaire "
                "DILA / service-public.fr). Pour l'annuaire complet : allo directory import."
            )
