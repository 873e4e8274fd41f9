"""One office of DILA's JSON format (since 2022) → the stored record: the real records of
`../shared/data/current-formats/annuaire`, and the bad inputs the issue lists."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from allo.directory.records_json import normalise_service
from allo.directory.source_json import services_of
from tests.conftest import SHARED_DATA

ANNUAIRE = "current-formats/annuaire"


def services(shared_data: Path, name: str) -> list[dict[str, Any]]:
    data = json.loads((shared_data / ANNUAIRE / name).read_text(encoding="utf-8"))
    return services_of(data, name)[1]


def by_id(shared_data: Path, name: str) -> dict[str, dict[str, Any]]:
    found = {}
    for raw in services(shared_data, name):
        result = normalise_service(raw)
        assert result.record is not None, result.problems
        found[result.record["id"]] = result.record
    return found


def test_bulk_dump_record_keeps_every_field(shared_data: Path) -> None:
    [raw] = services(shared_data, "dump-2023-fontaine-le-port.json")
    result = normalise_service(raw)
    record = result.record
    assert record is not None and result.problems == []
    # The 2017 identifier: orientations and fiche links keep resolving.
    assert record["id"] == "mairie-77188-01"
    assert record["uuid"] == "00007e4d-264c-43a0-b0b7-7f3b7dd995ab"
    assert (record["type"], record["insee"], record["departement"]) == ("mairie", "77188", "77")
    assert record["siret"] == "21770188700010" and record["siren"] == "217701887"
    assert record["url_service_public"].endswith("/00007e4d-264c-43a0-b0b7-7f3b7dd995ab")
    assert record["updated_on"] == "2023-08-09"
    assert record["fax"] == "01 64 38 36 07"
    [address] = record["addresses"]
    assert address["lines"] == ["3 rue du Général-Roux"]
    assert address["accessibility"]["code"] == "DEM"
    assert (record["latitude"], record["longitude"]) == (48.4868011475, 2.75745010376)
    # Hours: the per-range comment stays with its day.
    assert record["hours"][0] == {
        "days": [1],
        "ranges": [["09:00", "12:00"], ["18:00", "19:00"]],
        "note": "Accueil ouvert uniquement hors vacances scolaires l'après-midi.",
    }
    assert [e["days"] for e in record["hours"]] == [[1], [2], [4]]


def test_api_record_with_json_string_fields_and_several_emails(shared_data: Path) -> None:
    [raw] = services(shared_data, "api-multi-emails-marie.json")
    assert isinstance(raw["plage_ouverture"], str)  # nested fields as JSON-encoded strings
    result = normalise_service(raw)
    record = result.record
    assert record is not None
    assert record["id"] == "mairie-76401-01"
    assert record["email"] == "accueil@arelauneenseine.fr"
    assert record["details"]["emails"] == [
        "accueil@arelauneenseine.fr",
        "communication@arelauneenseine.fr",
        "urbanisme@arelauneenseine.fr",
    ]
    assert record["contact_url"] == "https://www.arelauneenseine.fr/contact/"
    assert record["hours"][0] == {
        "days": [0, 1, 2],
        "ranges": [["08:30", "12:00"], ["14:00", "17:00"]],
        "note": None,
    }
    assert record["addresses"][0]["lines"] == ["La Mailleraye-sur-Seine", "1 place Henri-Malou"]


def test_early_dump_without_ancien_code_pivot_rebuilds_the_2017_id(shared_data: Path) -> None:
    record = by_id(shared_data, "dump-2021-breux-sur-avre.json")["mairie-27115-01"]
    assert record["insee"] == "27115"
    assert record["addresses"][0]["accessibility"] == {
        "code": "ACC",
        "label": "Accessible en fauteuil roulant",
        "detail": "rampe d'accès",
    }
    assert record["url"] == "https://www.breux-sur-avre.fr"


def test_commune_nouvelle_records(shared_data: Path) -> None:
    records = by_id(shared_data, "api-regrouping-mairie.json")
    assert "mairie-50099-01" in records and len(records) == 8
    assert all(r["insee"] == "50099" for r in records.values())
    assert records["mairie-50099-01"]["name"] == "Mairie - Carentan-les-Marais"
    # A former commune's town hall lists the commune it serves.
    assert records["mairie-50534-01"]["details"]["communes"] == ["50534"]


def test_national_agency_keeps_its_hierarchy(shared_data: Path) -> None:
    [raw] = services(shared_data, "api-anct-national.json")
    result = normalise_service(raw)
    record = result.record
    assert record is not None
    assert record["id"] == raw["id"]  # no 2017 id: the UUID is the identifier
    assert len(record["details"]["hierarchy"]) == 9
    assert record["contact_url"] == "https://agence-cohesion-territoires.gouv.fr/contactez-nous-19"
    assert record["details"]["contact_forms"][1] == "http://contact.cohesion-territoires.gouv.fr/"
    assert "type d'organisme vide" in result.problems  # a national service has no pivot


@pytest.mark.parametrize("name", sorted(p.name for p in (SHARED_DATA / ANNUAIRE).glob("*.json")))
def test_every_real_record_normalises_or_is_reported(shared_data: Path, name: str) -> None:
    for raw in services(shared_data, name):
        result = normalise_service(raw)
        if result.record is None:
            # The trimmed API answers carry neither id nor 2017 code.
            assert name.startswith("api-trimmed") and result.problems == ["identifiant manquant"]
        else:
            assert result.record["name"] and result.record["id"]


# ---------------------------------------------------------------------------------- bad input


@pytest.fixture
def fontaine(shared_data: Path) -> dict[str, Any]:
    return copy.deepcopy(services(shared_data, "dump-2023-fontaine-le-port.json")[0])


def test_record_without_id_is_skipped(fontaine: dict[str, Any]) -> None:
    del fontaine["id"], fontaine["ancien_code_pivot"]
    result = normalise_service(fontaine)
    assert result.record is None and result.problems == ["identifiant manquant"]
    assert normalise_service("pas un objet").problems == ["enregistrement illisible"]


def test_unknown_type_is_kept_and_reported(fontaine: dict[str, Any]) -> None:
    fontaine["pivot"] = [{"type_service_local": "guichet_inconnu", "code_insee_commune": []}]
    result = normalise_service(fontaine)
    assert result.record is not None and result.record["type"] == "guichet_inconnu"
    assert "type d'organisme inconnu" in result.problems
    assert any("guichet_inconnu" in note for note in result.record["notes"])


def test_new_type_code_maps_to_the_catalogue_type(fontaine: dict[str, Any]) -> None:
    fontaine["pivot"] = [
        {"type_service_local": "france_travail", "code_insee_commune": ["77188"]},
        {"type_service_local": "france_services", "code_insee_commune": ["77188"]},
    ]
    result = normalise_service(fontaine)
    assert result.record is not None and result.problems == []
    assert result.record["type"] == "pole_emploi"
    assert result.record["other_types"] == "msap"
    assert result.record["details"]["source_types"] == ["france_travail", "france_services"]


@pytest.mark.parametrize("bad", ["25:00:00", "9h"])
def test_malformed_hours_are_reported_and_kept_as_a_note(
    fontaine: dict[str, Any], bad: str
) -> None:
    fontaine["plage_ouverture"][1]["valeur_heure_debut_1"] = bad
    result = normalise_service(fontaine)
    assert result.record is not None
    assert "heure manquante ou illisible" in result.problems
    wednesday = result.record["hours"][1]
    assert wednesday["ranges"] == [] and bad in wednesday["note"]
    assert result.record["hours"][0]["ranges"]  # the other days are intact


def test_coordinates_out_of_france_are_dropped_and_reported(fontaine: dict[str, Any]) -> None:
    fontaine["adresse"][0]["latitude"], fontaine["adresse"][0]["longitude"] = "2.757", "48.48"
    result = normalise_service(fontaine)
    assert result.record is not None
    assert "coordonnées hors de France" in result.problems
    assert result.record["latitude"] is None and result.record["longitude"] is None


def test_nested_json_that_does_not_parse_is_reported(fontaine: dict[str, Any]) -> None:
    fontaine["telephone"] = '[{"valeur": "01 64 38 30 52", '  # cut off
    result = normalise_service(fontaine)
    assert result.record is not None
    assert "champ « telephone » illisible (JSON invalide)" in result.problems
    assert result.record["phone"] is None and result.record["email"] == "mairie-xxxxx@yyyy.fr"
