"""Change reports: fiches added, rewritten and withdrawn by real imports; offices compared row by
row before and after; the editors' reading (filters, pages, seen marks) and its French errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, update
from sqlalchemy.orm import Session, sessionmaker

from allo.db.session import unit_of_work
from allo.directory.models import Office
from allo.errors import InvalidInput, NotFound
from allo.kb import changes, services

DATA = Path(__file__).parent / "data"
MakeZip = Callable[[str, dict[str, bytes]], Path]


def _import_and_record(factory: sessionmaker[Session], *paths: Path) -> int:
    with unit_of_work(factory) as session:
        report = services.import_paths(session, list(paths), workers=1)
        items = changes.fiche_items(report.fiche_changes)
        return changes.record(session, "kb-import", items, domains=["fiche"]).id


def _items(factory: sessionmaker[Session], report_id: int, **filters: object) -> list[object]:
    with unit_of_work(factory) as session:
        return changes.report_items(session, report_id, **filters)  # type: ignore[arg-type]


def test_a_re_import_reports_new_changed_and_withdrawn_fiches_with_a_text_diff(
    fresh_db: sessionmaker[Session],
    feed_files: Callable[[str], dict[str, bytes]],
    make_zip: MakeZip,
) -> None:
    files = feed_files("particuliers")
    first = _import_and_record(fresh_db, make_zip("vosdroits-particuliers.zip", files))
    new = _items(fresh_db, first)
    assert {i.action for i in new} == {"new"}
    assert len(new) == len(files)
    f1342 = next(i for i in new if i.object_id == "F1342")
    assert f1342.title == "Carte d'identité d'un mineur : première demande"
    assert f1342.theme == "Papiers - Citoyenneté"
    assert f1342.audiences == ["particuliers"]

    # DILA rewrites a sentence of F1342 and withdraws F82
    changed = dict(files)
    old = changed["F1342.xml"]
    sentence = b"Pour faire la carte d'identit"
    assert sentence in old
    changed["F1342.xml"] = old.replace(sentence, b"Pour obtenir la carte d'identit", 1)
    del changed["F82.xml"]
    second = _import_and_record(fresh_db, make_zip("vosdroits-particuliers-2.zip", changed))

    with unit_of_work(fresh_db) as session:
        report = changes.get_report(session, second)
        assert report.status == "applied"
        assert report.counts == {"fiche": {"new": 0, "changed": 1, "withdrawn": 1}}
        assert "Fiches : 0 nouvelle, 1 modifiée, 1 retirée." in report.message
    items = {i.object_id: i for i in _items(fresh_db, second)}
    assert set(items) == {"F1342", "F82"}
    assert items["F82"].action == "withdrawn"
    assert items["F82"].title  # the former title stays readable after the row is gone
    edit = items["F1342"]
    assert edit.action == "changed"
    assert "description" in edit.fields
    assert "Description : Pour faire la carte" in edit.diff
    assert "→ Pour obtenir la carte" in edit.diff
    # an import that changes nothing still records its (empty) report
    third = _import_and_record(fresh_db, make_zip("vosdroits-particuliers-3.zip", changed))
    with unit_of_work(fresh_db) as session:
        assert changes.get_report(session, third).counts == {
            "fiche": {"new": 0, "changed": 0, "withdrawn": 0}
        }
        assert changes.get_report(session, third).message.startswith(
            "Fiches : 0 nouvelle, 0 modifiée"
        )


def test_text_diff_is_a_unified_diff_of_the_lines() -> None:
    change = changes.FicheChange(
        "F1",
        {"title": "Titre", "text": "un\ndeux\ntrois", "audiences": ["particuliers"]},
        {"title": "Titre", "text": "un\n2\ntrois", "audiences": ["particuliers", "associations"]},
    )
    item = changes.fiche_item(change)
    assert item.fields == ["audiences", "text"]
    assert '["particuliers"] → ["associations", "particuliers"]' not in item.diff  # kept in order
    assert item.diff.splitlines()[0].startswith("Publics : ")
    assert "-deux" in item.diff.splitlines() and "+2" in item.diff.splitlines()


def test_a_long_diff_is_cut_and_says_how_much() -> None:
    before = "\n".join(f"ligne {n}" for n in range(1000))
    change = changes.FicheChange("F1", {"text": before}, {"text": before.replace("ligne", "l")})
    lines = changes.fiche_item(change).diff.splitlines()
    assert len(lines) == changes.MAX_DIFF_LINES + 1
    assert lines[-1].endswith("lignes de plus)")


def _office(office_id: str, name: str, phone: str) -> dict[str, object]:
    return {
        "id": office_id,
        "type": "mairie",
        "name": name,
        "insee": "50099",
        "departement": "50",
        "addresses": [],
        "phone": phone,
        "hours": [],
        "notes": [],
        "content_hash": office_id,
        "updated_on": date(2025, 1, 2),
    }


def test_office_watch_compares_rows_whatever_the_importer_did(
    fresh_db: sessionmaker[Session],
) -> None:
    with unit_of_work(fresh_db) as db:
        _watch_offices(db)


def _watch_offices(db: Session) -> None:
    db.add_all(
        [
            Office(**_office("mairie-50099-01", "Mairie de Carentan", "02 33 00 00 01")),
            Office(**_office("mairie-50099-02", "Mairie déléguée", "02 33 00 00 02")),
        ]
    )
    db.flush()
    watch = changes.OfficeWatch.start(db)
    db.execute(
        update(Office)
        .where(Office.id == "mairie-50099-01")
        .values(phone="02 33 99 99 99", content_hash="other")
    )
    db.execute(delete(Office).where(Office.id == "mairie-50099-02"))
    db.add(Office(**_office("mairie-50099-03", "Mairie déléguée de Saint-Côme", "02 33 00 00 03")))
    # a row rewritten with the same values is not a change, even if its bookkeeping moved
    db.flush()
    found = {i.object_id: i for i in watch.changes(db)}
    assert {k: i.action for k, i in found.items()} == {
        "mairie-50099-01": "changed",
        "mairie-50099-02": "withdrawn",
        "mairie-50099-03": "new",
    }
    assert found["mairie-50099-01"].fields == ["phone"]
    assert found["mairie-50099-01"].diff == "Téléphone : 02 33 00 00 01 → 02 33 99 99 99"
    assert found["mairie-50099-02"].title == "Mairie déléguée"
    assert found["mairie-50099-03"].theme == "mairie"
    report = changes.record(db, "directory-import", list(found.values()), domains=["office"])
    assert report.counts == {"office": {"new": 1, "changed": 1, "withdrawn": 1}}


def test_editors_read_filter_and_mark_items_seen(fresh_db: sessionmaker[Session]) -> None:
    with unit_of_work(fresh_db) as db:
        _read_and_mark(db)


def _read_and_mark(db: Session) -> None:
    drafts = [
        changes.ItemDraft("fiche", "new", "F1", "Un"),
        changes.ItemDraft("fiche", "changed", "F2", "Deux"),
        changes.ItemDraft("office", "withdrawn", "caf-1", "CAF"),
    ]
    report = changes.record(db, "data-sync", drafts, sources=["vosdroits-particuliers.zip"])
    assert changes.list_reports(db, limit=1)[0].id == report.id
    items = changes.report_items(db, report.id)
    assert [i.object_id for i in items] == ["F1", "F2", "caf-1"]  # fiches first
    assert [i.object_id for i in changes.report_items(db, report.id, domain="office")] == ["caf-1"]
    assert [i.object_id for i in changes.report_items(db, report.id, action="changed")] == ["F2"]
    assert changes.mark_seen(db, [items[0].id, items[1].id], None) == 2
    assert changes.mark_seen(db, [items[0].id], None) == 0  # already seen: first reader kept
    db.expire_all()
    unseen = changes.report_items(db, report.id, unseen=True)
    assert [i.object_id for i in unseen] == ["caf-1"]


def test_bad_requests_get_french_errors(fresh_db: sessionmaker[Session]) -> None:
    with unit_of_work(fresh_db) as db:
        _bad_requests(db)


def _bad_requests(db: Session) -> None:
    with pytest.raises(NotFound, match="Rapport de changements introuvable"):
        changes.get_report(db, 987654)
    report = changes.record(db, "kb-import", [])
    with pytest.raises(InvalidInput, match="Domaine inconnu"):
        changes.report_items(db, report.id, domain="x")
    with pytest.raises(InvalidInput, match="Action inconnue"):
        changes.report_items(db, report.id, action="x")
    with pytest.raises(InvalidInput, match="limite"):
        changes.list_reports(db, limit=0)
    with pytest.raises(InvalidInput, match="Au plus"):
        changes.mark_seen(db, list(range(1000)), None)
