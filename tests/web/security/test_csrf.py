"""Cross-site request forgery: every unsafe route refuses a foreign or null origin (finding 1)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from allo.contacts import repository as repo
from allo.web.security.csrf import UNSAFE_METHODS
from tests.web.security.routes import api_routes

EVIL = {"Origin": "https://evil.example"}
ATTACKS = [
    pytest.param({"Origin": "https://evil.example"}, id="foreign-origin"),
    pytest.param({"Origin": "null"}, id="null-origin"),
    pytest.param({"Sec-Fetch-Site": "cross-site"}, id="sec-fetch-cross-site"),
    pytest.param({"Sec-Fetch-Site": "same-site", "Origin": "http://testserver"}, id="same-site"),
    pytest.param({"Origin": "http://testserver.evil.example"}, id="lookalike-host"),
]


def unsafe_routes(runtime: Any) -> list[tuple[str, str]]:
    """Every (method, path) of the app that changes state, with ids filled in."""
    out = []
    for full_path, route in api_routes(runtime):
        path = re.sub(r"\{[^}]+\}", "1", full_path)
        out.extend((m, path) for m in sorted(route.methods & UNSAFE_METHODS))
    return out


def test_the_route_list_covers_the_console_forms_and_the_api(runtime: Any) -> None:
    routes = set(unsafe_routes(runtime))
    for expected in [
        ("POST", "/connexion"),
        ("POST", "/deconnexion"),
        ("POST", "/console/etat"),
        ("POST", "/console/suivant"),
        ("POST", "/poser-une-question"),
        ("POST", "/api/messages"),
        ("PUT", "/api/agents/me/state"),
    ]:
        assert expected in routes
    assert len(routes) >= 30


@pytest.mark.parametrize("attack", ATTACKS)
def test_every_unsafe_route_refuses_a_cross_site_request(
    client: Any, login: Callable[[str], Any], runtime: Any, attack: dict[str, str]
) -> None:
    login("advisor")
    for method, path in unsafe_routes(runtime):
        response = client.request(method, path, headers=attack, data={"etat": "paused"})
        assert response.status_code == 403, (method, path, response.status_code)
        assert "autre site" in response.text


def test_cross_site_state_change_take_and_logout_have_no_effect(
    client: Any, login: Callable[[str], Any], db: Session
) -> None:
    login("advisor")
    agent = repo.agent_by_username(db, "conseil1")
    assert agent is not None
    before = agent.state
    assert client.post("/console/etat", data={"etat": "paused"}, headers=EVIL).status_code == 403
    assert client.post("/console/suivant", headers=EVIL).status_code == 403
    assert client.post("/deconnexion", headers=EVIL, follow_redirects=False).status_code == 403
    db.refresh(agent)
    assert agent.state == before
    # still logged in: the forged logout did nothing
    assert client.get("/api/auth/me").status_code == 200


def test_login_csrf_sets_no_session(client: Any) -> None:
    """Logging a victim into the attacker's account from another site is refused."""
    forged = client.post(
        "/connexion",
        data={"identifiant": "conseil1", "mot_de_passe": "demo-conseil1"},
        headers={"Origin": "null"},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert "allo_session" not in forged.headers.get("set-cookie", "")


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://testserver"},
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
        {"Sec-Fetch-Site": "same-origin"},
        {"Origin": "http://localhost:8000"},  # the public address (behind a proxy)
        {},  # not a browser: no cookie of a victim to ride on
    ],
)
def test_same_origin_forms_still_work(client: Any, headers: dict[str, str]) -> None:
    response = client.post(
        "/connexion",
        data={"identifiant": "conseil1", "mot_de_passe": "demo-conseil1"},
        headers=headers,
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "allo_session" in response.headers["set-cookie"]


def test_bearer_calls_are_not_concerned(client: Any, login: Callable[[str], Any]) -> None:
    token = client.post(
        "/api/auth/login", json={"username": "conseil1", "password": "demo-conseil1"}
    ).json()["token"]
    client.cookies.clear()
    response = client.put(
        "/api/agents/me/state",
        json={"state": "paused"},
        headers={"Authorization": f"Bearer {token}", "Origin": "https://tool.example"},
    )
    assert response.status_code == 200
