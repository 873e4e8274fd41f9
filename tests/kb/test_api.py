"""HTTP API over the bundled sample (loaded once per test run by the `engine` fixture)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from allo.errors import InvalidInput, NotFound
from allo.kb import services


def test_get_fiche_returns_metadata_and_renderings(client: Any) -> None:
    response = client.get("/api/fiches/F1342")
    assert response.status_code == 200
    data = response.json()
    assert data["id"] == "F1342" and data["kind"] == "fiche"
    assert data["breadcrumb"][0] == {"id": "N19810", "title": "Papiers - Citoyenneté"}
    assert "particuliers" in data["audiences"]
    assert any(r["id"] == "N358" and r["rel"] == "dossier" for r in data["related"])
    assert any(s["kind"] == "teleservice" for s in data["services"])
    assert "Situation 1 sur 2" in data["html"] and "Situation 1 sur 2" in data["text"]
    assert data["html"].count('class="allo-cas"') >= 6


def test_links_go_to_our_pages_only_for_fiches_we_hold(client: Any, db: Session) -> None:
    html = client.get("/api/fiches/N358").json()["html"]
    local = set(re.findall(r'href="/fiches/([^"]+)"', html))
    elsewhere = set(
        re.findall(
            r'href="https://[a-z]+\.service-public\.gouv\.fr/[a-z/]*vosdroits/([^"]+)"', html
        )
    )
    assert local, "the sample holds the dossier's fiches"
    assert {f.id for f in services.list_fiches(db, ids=sorted(local), limit=None)} == local
    assert not services.list_fiches(db, ids=sorted(elsewhere), limit=None)


def test_travail_fiche_and_unknown_id(client: Any) -> None:
    travail = client.get("/api/fiches/article375542")
    assert travail.status_code == 200
    assert travail.json()["source"] == "travail"
    assert travail.json()["html"].startswith('<div class="allo-fiche allo-fiche--html">')
    missing = client.get("/api/fiches/F0000000")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Fiche introuvable : 'F0000000'."}
    too_long = client.get("/api/fiches/" + "F" * 100)
    assert too_long.status_code == 422


def test_stats_endpoint(client: Any, db: Session) -> None:
    data = client.get("/api/kb/stats").json()
    assert data["total"] == services.stats(db)["total"] >= 1900
    assert data["by_source"]["travail"] == 269
    assert data["by_source"]["dila"] + 269 == data["total"]
    assert data["version"] == services.kb_version(db)
    schema = client.get("/openapi.json").json()
    assert "/api/fiches/{fiche_id}" in schema["paths"] and "/api/kb/stats" in schema["paths"]


def test_services_errors_are_french(db: Session) -> None:
    for call, error in (
        (lambda: services.get_fiche(db, "F0"), NotFound),
        (lambda: services.list_fiches(db, audience="tous"), InvalidInput),
        (lambda: services.list_fiches(db, limit=0), InvalidInput),
    ):
        try:
            call()
        except error as exc:
            assert exc.message[0].isupper() and exc.message.endswith(".")
        else:
            raise AssertionError("expected an error")


def test_list_fiches_filters(db: Session) -> None:
    questions = services.list_fiches(db, kinds=["question"], limit=50)
    assert questions and all(f.kind == "question" for f in questions)
    travail = services.list_fiches(db, source="travail", limit=None)
    assert len(travail) == 269
    pros = services.list_fiches(db, audience="professionnels", limit=1000)
    assert pros and all("professionnels" in f.audiences for f in pros)
    page = services.list_fiches(db, limit=10, offset=10)
    assert [f.id for f in page] == [f.id for f in services.list_fiches(db, limit=20)][10:]
