"""Importing the directory: archive or folder, idempotent, reporting bad records and going on."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from allo.directory import repository as repo
from allo.directory.importer import import_offices
from allo.directory.models import Office
from allo.errors import InvalidInput
from tests.directory.directory_factories import collection, feature, write_archive, write_folder

HOURS = {
    "PlageJ": {
        "début": "lundi",
        "fin": "vendredi",
        "PlageH": [
            {"début": "'09:00:00", "fin": "12:00:00"},
            {"début": "2:00:00 PM", "fin": "5:00:00 PM"},
        ],
    }
}


def crafted() -> dict[str, Any]:
    """Two départements that do not exist (98, 99), so the bundled data is never touched."""
    return {
        "99/caf.json": collection(
            feature("caf-99001-01", hours=HOURS),
            feature("caf-99002-01", insee="99002", coordinates=[None, None]),
        ),
        "99/mairie.json": collection(
            feature("mairie-99001-01", pivot="mairie", name="Mairie d'Essai"),
        ),
        "98/99999.json": collection(
            feature("99999-01", pivot="", name="Mission locale - Essai", insee="98001"),
        ),
    }


def test_archive_import_normalises_and_reports(db: Session, tmp_path: Path) -> None:
    path = write_archive(tmp_path / "annuaire.tar.xz", crafted())
    report = import_offices(db, path)
    assert (report.new, report.changed, report.unchanged, report.removed) == (4, 0, 0, 0)
    assert report.files == 3
    assert report.fixes["apostrophe devant l'heure"] == 1
    assert report.fixes["heure au format AM/PM"] == 2
    assert report.fixes["type vide déduit du nom"] == 1
    office = db.get(Office, "caf-99001-01")
    assert office is not None
    assert office.hours == [
        {"days": [0, 1, 2, 3, 4], "ranges": [["09:00", "12:00"], ["14:00", "17:00"]], "note": None}
    ]
    assert db.get(Office, "99999-01").type == "mission_locale"


def test_folder_import_reads_the_same_as_the_archive(db: Session, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "extrait", crafted())
    report = import_offices(db, folder)
    assert report.new == 4
    # The `organismes` folder itself is accepted too, and nothing changed since.
    again = import_offices(db, folder / "organismes")
    assert (again.new, again.changed, again.unchanged, again.removed) == (0, 0, 4, 0)


def test_reimport_is_idempotent_and_tracks_changes(db: Session, tmp_path: Path) -> None:
    files = crafted()
    import_offices(db, write_archive(tmp_path / "a.tar.xz", files))
    token = repo.dataset_tokens(db)

    same = import_offices(db, write_archive(tmp_path / "b.tar.xz", files))
    assert (same.new, same.changed, same.unchanged, same.removed) == (0, 0, 4, 0)
    assert repo.dataset_tokens(db) == token  # nothing changed: the in-memory index stays

    changed = copy.deepcopy(files)
    changed["99/caf.json"]["features"][0]["properties"]["Nom"] = "Caf - nouveau nom"
    del changed["99/caf.json"]["features"][1]  # caf-99002-01 disappears
    changed["99/caf.json"]["features"].append(feature("caf-99003-01", insee="99003"))
    report = import_offices(db, write_archive(tmp_path / "c.tar.xz", changed))
    assert (report.new, report.changed, report.unchanged, report.removed) == (1, 1, 2, 1)
    assert db.get(Office, "caf-99002-01") is None
    assert db.get(Office, "caf-99001-01").name == "Caf - nouveau nom"
    assert repo.dataset_tokens(db) != token


def test_removal_is_limited_to_the_departements_read(db: Session, tmp_path: Path) -> None:
    before = repo.count_offices(db)
    import_offices(db, write_archive(tmp_path / "a.tar.xz", crafted()))
    only_99 = {k: v for k, v in crafted().items() if k.startswith("99/")}
    report = import_offices(db, write_archive(tmp_path / "b.tar.xz", only_99))
    assert report.removed == 0  # département 98 was not in this source: kept
    assert repo.count_offices(db) == before + 4


def test_keep_missing_does_not_remove(db: Session, tmp_path: Path) -> None:
    files = crafted()
    import_offices(db, write_archive(tmp_path / "a.tar.xz", files))
    del files["99/caf.json"]["features"][1]
    report = import_offices(db, write_archive(tmp_path / "b.tar.xz", files), remove_missing=False)
    assert report.removed == 0
    assert db.get(Office, "caf-99002-01") is not None


def test_bad_files_and_records_are_reported_and_the_import_goes_on(
    db: Session, tmp_path: Path
) -> None:
    files = crafted()
    files["99/cassé.json"] = b"{ceci n'est pas du JSON"
    files["99/autre.json"] = {"type": "FeatureCollection"}
    files["99/caf.json"]["features"].append({"type": "Feature", "properties": "illisible"})
    files["99/caf.json"]["features"].append(
        feature("caf-99001-01", name="doublon")  # same id twice: the first one is kept
    )
    report = import_offices(db, write_archive(tmp_path / "a.tar.xz", files))
    assert report.new == 4
    assert report.skipped == 1
    assert len(report.bad_files) == 2
    assert report.problems["identifiant en double"] == 1
    assert db.get(Office, "caf-99001-01").name != "doublon"


def test_progress_is_reported(db: Session, tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    import_offices(
        db,
        write_archive(tmp_path / "a.tar.xz", crafted()),
        progress=lambda phase, done, total: seen.append((phase, done, total)),
    )
    phases = {s[0] for s in seen}
    assert phases == {"lecture", "écriture"}
    assert seen[-1][1] == seen[-1][2]


@pytest.mark.parametrize("name", ["nexiste-pas.tar.xz", "dossier-absent"])
def test_missing_source_is_a_clear_error(db: Session, tmp_path: Path, name: str) -> None:
    with pytest.raises(InvalidInput):
        import_offices(db, tmp_path / name)


def test_corrupt_archive_is_a_clear_error_and_writes_nothing(db: Session, tmp_path: Path) -> None:
    before = repo.count_offices(db)
    path = tmp_path / "annuaire.tar.xz"
    path.write_bytes(b"\xfd7zXZ\x00 pas vraiment une archive")
    with pytest.raises(InvalidInput, match="Archive illisible"):
        import_offices(db, path)
    assert repo.count_offices(db) == before


def test_folder_without_organismes_is_refused(db: Session, tmp_path: Path) -> None:
    (tmp_path / "vide").mkdir()
    with pytest.raises(InvalidInput, match="organismes"):
        import_offices(db, tmp_path / "vide")
