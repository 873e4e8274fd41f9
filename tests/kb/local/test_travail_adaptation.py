"""Adapting a travail-emploi fiche (source `travail`) for the phone, end to end through the API:
the adaptation remembers its source, a re-import of a changed travail export flags it « source
modifiée » with the source's diff, the editor takes the change into account, and a later export
without the fiche flags it « source retirée »."""

from __future__ import annotations

import json
import lzma
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from allo.kb.bundled import SAMPLE_DIR
from allo.kb.importer import import_paths
from tests.conftest import Headers

DELEGUES = "article375542"  # « Les délégués syndicaux », in the bundled travail export
ADDED = "Nouvelle règle de mesure ajoutée par le ministère pour ce test."


def _export(tmp_path: Path, change: Callable[[list[dict[str, Any]]], None]) -> Path:
    """The bundled travail export, changed by `change`, as a file `allo kb import` reads."""
    with lzma.open(SAMPLE_DIR / "fiches-travail.json.xz") as bundled:
        records = json.loads(bundled.read())
    change(records)
    path = tmp_path / "fiches-travail.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def _reimport(db: Session, path: Path) -> None:
    report = import_paths(db, [path], workers=1)
    assert report.ok, report
    db.commit()


def test_adapting_a_travail_fiche_and_its_source_changing(
    client: Any,
    token: Callable[[str], Headers],
    login: Callable[[str], Any],
    db: Session,
    tmp_path: Path,
) -> None:
    editor = token("editor")
    adapted = client.post(f"/api/local-fiches/from-official/{DELEGUES}", headers=editor)
    assert adapted.status_code == 201, adapted.text
    fiche = adapted.json()
    assert fiche["source"]["id"] == DELEGUES and fiche["source"]["state"] == "ok"
    assert fiche["source"]["hash"] and fiche["title"] == "Les délégués syndicaux"
    assert "délégué syndical" in fiche["body"]  # the travail text is the starting body
    url = f"/api/local-fiches/{fiche['id']}"

    def add_paragraph(records: list[dict[str, Any]]) -> None:
        record = next(r for r in records if r["pubId"] == DELEGUES)
        record["intro"] += f"<p>{ADDED}</p>"

    _reimport(db, _export(tmp_path, add_paragraph))
    changed = client.get(url, params={"source_diff": True}, headers=editor).json()
    assert changed["source"]["state"] == "changed"
    added = [r["text"] for r in changed["source"]["diff"] if r["op"] == "+"]
    assert "ministère" in " ".join(added)
    listed = client.get("/api/local-fiches", headers=editor).json()
    assert next(f for f in listed if f["id"] == fiche["id"])["source_id"] == DELEGUES

    # the editor takes the change into account (editor page action): the flag goes
    login("redaction")
    seen = client.post(f"/redaction/fiches/{fiche['id']}/source-vue", follow_redirects=False)
    assert seen.status_code == 303, seen.text[:300]
    client.cookies.clear()
    assert client.get(url, headers=editor).json()["source"]["state"] == "ok"

    # a later complete export without the fiche: « source retirée »
    _reimport(
        db, _export(tmp_path, lambda rs: rs.remove(next(r for r in rs if r["pubId"] == DELEGUES)))
    )
    assert client.get(url, headers=editor).json()["source"]["state"] == "withdrawn"
