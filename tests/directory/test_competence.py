"""Territorial competence and the order of `find`: the competent office first, then the
nearest; the caller's own commune first without competence data; a commune nouvelle's town
halls; an office keeps its id across the format change."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from allo.contacts import agents as agents_domain
from allo.contacts import services as contacts
from allo.directory import repository as repo
from allo.directory.convert import service_of
from allo.directory.importer import import_offices, store_competence
from allo.directory.services import DirectoryService
from tests.directory.directory_factories import collection, feature, write_archive

TUESDAY = "2026-12-22T10:00"
REGROUPING = "current-formats/annuaire/api-regrouping-mairie.json"


def write_json(path: Path, services: list[dict[str, object]]) -> Path:
    path.write_text(json.dumps({"service": services}), encoding="utf-8")
    return path


def test_competent_office_comes_first_and_is_marked(
    db: Session, directory: DirectoryService
) -> None:
    before = directory.find(db, "Metz", "caf", TUESDAY, 5)["offices"]
    assert len(before) >= 3 and before[0]["match"] != "competent"
    chosen = before[2]  # not the nearest: only the data can put it first
    store_competence(db, [("57463", "caf", chosen["id"])], source="test")
    after = directory.find(db, "Metz", "caf", TUESDAY, 5)["offices"]
    assert after[0]["id"] == chosen["id"]
    assert after[0]["match"] == "competent"
    assert after[0]["match_label"] == "Compétent pour votre commune"
    # Then the nearest others, as before, without the competent one twice.
    assert [o["id"] for o in after[1:]] == [o["id"] for o in before if o["id"] != chosen["id"]][:4]
    # Another commune without competence data keeps the distance order.
    other = directory.find(db, "Nancy", "caf", TUESDAY, 2)["offices"]
    assert other[0]["match"] != "competent"


def test_competence_by_uuid_and_by_new_type_code(
    db: Session, directory: DirectoryService, tmp_path: Path
) -> None:
    nearest = directory.find(db, "Metz", "pole_emploi", TUESDAY, 4)["offices"]
    # An agency published in the JSON format under the new code, with its UUID.
    source = feature(
        "pole_emploi-57463-77",
        pivot="pole_emploi",
        insee="57463",
        name="France Travail - Metz Test",
        coordinates=[6.0, 49.3],
    )
    service = service_of(source)
    assert service is not None
    service["pivot"][0]["type_service_local"] = "france_travail"
    service["adresse"][0]["latitude"], service["adresse"][0]["longitude"] = "49.3", "6.0"
    import_offices(
        db, write_json(tmp_path / "ft.json", [service]), remove_missing=False, refresh_points=False
    )
    store_competence(db, [("57463", "pole_emploi", service["id"])], source="test")
    for code in ("pole_emploi", "france_travail"):
        result = directory.find(db, "Metz", code, TUESDAY, 4)
        assert result["offices"][0]["id"] == "pole_emploi-57463-77"
        assert result["offices"][0]["type_label"].startswith("France Travail")
    assert len(nearest) >= 2


def test_own_commune_office_first_even_without_gps(
    db: Session, directory: DirectoryService, tmp_path: Path
) -> None:
    far = directory.find(db, "Metz", "adil", TUESDAY, 3)["offices"]
    assert far and all(o["insee"] != "57463" for o in far)
    archive = write_archive(
        tmp_path / "a.tar.xz",
        {
            "57/adil.json": collection(
                feature(
                    "adil-57463-09",
                    pivot="adil",
                    insee="57463",
                    name="ADIL de la Moselle - Metz",
                    coordinates=[None, None],
                    Adresse={"type": "physique", "Ligne": "1 rue", "NomCommune": "Metz"},
                )
            )
        },
    )
    import_offices(db, archive, remove_missing=False, refresh_points=False)
    offices = directory.find(db, "Metz", "adil", TUESDAY, 3)["offices"]
    assert offices[0]["id"] == "adil-57463-09"
    assert offices[0]["distance_km"] is None and offices[0]["match"] == "commune"
    assert [o["id"] for o in offices[1:]] == [o["id"] for o in far[:2]]


def test_departement_level_type_gives_the_callers_departement_first(
    directory: DirectoryService,
) -> None:
    offices = directory.find(None, "Metz", "prefecture", TUESDAY, 5)["offices"]
    assert offices[0]["departement"] == "57"
    assert [o["departement"] == "57" for o in offices] == sorted(
        (o["departement"] == "57" for o in offices), reverse=True
    )


def test_commune_nouvelle_main_town_hall_then_mairies_deleguees(
    db: Session, directory: DirectoryService, shared_data: Path
) -> None:
    import_offices(db, shared_data / REGROUPING, remove_missing=False, refresh_points=False)
    offices = directory.find(db, "insee:50099", "mairie", TUESDAY, 10)["offices"]
    ids = [o["id"] for o in offices]
    assert ids[0] == "mairie-50099-01"
    assert offices[0]["match_label"] == "Mairie principale"
    assert {"mairie-50099-03", "mairie-50099-04", "mairie-50099-05"} <= set(ids)
    assert {o["match_label"] for o in offices[1:]} == {"Mairie déléguée"}
    # With the competence data naming them all, the same order, marked as competent.
    services = repo.offices_by_ids(db, ids)
    store_competence(db, [("50099", "mairie", services[i]["uuid"] or i) for i in ids], source="t")
    competent = directory.find(db, "insee:50099", "mairie", TUESDAY, 10)["offices"]
    assert competent[0]["id"] == "mairie-50099-01"
    assert competent[0]["match_label"].endswith("mairie principale")
    assert competent[1]["match_label"] == "Compétent pour votre commune — mairie déléguée"


def test_an_orientation_recorded_before_the_switch_still_shows_the_office(
    db: Session, directory: DirectoryService, shared_data: Path, tmp_path: Path
) -> None:
    # Before: the office as the 2017 tree publishes it.
    archive = write_archive(
        tmp_path / "a.tar.xz",
        {
            "50/mairie.json": collection(
                feature(
                    "mairie-50099-01",
                    pivot="mairie",
                    insee="50099",
                    name="Mairie - Carentan-les-Marais",
                )
            )
        },
    )
    import_offices(db, archive, remove_missing=False, refresh_points=False)
    advisor = agents_domain.create_agent(db, "conseil-annuaire", "advisor", "mot de passe sûr 42")
    contact_id = contacts.create_contact(db, channel="phone", question="carte d'identité").id
    contacts.take(db, advisor, contact_id)
    contact = contacts.orient(
        db, advisor, contact_id, contacts.Orientation(office_id="mairie-50099-01")
    )
    assert contact.outcome_detail["office_id"] == "mairie-50099-01"
    # The switch: today's JSON export, where the id is `ancien_code_pivot`.
    import_offices(db, shared_data / REGROUPING, remove_missing=False, refresh_points=False)
    office = directory.office(db, contact.outcome_detail["office_id"], TUESDAY)
    assert office["name"] == "Mairie - Carentan-les-Marais"
    assert office["uuid"] == "3e52c219-b9f4-4150-b517-f1bc0a5f4e41"
    assert office["phone"] == "02 33 42 74 00"


def test_office_card_shows_the_label_phones_and_dila_page(
    client: Any, db: Session, shared_data: Path
) -> None:
    import_offices(db, shared_data / REGROUPING, remove_missing=False, refresh_points=False)
    db.flush()
    page = client.get("/ou-s-adresser", params={"place": "insee:50099", "type": "mairie"})
    assert page.status_code == 200
    html = page.text
    assert html.index("Mairie - Carentan-les-Marais") < html.index("Mairie déléguée - Houesville")
    assert "Mairie principale" in html and "Mairie déléguée</p>" in html
    assert "lannuaire.service-public.gouv.fr/normandie/manche/3e52c219" in html
