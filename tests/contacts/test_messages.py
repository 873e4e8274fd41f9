"""The written channel: question without an account, private link, answer through the queues."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from allo.contacts import messages, services
from allo.contacts.models import Contact
from allo.contacts.notifier import MemoryNotifier
from allo.contacts.service_models import WebMessage
from allo.db.base import utcnow
from allo.kb.escalation import sheets_for_home
from allo.kb.models import Fiche
from tests.contacts.service_helpers import login

QUESTION = (
    "Bonjour, je suis Jean Dupont (jean.dupont@example.org, 06 12 34 56 78). Mon employeur "
    "ne me paie plus mes heures supplémentaires depuis mars, à Lyon 69123. Que faire ?"
)


def send(client: Any, **extra: Any) -> dict[str, Any]:
    response = client.post("/api/messages", json={"question": QUESTION, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def test_message_is_queued_redacted_and_readable_with_its_token(client: Any, db: Session) -> None:
    sent = send(client, commune="69123", email="jean.dupont@example.org")
    token = sent["token"]
    assert len(token) >= 43 and sent["read_url"].endswith(token)
    stored = db.scalars(
        select(WebMessage).where(WebMessage.token_hash == messages.hash_token(token))
    ).one()
    assert token not in stored.token_hash
    contact = db.get(Contact, stored.contact_id)
    assert contact is not None
    assert (contact.channel, contact.queue, contact.state, contact.commune) == (
        "web",
        "niveau1",
        "waiting",
        "69123",
    )
    for secret in ("jean.dupont", "example.org", "06 12", "Dupont", "69123"):
        assert secret not in contact.question
    # the email is kept apart, only for the notice
    assert stored.notify_email == "jean.dupont@example.org"
    view = client.get(f"/api/messages/{token}").json()
    assert view["status"] == "waiting" and view["answer"] == "" and not view["can_rate"]
    assert view["question"] == contact.question


def test_forged_and_expired_tokens_look_the_same(client: Any, db: Session) -> None:
    sent = send(client)
    forged = client.get("/api/messages/" + "A" * 43)
    assert forged.status_code == 404
    stored = db.scalars(
        select(WebMessage).where(WebMessage.token_hash == messages.hash_token(sent["token"]))
    ).one()
    stored.expires_at = utcnow() - timedelta(seconds=1)
    db.flush()
    expired = client.get(f"/api/messages/{sent['token']}")
    assert expired.status_code == 404
    assert expired.json() == forged.json() == {"detail": messages.NOT_FOUND}


def test_advisor_answers_in_writing_through_the_queue(client: Any, db: Session) -> None:
    sent = send(client, email="lecteur@example.org")
    _advisor, headers = login(db, "advisor")
    fiche = db.scalar(select(Fiche.id).limit(1)) or "F2405"
    # drain older waiting contacts of other tests' data, if any, until ours comes
    ours = None
    for _ in range(50):
        taken = client.post("/api/queues/niveau1/next", headers=headers)
        assert taken.status_code == 200, taken.text
        if taken.json()["channel"] == "web":
            ours = taken.json()["id"]
            break
    assert ours is not None
    answered = client.post(
        f"/api/contacts/{ours}/answer",
        headers=headers,
        json={
            "fiche_ids": [fiche],
            "note": "Votre employeur doit payer les heures supplémentaires.",
        },
    )
    assert answered.status_code == 200, answered.text
    view = client.get(f"/api/messages/{sent['token']}").json()
    assert view["status"] == "closed" and view["outcome"] == "answered"
    assert "heures supplémentaires" in view["answer"]
    assert view["can_rate"]
    # the notice goes out once and the email is wiped
    notifier = MemoryNotifier()
    assert messages.notify_answered(db, notifier) >= 1
    assert "lecteur@example.org" in [to for to, _s, _b in notifier.sent]
    assert db.scalar(select(WebMessage.notify_email).where(WebMessage.contact_id == ours)) is None
    assert messages.notify_answered(db, MemoryNotifier()) == 0
    # the citizen rates the answer once
    rated = client.post("/api/surveys", json={"token": sent["token"], "rating": 5})
    assert rated.status_code == 201
    again = client.post("/api/surveys", json={"token": sent["token"], "rating": 4})
    assert again.status_code == 409


def test_escalated_message_goes_to_the_sector_queue(client: Any, db: Session) -> None:
    sent = send(client)
    advisor, _headers = login(db, "advisor")
    contact_id = db.scalars(
        select(WebMessage.contact_id).where(
            WebMessage.token_hash == messages.hash_token(sent["token"])
        )
    ).one()
    services.take(db, advisor, contact_id)
    _specialist, spec_headers = login(db, "specialist", ("travail",))

    services.escalate(
        db,
        advisor,
        contact_id,
        sector="travail",
        answers={},
        note="Heures supplémentaires impayées",
        sheets=sheets_for_home(client.app.state.runtime.settings.home),
    )
    db.flush()
    view = client.get(f"/api/messages/{sent['token']}").json()
    assert view["status"] == "waiting" and view["transferred_to_specialist"]
    taken = client.post(f"/api/contacts/{contact_id}/take", headers=spec_headers)
    assert taken.status_code == 200, taken.text
    closed = client.post(
        f"/api/contacts/{contact_id}/close",
        headers=spec_headers,
        json={"outcome": "answered", "note": "Réponse du secteur travail."},
    )
    assert closed.status_code == 200, closed.text
    view = client.get(f"/api/messages/{sent['token']}").json()
    assert view["status"] == "closed" and "secteur travail" in view["answer"]


def test_bad_messages_are_refused(client: Any) -> None:
    assert client.post("/api/messages", json={"question": ""}).status_code == 422
    assert client.post("/api/messages", json={"question": "x" * 5001}).status_code == 422
    bad_email = client.post("/api/messages", json={"question": "Bonjour", "email": "pas-un-mail"})
    assert bad_email.status_code == 422
    assert "Adresse électronique invalide" in bad_email.json()["detail"]
    bad_commune = client.post("/api/messages", json={"question": "Bonjour", "commune": "Lyon"})
    assert bad_commune.status_code == 422
