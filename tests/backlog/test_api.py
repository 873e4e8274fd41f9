"""The backlog's JSON API: who may flag, list, handle and read the gaps; size limits; CSRF."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from tests.conftest import Headers
from tests.contacts.flow_helpers import PASSWORD


def test_flag_list_and_handle_through_the_api(client: Any, token: Callable[..., Headers]) -> None:
    advisor = token("advisor")
    other = token("specialist", "travail")
    editor = token("editor")
    body = {"kind": "a_corriger", "fiche_id": "F1726", "note": "Joindre le 06 12 34 56 78"}
    assert client.post("/api/kb/flags", json=body).status_code == 401  # anonymous
    assert client.post("/api/kb/flags", json=body, headers=editor).status_code == 403
    created = client.post("/api/kb/flags", json=body, headers=advisor)
    assert created.status_code == 201, created.text
    flag = created.json()
    assert flag["note"] == "Joindre le [téléphone]"
    assert flag["redaction_summary"] == "1 élément masqué : numéro de téléphone."
    assert (flag["state"], flag["kind_label"]) == ("open", "À corriger")
    missing = {"kind": "manque", "note": "Aides aux aidants familiaux"}
    assert client.post("/api/kb/flags", json=missing, headers=other).status_code == 201

    mine = client.get("/api/kb/flags", params={"state": "all"}, headers=advisor).json()
    assert [f["id"] for f in mine["flags"]] == [flag["id"]]
    everything = client.get("/api/kb/flags", headers=editor).json()
    assert [f["kind"] for f in everything["flags"]] == ["a_corriger", "manque"]

    handle = f"/api/kb/flags/{flag['id']}/handle"
    assert client.post(handle, json={"answer": "ok"}, headers=advisor).status_code == 403
    done = client.post(handle, json={"answer": "La fiche est corrigée."}, headers=editor)
    assert done.status_code == 200, done.text
    assert (done.json()["state"], done.json()["answer"]) == ("handled", "La fiche est corrigée.")
    again = client.post(handle, json={"answer": "bis"}, headers=editor)
    assert again.status_code == 409 and "déjà été traité" in again.json()["detail"]
    seen = client.get("/api/kb/flags", params={"state": "handled"}, headers=advisor).json()
    assert [(f["id"], f["answer"]) for f in seen["flags"]] == [
        (flag["id"], "La fiche est corrigée.")
    ]
    assert client.post("/api/kb/flags/999999/handle", json={}, headers=editor).status_code == 404


def test_bad_flags_are_refused_with_french_messages(
    client: Any, token: Callable[..., Headers]
) -> None:
    advisor = token("advisor")
    cases = [
        ({"kind": "a_corriger", "fiche_id": "F1726", "note": "x" * 501}, 422),
        ({"kind": "autre", "fiche_id": "F1726"}, 422),
        ({"kind": "obsolete"}, 422),
        ({"kind": "obsolete", "fiche_id": "Fnexistepas"}, 404),
        ({"kind": "obsolete", "fiche_id": "F1726", "extra": 1}, 422),
    ]
    for body, status in cases:
        response = client.post("/api/kb/flags", json=body, headers=advisor)
        assert response.status_code == status, (body, response.text)
        assert response.json()["detail"]
    assert client.get("/api/kb/flags", params={"mine": True}, headers=advisor).json()["flags"] == []


def test_a_cookie_session_cannot_flag_from_another_site(
    client: Any, db: Session, make_agent: Callable[..., Any]
) -> None:
    agent = make_agent("advisor")
    db.commit()
    client.post("/api/auth/login", json={"username": agent.username, "password": PASSWORD})
    body = {"kind": "obsolete", "fiche_id": "F1726"}
    refused = client.post("/api/kb/flags", json=body, headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403
    accepted = client.post("/api/kb/flags", json=body, headers={"Origin": "http://testserver"})
    assert accepted.status_code == 201


def test_gaps_are_for_editors(
    client: Any, db: Session, make_contact: Callable[..., Any], token: Callable[..., Headers]
) -> None:
    make_contact("Aide pour les aidants familiaux", escalation_note="Pas de fiche")
    db.commit()
    assert client.get("/api/editorial/gaps").status_code == 401
    advisor = token("advisor")
    assert client.get("/api/editorial/gaps", headers=advisor).status_code == 403
    editor = token("editor")
    response = client.get("/api/editorial/gaps", params={"days": 7}, headers=editor)
    assert response.status_code == 200
    top = response.json()["gaps"][0]
    assert top["wording"] == "Aide pour les aidants familiaux"
    assert top["sources"] == [
        {
            "source": "escalade_sans_reponse",
            "label": "Escalade : la base n'avait pas la réponse",
            "count": 1,
        }
    ]
    assert client.get("/api/editorial/gaps", params={"days": 0}, headers=editor).status_code == 422
    assert "/api/editorial/gaps" in client.get("/openapi.json").json()["paths"]
