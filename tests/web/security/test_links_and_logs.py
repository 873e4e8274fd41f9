"""Links sent outside use the public address (finding 5), one recipient per e-mail, and no
secret reaches a log line at any level (finding 9)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from allo.contacts.notifier import MemoryNotifier
from allo.runtime import Runtime


@pytest.fixture
def outbox(runtime: Runtime) -> MemoryNotifier:
    notifier = MemoryNotifier()
    runtime.services["notifier"] = notifier
    return notifier


def test_the_host_header_does_not_choose_the_mailed_link(
    client: Any, outbox: MemoryNotifier
) -> None:
    evil = {"Host": "evil.example"}
    api = client.post(
        "/api/messages",
        json={"question": "Ma carte grise ?", "email": "lecteur@example.org"},
        headers=evil,
    )
    form = client.post(
        "/poser-une-question",
        data={"question": "Mon passeport ?", "email": "lecteur@example.org"},
        headers=evil,
        follow_redirects=False,
    )
    assert (api.status_code, form.status_code) == (201, 303)
    bodies = [body for _to, _subject, body in outbox.sent]
    assert len(bodies) == 2
    for body in bodies:
        assert "evil.example" not in body
        assert "http://localhost:8000/ma-question?jeton=" in body
    assert api.json()["token"] in bodies[0]


@pytest.mark.parametrize(
    "email",
    [
        "root,postmaster,victim@example.com",
        "victim@example.com, other@example.com",
        "Victime <victim@example.com>",
        "victim@example.com\nBcc: other@example.com",
        "pas-une-adresse",
    ],
)
def test_one_valid_recipient_only(client: Any, outbox: MemoryNotifier, email: str) -> None:
    api = client.post("/api/messages", json={"question": "Question ?", "email": email})
    form = client.post(
        "/poser-une-question",
        data={"question": "Question ?", "email": email},
        headers={"Accept": "text/html"},
    )
    assert api.status_code == 422
    assert "Adresse électronique invalide" in api.json()["detail"]
    assert form.status_code == 422
    assert outbox.sent == []


def test_no_secret_in_logs_at_debug(
    client: Any, outbox: MemoryNotifier, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret_text = "Mon voisin Zorglub-Marcassin me doit de l'argent"
    email = "zorglub.marcassin@example.org"
    created = client.post("/api/messages", json={"question": secret_text, "email": email})
    token = created.json()["token"]
    client.get(f"/api/messages/{token}")
    client.get(f"/ma-question?jeton={token}")
    client.post("/api/surveys", json={"token": token, "rating": 5})
    client.post(
        "/connexion", data={"identifiant": "conseil1", "mot_de_passe": "Secret-Motdepasse-42"}
    )
    # the server's records (httpx's are the test client's own, outside the app)
    logged = "\n".join(
        r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))
    )
    assert "GET /api/messages/{token} 200" in logged  # the request log names the route…
    for secret in (token, email, "Zorglub", "Secret-Motdepasse-42"):
        assert secret not in logged  # …never what is in it
