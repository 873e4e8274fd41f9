"""Importing the directory in DILA's JSON format: told apart by content, idempotent, the
competence of the dump's per-commune files, and whole-file failures that change nothing."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from allo.directory import repository as repo
from allo.directory.importer import import_offices
from allo.directory.source_json import API, COMPETENCE, DUMP, TREE_2017, detect
from allo.errors import InvalidInput
from tests.cli import run_allo
from tests.directory.directory_factories import collection, feature, write_archive

ANNUAIRE = "current-formats/annuaire"


def real(shared_data: Path, name: str) -> Path:
    return shared_data / ANNUAIRE / name


def dump_archive(path: Path, services: list[dict[str, Any]], communes: dict[str, Any]) -> Path:
    """An archive laid out as DILA's `all_latest.tar.bz2`."""
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        for insee, content in communes.items():
            z.writestr(f"{insee}.json", json.dumps(content))
    members = {
        "20260101-data.gouv_local.json": json.dumps({"service": services}).encode(),
        "20260101-data.gouv_commune.zip": zipped.getvalue(),
    }
    with tarfile.open(path, "w:bz2") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_formats_are_told_apart_by_content(shared_data: Path, tmp_path: Path) -> None:
    assert detect(shared_data / "annuaire-bdl-2017.tar.xz") == TREE_2017
    assert detect(real(shared_data, "dump-2023-fontaine-le-port.json")) == DUMP
    assert detect(real(shared_data, "api-one-mairie.json")) == API
    # The name says nothing: a dump saved as .txt is still a dump.
    renamed = tmp_path / "export.txt"
    shutil.copy(real(shared_data, "dump-2021-breux-sur-avre.json"), renamed)
    assert detect(renamed) == DUMP
    listing = tmp_path / "liste.json"
    listing.write_text(json.dumps([{"id": "x"}]))
    assert detect(listing) == API
    csv = tmp_path / "competence.csv"
    csv.write_text("code_insee_commune;nom_commune;id_service_local;code_type_service_local\n")
    assert detect(csv) == COMPETENCE


def test_every_real_file_imports_and_reimports_unchanged(db: Session, shared_data: Path) -> None:
    names = sorted(p.name for p in (shared_data / ANNUAIRE).glob("*.json"))
    imported = 0
    for name in names:
        report = import_offices(
            db, real(shared_data, name), remove_missing=False, refresh_points=False
        )
        assert report.bad_files == []
        assert report.read == report.new + report.changed + report.unchanged + report.skipped
        imported += report.new + report.changed
        if name.startswith("api-trimmed"):
            assert report.skipped == report.read  # no id in a trimmed answer: reported
    assert imported >= 16
    office = repo.get_office(db, "mairie-77188-01")
    assert office is not None and office["uuid"] == "00007e4d-264c-43a0-b0b7-7f3b7dd995ab"
    again = import_offices(
        db, real(shared_data, "api-regrouping-mairie.json"), remove_missing=False
    )
    assert (again.new, again.changed, again.unchanged) == (0, 0, 8)


def test_dump_archive_with_competence(db: Session, shared_data: Path, tmp_path: Path) -> None:
    [service] = json.loads(real(shared_data, "dump-2023-fontaine-le-port.json").read_text())[
        "service"
    ]
    communes = {
        "77188": {
            "commune": [
                {
                    "code_insee_commune": "77188",
                    "nom": "Fontaine-le-Port",
                    "type_service_local": [
                        {"code_type_service_local": "mairie", "organisme": [service["id"]]},
                        {"code_type_service_local": "france_travail", "organisme": ["abc"]},
                    ],
                }
            ]
        },
    }
    archive = dump_archive(tmp_path / "all_latest.tar.bz2", [service], {"77188": communes["77188"]})
    report = import_offices(db, archive, remove_missing=False, refresh_points=False)
    assert (report.format, report.new, report.competence) == (DUMP, 1, 2)
    assert repo.competent_services(db, "77188", "mairie") == [service["id"]]
    # The new type code is stored under the catalogue's type.
    assert repo.competent_services(db, "77188", "pole_emploi") == ["abc"]
    again = import_offices(db, archive, remove_missing=False, refresh_points=False)
    assert (again.unchanged, again.competence) == (1, 2)


def test_competence_dataset_as_csv(db: Session, tmp_path: Path) -> None:
    source = tmp_path / "competence.csv"
    source.write_text(
        "code_insee_commune;nom_commune;id_service_local;code_type_service_local\n"
        '57463;Metz;["uuid-1", "uuid-2"];caf\n'
        "57463;Metz;;cpam\n",
        encoding="utf-8",
    )
    report = import_offices(db, source)
    assert report.competence == 2 and report.new == 0
    assert report.bad_files == ["competence.csv, ligne 2 : commune, type ou organisme manquant"]
    assert repo.competent_services(db, "57463", "caf") == ["uuid-1", "uuid-2"]


