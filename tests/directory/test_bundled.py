"""The bundled directory on first start: what it tells the operator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from allo.directory import bundled
from allo.directory.importer import ImportReport
from allo.runtime import Runtime
from allo.settings import Settings


def test_first_start_counts_what_it_loaded_the_french_way(
    cli_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loading itself is the importer's (tested there): here, the operator's two lines on an
    empty base, numbers separated by thousands and agreeing."""
    monkeypatch.setattr(bundled, "load_communes", lambda session: 37590)
    monkeypatch.setattr(bundled, "load_offices", lambda session: ImportReport(new=1))
    settings = Settings.from_env({"ALLO_HOME": str(tmp_path), "ALLO_DATABASE_URL": cli_database})
    runtime = Runtime.from_settings(settings)
    said: list[Any] = []
    bundled.load_if_empty(runtime, said.append)
    runtime.engine.dispose()
    assert said[0] == "Annuaire : 37\u202f590 communes chargées (COG, INSEE)."
    assert said[1].startswith("Annuaire : 1 organisme chargé (extrait embarqué")
