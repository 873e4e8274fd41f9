"""The escalation sheets API: roles, 409 over HTTP, French validation, and publication reaching
what the consoles read (`GET /api/escalation-sheets`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from allo.kb.escalation import BUNDLED_DIR
from tests.conftest import Headers

URL = "/api/escalation-sheets/justice"


def _raw() -> dict[str, Any]:
    return json.loads((BUNDLED_DIR / "justice.json").read_text(encoding="utf-8"))


def test_roles_editors_write_advisors_read_others_403(
    client: Any, token: Callable[[str], Headers]
) -> None:
    editor, advisor, admin = token("editor"), token("advisor"), token("administrator")
    listed = client.get("/api/escalation-sheets/editorial", headers=advisor)
    assert listed.status_code == 200
    assert {s["id"] for s in listed.json()} >= {"justice", "niveau1"}
    assert client.get(URL, headers=advisor).json()["state"] == "published"
    refused = client.put(URL, json={"content": _raw(), "base_version": 1}, headers=advisor)
    assert refused.status_code == 403 and "rédacteur" in refused.json()["detail"]
    assert client.post(f"{URL}/submit", headers=advisor).status_code == 403
    assert client.get(URL, headers=admin).status_code == 403
    assert client.get(URL).status_code == 401
    assert client.get("/api/escalation-sheets/sport", headers=editor).status_code == 404


def test_edit_review_publish_reaches_the_consoles(
    client: Any, token: Callable[[str], Headers]
) -> None:
    author, reviewer, advisor = token("editor"), token("editor"), token("advisor")
    raw = _raw()
    raw["definition"] = "Définition publiée par la rédaction."
    saved = client.put(URL, json={"content": raw, "base_version": 1}, headers=author)
    assert saved.status_code == 200 and saved.json()["version"] == 2
    late = client.put(URL, json={"content": _raw(), "base_version": 1}, headers=reviewer)
    assert late.status_code == 409 and "definition" in late.json()["errors"]["fields"]

    def console_definition() -> str:
        sets = client.get("/api/escalation-sheets", headers=advisor).json()
        return next(s for s in sets["sheets"] if s["sector"] == "justice")["definition"]

    assert console_definition() == _raw()["definition"]  # a draft changes nothing
    assert client.post(f"{URL}/submit", headers=author).status_code == 200
    assert client.post(f"{URL}/publish", headers=author).status_code == 403  # four eyes
    published = client.post(f"{URL}/publish", headers=reviewer)
    assert published.status_code == 200 and published.json()["published_version"] == 2
    assert console_definition() == raw["definition"]
    versions = client.get(f"{URL}/versions", headers=advisor).json()
    assert [v["version"] for v in versions][:2] == [2, 1]
    diff = client.get(f"{URL}/diff?from=1&to=2", headers=advisor).json()
    assert any(p["op"] == "+" and "rédaction" in p["text"] for p in diff["fields"]["definition"])


def test_bad_structure_gets_a_french_422_and_nothing_changes(
    client: Any, token: Callable[[str], Headers]
) -> None:
    editor = token("editor")
    raw = _raw()
    raw["questions"][0]["answers"][0]["leads_to"] = {"sector": "sport"}
    refused = client.put(URL, json={"content": raw, "base_version": 1}, headers=editor)
    assert refused.status_code in (400, 422)
    assert "secteur inconnu" in refused.json()["detail"]
    wrong = client.put(URL, json={"content": "texte", "base_version": 1}, headers=editor)
    assert wrong.status_code == 422
    assert client.get(URL, headers=editor).json()["version"] == 1
