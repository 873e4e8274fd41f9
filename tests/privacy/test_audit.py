"""The audit log records identifiers, never personal data."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from allo.errors import InvalidInput
from allo.privacy import audit
from tests.contacts.service_helpers import login


def test_entries_are_listed_newest_first_and_filtered(db: Session) -> None:
    audit.record(db, agent_id=7, action="read", object_type="contact", object_id=12)
    audit.record(db, agent_id=7, action="close", object_type="contact", object_id=12)
    audit.record(db, agent_id=8, action="update", object_type="calendar", detail={"days": 6})
    db.flush()
    mine = audit.list_entries(db, audit.AuditQuery(agent_id=7))
    assert [e.action for e in mine] == ["close", "read"]
    assert [e.object_id for e in mine] == ["12", "12"]
    calendar = audit.list_entries(db, audit.AuditQuery(object_type="calendar"))
    assert calendar[0].detail == {"days": 6}
    page = audit.list_entries(db, audit.AuditQuery(agent_id=7, before_id=mine[0].id, limit=1))
    assert [e.action for e in page] == ["read"]


@pytest.mark.parametrize(
    "detail",
    [
        {"question": "Mon voisin M. Martin fait du bruit"},
        {"email": "jean.dupont@example.org"},
        {"note": ["ok", "appelez le 06 12 34 56 78"]},
        {"payload": {"nested": "dict"}},
    ],
)
def test_free_text_is_refused(db: Session, detail: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="audit"):
        audit.record(db, agent_id=1, action="read", object_type="contact", detail=detail)


def test_free_text_in_identifiers_is_refused(db: Session) -> None:
    with pytest.raises(ValueError):
        audit.record(db, agent_id=1, action="read", object_type="contact", object_id="a b@c")


def test_bad_queries_are_refused(db: Session) -> None:
    with pytest.raises(InvalidInput):
        audit.list_entries(db, audit.AuditQuery(limit=0))
    with pytest.raises(InvalidInput):
        audit.list_entries(
            db,
            audit.AuditQuery(
                since=datetime(2026, 2, 1, tzinfo=UTC), until=datetime(2026, 1, 1, tzinfo=UTC)
            ),
        )


# --- over HTTP ---------------------------------------------------------------------------------


def test_only_administrators_read_the_trail_and_it_holds_no_personal_data(
    client: Any, db: Session
) -> None:
    admin, headers = login(db, "administrator")
    _advisor, advisor = login(db, "advisor")
    sent = client.post(
        "/api/messages",
        json={"question": "Je suis Marie Curie, 06 12 34 56 78", "email": "marie@example.org"},
    )
    assert sent.status_code == 201
    week = {"weekly": {"monday": [{"opens": "09:00", "closes": "17:00"}]}}
    assert client.put("/api/calendar", json=week, headers=headers).status_code == 200
    assert client.get("/api/audit", headers=advisor).status_code == 403
    response = client.get("/api/audit?limit=50", headers=headers)
    assert response.status_code == 200
    entries = response.json()["entries"]
    kinds = {(e["action"], e["object_type"]) for e in entries}
    assert {("create", "contact"), ("update", "calendar")} <= kinds
    update = next(e for e in entries if e["object_type"] == "calendar")
    assert update["agent_id"] == admin.id
    dump = json.dumps(entries)
    for secret in ("Marie", "Curie", "06 12", "marie@example.org", sent.json()["token"]):
        assert secret not in dump
    # a contact's trail includes the steps the flow recorded, with their agents
    reference = sent.json()["reference"]
    trail = client.get(
        f"/api/audit?object_type=contact&object_id={reference}", headers=headers
    ).json()
    assert [e["action"] for e in trail["entries"]] == ["create"]
    assert [s["action"] for s in trail["contact_steps"]] == ["created", "queued"]
    # reading the trail is itself recorded
    again = client.get("/api/audit?object_type=audit", headers=headers).json()["entries"]
    assert again and again[0]["agent_id"] == admin.id


def test_reading_a_contact_leaves_who_which_and_when_without_content(
    client: Any, db: Session
) -> None:
    from allo.contacts import services

    _admin, admin = login(db, "administrator")
    supervisor, headers = login(db, "supervisor")
    contact = services.create_contact(db, channel="web", question="Je suis Marie Curie, à Lyon")
    db.commit()
    before = datetime.now(UTC)
    assert client.get(f"/api/contacts/{contact.id}", headers=headers).status_code == 200
    assert client.get("/api/contacts/2147483647", headers=headers).status_code == 404
    trail = client.get(
        f"/api/audit?object_type=contact&object_id={contact.id}&action=read", headers=admin
    ).json()["entries"]
    assert len(trail) == 1
    entry = trail[0]
    assert entry["agent_id"] == supervisor.id and entry["object_id"] == str(contact.id)
    assert datetime.fromisoformat(entry["at"]) >= before.replace(microsecond=0)
    assert entry["detail"] == {"role": "supervisor"}
    assert "Marie" not in json.dumps(trail) and "Curie" not in json.dumps(trail)
    # an unknown contact's read is a 404 and leaves no entry
    unknown = client.get("/api/audit?object_id=2147483647&action=read", headers=admin).json()
    assert unknown["entries"] == []
