"""`/api/kb/changes`: editors read the change reports and mark items as seen; others may not."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from allo.kb import changes


def _token(client: Any, username: str) -> dict[str, str]:
    answer = client.post(
        "/api/auth/login", json={"username": username, "password": f"demo-{username}"}
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def test_editors_list_reports_read_items_and_mark_them_seen(client: Any, db: Session) -> None:
    report = changes.record(
        db,
        "data-sync",
        [
            changes.ItemDraft(
                "fiche",
                "changed",
                "F1342",
                "Carte",
                "Papiers",
                ["particuliers"],
                ["text"],
                "-a\n+b",
            ),
            changes.ItemDraft("office", "new", "caf-57463-01", "CAF de Metz", "caf"),
        ],
        sources=["vosdroits-particuliers.zip"],
    )
    db.commit()
    editor = _token(client, "redaction")
    listed = client.get("/api/kb/changes", headers=editor)
    assert listed.status_code == 200
    assert listed.json()[0]["id"] == report.id
    assert listed.json()[0]["counts"]["fiche"] == {"new": 0, "changed": 1, "withdrawn": 0}

    one = client.get(f"/api/kb/changes/{report.id}?domain=fiche", headers=editor).json()
    assert [i["object_id"] for i in one["items"]] == ["F1342"]
    assert one["items"][0]["diff"] == "-a\n+b"
    item_id = one["items"][0]["id"]
    marked = client.post("/api/kb/changes/seen", json={"item_ids": [item_id]}, headers=editor)
    assert marked.json() == {"marked": 1}
    unseen = client.get(f"/api/kb/changes/{report.id}?unseen=true", headers=editor).json()
    assert [i["object_id"] for i in unseen["items"]] == ["caf-57463-01"]

    missing = client.get("/api/kb/changes/999999", headers=editor)
    assert missing.status_code == 404
    assert "introuvable" in missing.json()["detail"]


def test_advisors_and_anonymous_callers_may_not_read_reports(client: Any) -> None:
    assert client.get("/api/kb/changes").status_code == 401
    advisor = _token(client, "conseil1")
    assert client.get("/api/kb/changes", headers=advisor).status_code == 403