@pytest.mark.parametrize("content", [b"", b'{"service": [{"id": "a", "nom": "x"', b"BZh91AY"])
def test_empty_or_truncated_file_changes_nothing(
    db: Session, tmp_path: Path, content: bytes
) -> None:
    before = repo.count_offices(db)
    source = tmp_path / "all_latest.tar.bz2"
    source.write_bytes(content)
    with pytest.raises(InvalidInput) as caught:
        import_offices(db, source)
    assert any(w in caught.value.message for w in ("vide", "tronqué", "tronquée"))
    assert repo.count_offices(db) == before


def test_truncated_dump_archive_changes_nothing(
    db: Session, shared_data: Path, tmp_path: Path
) -> None:
    services = json.loads(real(shared_data, "api-two-mairies.json").read_text())["results"]
    whole = dump_archive(tmp_path / "whole.tar.bz2", services * 50, {})
    cut = tmp_path / "all_latest.tar.bz2"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    before = repo.count_offices(db)
    with pytest.raises(InvalidInput, match="tronquée"):
        import_offices(db, cut)
    assert repo.count_offices(db) == before


def test_2017_archive_still_imports(db: Session, tmp_path: Path) -> None:
    archive = write_archive(
        tmp_path / "a.tar.xz", {"99/caf.json": collection(feature("caf-99001-01"))}
    )
    report = import_offices(db, archive)
    assert (report.format, report.new) == (TREE_2017, 1)


def test_cli_reports_skipped_records_with_a_nonzero_exit(
    make_database: Callable[[], str], shared_data: Path, tmp_path: Path
) -> None:
    good = json.loads(real(shared_data, "api-one-mairie.json").read_text())["results"]
    source = tmp_path / "export.json"
    source.write_text(json.dumps([*good, {"nom": "Sans identifiant"}]), encoding="utf-8")
    result = run_allo(make_database(), tmp_path, "directory", "import", str(source))
    assert result.returncode == 3, result.stderr
    said = " ".join(result.stderr.split())
    assert "1 nouveau, 0 modifié" in said and "identifiant manquant" in said
    assert "1 enregistrement et 0 fichier ignorés" in said


def test_an_api_answer_withdraws_nothing_but_the_whole_dump_does(
    db: Session, shared_data: Path, tmp_path: Path
) -> None:
    def in_cantal() -> int:
        return sum(1 for _h, dep in repo.office_hashes(db).values() if dep == "15")

    before = in_cantal()
    assert before > 1
    answer = real(shared_data, "api-one-mairie.json")  # one town hall of the Cantal
    report = import_offices(db, answer, refresh_points=False)
    after_answer = in_cantal()
    assert report.removed == 0 and after_answer >= before
    services = json.loads(answer.read_text())["results"]
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps({"service": services}), encoding="utf-8")
    report = import_offices(db, dump, refresh_points=False)
    # The dump is the whole publication: the Cantal's other offices are withdrawn.
    assert report.removed == after_answer - 1
    assert in_cantal() == 1


def test_worker_processes_normalise_as_this_one_does(
    db: Session, shared_data: Path, tmp_path: Path
) -> None:
    from allo.ops.metrics import RUNS

    def runs(outcome: str) -> float:
        return RUNS.labels("directory_import", outcome)._value.get()

    services = []
    for name in ("dump-2023-fontaine-le-port.json", "dump-2021-breux-sur-avre.json"):
        services += json.loads(real(shared_data, name).read_text())["service"]
    source = tmp_path / "dump.json"
    source.write_text(
        json.dumps({"service": [*services, {"nom": "Sans identifiant"}]}), encoding="utf-8"
    )
    ok, errors = runs("ok"), runs("error")
    parallel = import_offices(db, source, workers=2, remove_missing=False, refresh_points=False)
    assert parallel.new == len(services) and parallel.worker_cpu > 0
    assert (parallel.read, parallel.skipped) == (len(services) + 1, 1)
    assert parallel.examples["identifiant manquant"] == [
        f"dump.json, enregistrement {len(services) + 1} (Sans identifiant)"
    ]
    # The same records and hashes in this process: nothing to rewrite.
    alone = import_offices(db, source, workers=1, remove_missing=False, refresh_points=False)
    assert (alone.unchanged, alone.changed, alone.worker_cpu) == (len(services), 0, 0)
    # Each run is counted in the operations metrics, a failed one as an error.
    assert runs("ok") == ok + 2
    with pytest.raises(InvalidInput):
        import_offices(db, tmp_path / "absent.json")
    assert runs("error") == errors + 1
