"""The directory over HTTP: shapes, French errors, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from allo.kb.models import Fiche


def test_find_returns_the_documented_shape(client: Any) -> None:
    response = client.get(
        "/api/directory/find",
        params={"place": "57463", "type": "prefecture", "at": "2026-12-25T10:00", "limit": 2},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["place"]["insee"] == "57463" and body["place"]["name"] == "Metz"
    office = body["offices"][0]
    assert office["id"] == "prefecture-57463-01"
    assert office["type"] == "prefecture"
    assert isinstance(office["distance_km"], float)
    assert office["open"] is False and office["holiday"] == "Noël"
    assert office["next_opening"].startswith("2026-12-28")
    assert {"address", "phone", "email", "url", "hours_text", "next_opening"} <= office.keys()


def test_find_by_loose_name_and_label(client: Any) -> None:
    response = client.get(
        "/api/directory/find",
        params={"place": "st etienne", "type": "Caisse d'allocations familiales"},
    )
    assert response.status_code == 200
    assert response.json()["offices"][0]["departement"] == "42"


@pytest.mark.parametrize(
    ("params", "status", "fragment"),
    [
        ({"place": "Metz", "type": "caf", "at": "demain"}, 422, "Date et heure invalides"),
        ({"place": "Metz", "type": "boulangerie"}, 422, "Type d'organisme inconnu"),
        ({"place": "Mettz", "type": "caf"}, 404, "Commune introuvable"),
        ({"place": "Metz", "type": "caf", "limit": 0}, 422, "limit"),
        ({"place": "Metz", "type": "caf", "limit": "beaucoup"}, 422, "limit"),
        ({"type": "caf"}, 422, "place"),
        ({"place": "x" * 500, "type": "caf"}, 422, "place"),
    ],
)
def test_find_bad_input_is_a_french_error(
    client: Any, params: dict[str, Any], status: int, fragment: str
) -> None:
    response = client.get("/api/directory/find", params=params)
    assert response.status_code == status
    assert fragment in response.json()["detail"]


def test_unknown_type_error_lists_the_types(client: Any) -> None:
    body = client.get("/api/directory/find", params={"place": "Metz", "type": "xyz"}).json()
    assert "caf" in body["errors"]["types"]


def test_unknown_place_error_suggests(client: Any) -> None:
    body = client.get("/api/directory/find", params={"place": "Sant Etiene", "type": "caf"}).json()
    assert body["errors"]["suggestions"][0]["insee"] == "42218"


def test_office_sheet_and_unknown_office(client: Any) -> None:
    ok = client.get("/api/directory/offices/prefecture-57463-01", params={"at": "2026-12-22T10:00"})
    assert ok.status_code == 200
    assert ok.json()["open"] is True
    missing = client.get("/api/directory/offices/nexiste-pas")
    assert missing.status_code == 404
    assert missing.json()["detail"].startswith("Organisme introuvable")


def test_types(client: Any) -> None:
    body = client.get("/api/directory/types").json()
    assert len(body) == 103
    assert {"code", "label", "scope", "offices"} <= body[0].keys()


def test_places_completion(client: Any) -> None:
    body = client.get("/api/places", params={"q": "saint-eti", "limit": 3}).json()
    assert body["places"][0]["insee"] == "42218"
    assert len(body["places"]) <= 3
    assert client.get("/api/places", params={"q": ""}).json()["places"] == []
    assert client.get("/api/places", params={"q": "x" * 500}).status_code == 422


def test_fiche_where(client: Any, db: Session) -> None:
    db.add(
        Fiche(
            id="F-ESSAI-ANNUAIRE",
            source="local",
            kind="fiche",
            title="Fiche d'essai de l'annuaire",
            content_hash="0" * 64,
            pivots=["mairie", "caf", "centre_impots", "paris_ppp", "notaire"],
        )
    )
    db.flush()
    response = client.get(
        "/api/fiches/F-ESSAI-ANNUAIRE/where", params={"place": "Metz", "at": "2026-12-22T10:00"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["fiche"]["title"] == "Fiche d'essai de l'annuaire"
    by_pivot = {t["pivot"]: t for t in body["types"]}
    assert by_pivot["mairie"]["offices"][0]["id"] == "mairie-57463-01"
    assert by_pivot["caf"]["offices"][0]["departement"] == "57"
    assert by_pivot["centre_impots"]["type"] == "sip"  # the fiches' code for the SIP
    assert by_pivot["paris_ppp"]["offices"] == []  # Paris only: not for Metz
    assert by_pivot["paris_ppp"]["notice"] == "Concerne Paris uniquement."
    assert by_pivot["notaire"]["offices"] == [] and by_pivot["notaire"]["notice"]


def test_fiche_where_unknown_fiche_or_place(client: Any) -> None:
    assert client.get("/api/fiches/F0000000/where", params={"place": "Metz"}).status_code == 404
    assert client.get("/api/fiches/F0000000/where").status_code == 422


def test_openapi_documents_the_directory(client: Any) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/directory/find",
        "/api/directory/offices/{office_id}",
        "/api/directory/types",
        "/api/places",
        "/api/fiches/{fiche_id}/where",
    ):
        assert path in paths
