"""The local fiches API: roles, the workflow over HTTP, 409 on concurrent saves, publication
into advisor search with the « fiche du service » badge, and internal fiches kept off the portal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from allo.kb.local.services import REVIEW_AFTER
from allo.runtime import Runtime
from allo.search.service import get_search_service
from tests.conftest import Headers
from tests.kb.local.conftest import CARTE_GRISE, content


def test_roles_editors_write_advisors_read_others_403(
    client: Any, token: Callable[[str], Headers]
) -> None:
    editor, advisor, supervisor = token("editor"), token("advisor"), token("administrator")
    created = client.post("/api/local-fiches", json=content(), headers=editor)
    assert created.status_code == 201, created.text
    fiche_id = created.json()["id"]
    assert client.get(f"/api/local-fiches/{fiche_id}", headers=advisor).status_code == 200
    refused = client.post("/api/local-fiches", json=content(), headers=advisor)
    assert refused.status_code == 403 and "rédacteur" in refused.json()["detail"]
    assert client.post(f"/api/local-fiches/{fiche_id}/submit", headers=advisor).status_code == 403
    assert client.get("/api/local-fiches", headers=supervisor).status_code == 403
    assert client.get("/api/local-fiches").status_code == 401


def test_concurrent_saves_the_second_gets_409_with_what_changed(
    client: Any, token: Callable[[str], Headers]
) -> None:
    first, second = token("editor"), token("editor")
    fiche = client.post("/api/local-fiches", json=content(), headers=first).json()
    url = f"/api/local-fiches/{fiche['id']}"
    one = client.put(url, json={**content(summary="Version A"), "base_version": 1}, headers=first)
    assert one.status_code == 200 and one.json()["version"] == 2
    two = client.put(url, json={**content(summary="Version B"), "base_version": 1}, headers=second)
    assert two.status_code == 409
    body = two.json()
    assert "modifiée entre-temps" in body["detail"]
    assert body["errors"]["current_version"] == 2 and "summary" in body["errors"]["fields"]
    assert client.get(url, headers=second).json()["summary"] == "Version A"


def test_publish_makes_the_fiche_findable_by_advisors_with_its_badge(
    client: Any, token: Callable[[str], Headers], runtime: Runtime, login: Callable[[str], Any]
) -> None:
    author, reviewer = token("editor"), token("editor")
    body = content(title="Carte grise perdue : duplicata au téléphone", keywords=["perdue"])
    fiche = client.post("/api/local-fiches", json=body, headers=author).json()
    base = f"/api/local-fiches/{fiche['id']}"
    assert client.post(f"{base}/submit", headers=author).json()["state"] == "review"
    refused = client.post(f"{base}/publish", headers=author)
    assert refused.status_code == 403 and "second rédacteur" in refused.json()["detail"]
    published = client.post(f"{base}/publish", headers=reviewer)
    assert published.status_code == 200 and published.json()["state"] == "published"
    get_search_service(runtime).refresh(force=True)
    hits = client.get("/api/search", params={"q": "carte grise perdue duplicata"}, headers=author)
    assert fiche["id"] in [h["id"] for h in hits.json()["results"]]
    # anonymous callers never see an internal fiche: not in search, not by id, not on the portal
    client.cookies.clear()
    anonymous = client.get("/api/search", params={"q": "carte grise perdue duplicata"})
    assert fiche["id"] not in [h["id"] for h in anonymous.json()["results"]]
    assert client.get(f"/api/fiches/{fiche['id']}").status_code == 404
    assert client.get(f"/fiches/{fiche['id']}", headers={"Accept": "text/html"}).status_code == 404
    portal = client.get("/recherche", params={"q": "carte grise perdue duplicata"})
    assert f"/fiches/{fiche['id']}" not in portal.text
    # the advisor console shows it with the badge, and its private note when opened
    login("conseil1")
    htmx = {"HX-Request": "true"}
    results = client.get(
        "/console/recherche", params={"q": "carte grise perdue duplicata"}, headers=htmx
    )
    assert fiche["id"] in results.text and "Fiche du service" in results.text
    reading = client.get(f"/console/fiches/{fiche['id']}", headers=htmx)
    assert "Pour le conseiller" in reading.text and "Demander d" in reading.text
    # archiving removes it from search
    client.cookies.clear()
    assert client.post(f"{base}/archive", headers=reviewer).json()["state"] == "archived"
    get_search_service(runtime).refresh(force=True)
    hits = client.get("/api/search", params={"q": "carte grise perdue duplicata"}, headers=author)
    assert fiche["id"] not in [h["id"] for h in hits.json()["results"]]


def test_versions_diff_and_adaptation_endpoints(
    client: Any, token: Callable[[str], Headers]
) -> None:
    editor = token("editor")
    adapted = client.post(f"/api/local-fiches/from-official/{CARTE_GRISE}", headers=editor)
    assert adapted.status_code == 201, adapted.text
    fiche = adapted.json()
    assert fiche["source"]["id"] == CARTE_GRISE and fiche["source"]["state"] == "ok"
    url = f"/api/local-fiches/{fiche['id']}"
    changed = {**fiche, "advisor_note": "Note privée.", "pivots": ["prefecture"]}
    saved = client.put(url, json={**changed, "base_version": 1, "comment": "Note"}, headers=editor)
    assert saved.status_code == 200, saved.text
    versions = client.get(f"{url}/versions", headers=editor).json()
    assert [v["version"] for v in versions] == [2, 1] and versions[0]["comment"] == "Note"
    diff = client.get(f"{url}/diff", params={"from": 1, "to": 2}, headers=editor).json()
    assert set(diff["fields"]) == {"advisor_note", "pivots"}
    assert client.get(f"{url}/diff?from=1&to=9", headers=editor).status_code == 404
    missing = client.post("/api/local-fiches/from-official/F0", headers=editor)
    assert missing.status_code == 404 and "introuvable" in missing.json()["detail"]


def test_openapi_documents_the_endpoints(client: Any) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/local-fiches",
        "/api/local-fiches/{fiche_id}",
        "/api/local-fiches/{fiche_id}/publish",
        "/api/local-fiches/{fiche_id}/versions",
        "/api/local-fiches/{fiche_id}/diff",
        "/api/local-fiches/from-official/{official_id}",
    ):
        assert path in paths


def test_a_review_date_set_at_publication_counts_from_the_service_day(
    client: Any, token: Callable[[str], Headers], service_clock: Callable[[datetime], None]
) -> None:
    """Published at 00:30 in Paris on 1 July (still 30 June in UTC): to review a year after the
    1st of July."""
    service_clock(datetime(2025, 6, 30, 22, 30, tzinfo=UTC))
    author, reviewer = token("editor"), token("editor")
    fiche = client.post("/api/local-fiches", json=content(), headers=author).json()
    base = f"/api/local-fiches/{fiche['id']}"
    client.post(f"{base}/submit", headers=author)
    published = client.post(f"{base}/publish", headers=reviewer).json()
    assert published["review_by"] == (date(2025, 7, 1) + REVIEW_AFTER).isoformat()
