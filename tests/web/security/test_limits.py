"""Rate limits: login throttling (finding 2), anonymous writes (finding 3), the anonymous search
CPU sink (finding 10); counters shared through Redis."""

from __future__ import annotations

import dataclasses
import socket
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from allo.privacy.models import AuditEntry
from allo.settings import Settings
from allo.web.security.limits import RateLimits

WRONG = {"username": "conseil1", "password": "pas-le-bon"}
RIGHT = {"username": "conseil1", "password": "demo-conseil1"}


def test_login_is_locked_per_account_after_repeated_failures(
    client_with: Callable[..., Any], db: Session
) -> None:
    client = client_with(rate_limit_login_account="3/minute")
    statuses = [client.post("/api/auth/login", json=WRONG).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    locked = client.post("/api/auth/login", json=RIGHT)
    assert locked.status_code == 429  # even the right password waits: no oracle
    assert 1 <= int(locked.headers["Retry-After"]) <= 60
    assert "Trop de tentatives de connexion" in locked.json()["detail"]
    # another account from the same address is not locked by this one
    other = client.post(
        "/api/auth/login", json={"username": "supervision", "password": "demo-supervision"}
    )
    assert other.status_code == 200
    entries = db.scalars(select(AuditEntry).where(AuditEntry.action == "login_locked")).all()
    assert [e.detail for e in entries] == [{"by": "account", "lockout": 1, "seconds": 60}]


def test_login_form_locks_the_account_after_repeated_failures(
    client_with: Callable[..., Any],
) -> None:
    client = client_with(rate_limit_login_account="3/minute")
    wrong = {"identifiant": "conseil1", "mot_de_passe": "pas-le-bon"}
    html = {"Accept": "text/html"}
    statuses = [client.post("/connexion", data=wrong, headers=html).status_code for _ in range(3)]
    assert statuses == [401, 401, 401]
    page = client.post(
        "/connexion",
        data={"identifiant": "Conseil1 ", "mot_de_passe": "demo-conseil1"},  # same account
        headers=html,
        follow_redirects=False,
    )
    assert page.status_code == 429  # the right password too: no oracle
    assert 1 <= int(page.headers["Retry-After"]) <= 60
    assert "Trop de tentatives de connexion pour cet identifiant" in page.text
    assert "réessayez dans" in page.text
    assert "allo_session" not in page.headers.get("set-cookie", "")
    # the address is not locked: another account logs in from it
    other = client.post(
        "/connexion",
        data={"identifiant": "supervision", "mot_de_passe": "demo-supervision"},
        follow_redirects=False,
    )
    assert other.status_code == 303
    assert "allo_session" in other.headers.get("set-cookie", "")


def test_lockouts_grow_exponentially_and_a_success_forgives_them(
    client_with: Callable[..., Any], db: Session
) -> None:
    client = client_with(rate_limit_login_account="2/second", login_lockout_max=3)

    def round_of_failures() -> tuple[list[int], int]:
        statuses = [client.post("/api/auth/login", json=WRONG).status_code for _ in range(2)]
        locked = client.post("/api/auth/login", json=WRONG)
        assert locked.status_code == 429, locked.text
        return statuses, int(locked.headers["Retry-After"])

    waits = []
    for _ in range(3):
        statuses, wait = round_of_failures()
        assert statuses == [401, 401]
        waits.append(wait)
        time.sleep(wait + 0.2)
    assert waits == [1, 2, 3]  # the window (1 s), then twice, then capped by the setting
    entries = db.scalars(select(AuditEntry).where(AuditEntry.action == "login_locked")).all()
    assert [(e.detail["lockout"], e.detail["seconds"]) for e in entries] == [(1, 1), (2, 2), (3, 3)]
    assert client.post("/api/auth/login", json=RIGHT).status_code == 200
    assert round_of_failures() == ([401, 401], 1)  # forgiven: back to the shortest lockout


def test_a_trusted_balancer_s_forwarded_address_is_the_one_limited(
    proxied_with: Callable[..., Any],
) -> None:
    balancer = proxied_with("127.0.0.1", rate_limit_suggestions="2/minute")

    def suggest(forwarded: str) -> int:
        response = balancer.get(
            "/api/suggest", params={"q": "cart"}, headers={"X-Forwarded-For": forwarded}
        )
        return response.status_code

    assert [suggest("203.0.113.5") for _ in range(3)] == [200, 200, 429]
    assert suggest("203.0.113.6") == 200  # another citizen behind the same balancer
    # a client that prepends a forged address still counts as the address HAProxy appends
    assert suggest("198.51.100.1, 203.0.113.5") == 429
    # IPv6: one subscriber's /64 is one client
    assert [suggest("2001:db8:1:2::1"), suggest("2001:db8:1:2:ffff::9")] == [200, 200]
    assert suggest("2001:db8:1:2::abcd") == 429
    assert suggest("2001:db8:1:3::1") == 200


def test_a_client_that_is_not_a_trusted_proxy_cannot_forge_its_address(
    proxied_with: Callable[..., Any],
) -> None:
    client = proxied_with(
        "198.51.100.20", rate_limit_questions="2/minute", forwarded_allow_ips="127.0.0.1"
    )
    statuses = [
        client.post(
            "/api/messages",
            json={"question": f"Question {i} ?"},
            headers={"X-Forwarded-For": f"203.0.113.{i}"},
        ).status_code
        for i in range(3)
    ]
    assert statuses == [201, 201, 429]


def test_login_form_is_throttled_per_address_across_accounts(
    client_with: Callable[..., Any],
) -> None:
    client = client_with(rate_limit_login_address="4/minute")
    for i in range(4):
        form = {"identifiant": f"inconnu{i}", "mot_de_passe": "x"}
        assert client.post("/connexion", data=form).status_code == 401
    page = client.post(
        "/connexion",
        data={"identifiant": "conseil1", "mot_de_passe": "demo-conseil1"},
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )
    assert page.status_code == 429
    assert "Retry-After" in page.headers
    assert "depuis votre adresse" in page.text
    assert "allo_session" not in page.headers.get("set-cookie", "")


def test_questions_are_limited_per_address_over_api_and_form(
    client_with: Callable[..., Any],
) -> None:
    client = client_with(rate_limit_questions="3/minute")
    api = [
        client.post("/api/messages", json={"question": f"Question {i} ?"}).status_code
        for i in range(2)
    ]
    form = client.post(
        "/poser-une-question", data={"question": "Une question ?"}, follow_redirects=False
    )
    refused = client.post("/api/messages", json={"question": "Encore une ?"})
    refused_form = client.post(
        "/poser-une-question", data={"question": "Et une autre ?"}, headers={"Accept": "text/html"}
    )
    assert api == [201, 201]
    assert form.status_code == 303
    assert refused.status_code == 429
    assert "beaucoup de questions" in refused.json()["detail"]
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused_form.status_code == 429
    assert "beaucoup de questions" in refused_form.text


def test_anonymous_ratings_are_limited(client_with: Callable[..., Any]) -> None:
    client = client_with(rate_limit_surveys="2/minute")
    statuses = [
        client.post("/api/surveys", json={"token": f"faux{i}", "rating": 4}).status_code
        for i in range(3)
    ]
    form = client.post("/ma-question/avis", data={"jeton": "faux", "note": "4"})
    assert statuses == [404, 404, 429]
    assert form.status_code == 429


def test_anonymous_search_is_lexical_unless_asked_and_the_hybrid_is_limited(
    client_with: Callable[..., Any],
) -> None:
    client = client_with(rate_limit_search_hybrid="2/minute", rate_limit_suggestions="3/minute")
    for _ in range(5):  # the default (lexical for anonymous callers) is not counted
        assert client.get("/api/search", params={"q": "carte grise"}).status_code == 200
    hybrid = [
        client.get("/api/search", params={"q": "carte grise", "mode": "hybrid"}).status_code
        for _ in range(3)
    ]
    assert hybrid == [200, 200, 429]
    suggest = [client.get("/api/suggest", params={"q": "cart"}).status_code for _ in range(4)]
    assert suggest == [200, 200, 200, 429]
    # an agent's session is not counted
    token = client.post("/api/auth/login", json=RIGHT).json()["token"]
    agent = client.get(
        "/api/search",
        params={"q": "carte grise", "mode": "hybrid"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert agent.status_code == 200


def test_the_agreement_list_counts_with_the_suggestions_when_anonymous(
    client_with: Callable[..., Any],
) -> None:
    client = client_with(rate_limit_suggestions="2/minute")
    statuses = [client.get("/api/search/agreements").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get("/api/suggest", params={"q": "cart"}).status_code == 429  # one budget
    token = client.post("/api/auth/login", json=RIGHT).json()["token"]
    agent = client.get("/api/search/agreements", headers={"Authorization": f"Bearer {token}"})
    assert agent.status_code == 200 and agent.json()["agreements"]


def test_a_forged_cookie_does_not_lift_the_limit(client_with: Callable[..., Any]) -> None:
    client = client_with(rate_limit_search_hybrid="1/minute")
    client.cookies.set("allo_session", "n-importe-quoi")
    params = {"q": "impôts", "mode": "hybrid"}
    assert client.get("/api/search", params=params).status_code == 200
    assert client.get("/api/search", params=params).status_code == 429


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="Redis absent sur 127.0.0.1:6379")
def test_redis_storage_shares_counters_between_workers(test_settings: Settings) -> None:
    """Two limiters (two worker processes, or two machines) count together through Redis."""
    settings = dataclasses.replace(
        test_settings, rate_limit_storage="redis://127.0.0.1:6379", rate_limit_questions="3/hour"
    )
    worker_a, worker_b = RateLimits(settings), RateLimits(settings)
    address = f"203.0.113.{uuid.uuid4().int % 250}-{uuid.uuid4().hex}"
    assert worker_a.hit("questions", address) is None
    assert worker_b.hit("questions", address) is None
    assert worker_a.hit("questions", address) is None
    wait = worker_b.hit("questions", address)
    assert wait is not None and 1 <= wait <= 3600
    worker_a.clear("questions", address)
    assert worker_b.hit("questions", address) is None


@pytest.mark.skipif(not _redis_up(), reason="Redis absent sur 127.0.0.1:6379")
def test_login_lockout_holds_across_apps_sharing_redis(client_with: Callable[..., Any]) -> None:
    shared = {
        "rate_limit_storage": "redis://127.0.0.1:6379",
        "rate_limit_login_account": "2/minute",
    }
    node_a, node_b = client_with(**shared), client_with(**shared)
    username = f"cible-{uuid.uuid4().hex[:8]}"
    wrong = {"username": username, "password": "x"}
    assert node_a.post("/api/auth/login", json=wrong).status_code == 401
    assert node_b.post("/api/auth/login", json=wrong).status_code == 401
    assert node_a.post("/api/auth/login", json=wrong).status_code == 429
    assert node_b.post("/api/auth/login", json=wrong).status_code == 429


def test_unreachable_store_lets_requests_through(test_settings: Settings) -> None:
    settings = dataclasses.replace(test_settings, rate_limit_storage="redis://127.0.0.1:1")
    assert RateLimits(settings).hit("questions", "198.51.100.7") is None


@pytest.mark.skipif(not _redis_up(), reason="Redis absent sur 127.0.0.1:6379")
def test_async_redis_checks_share_counters_between_nodes(proxied_with: Callable[..., Any]) -> None:
    """The event loop's checks (search, suggestions) use limits.aio's Redis client: the same
    counters on every node."""
    shared = {"rate_limit_storage": "redis://127.0.0.1:6379", "rate_limit_suggestions": "3/minute"}
    node_a, node_b = proxied_with("127.0.0.1", **shared), proxied_with("127.0.0.1", **shared)
    citizen = {
        "X-Forwarded-For": f"2001:db8:{uuid.uuid4().int % 65536:x}:{uuid.uuid4().int % 65536:x}::1"
    }
    statuses = [
        node.get("/api/suggest", params={"q": "cart"}, headers=citizen).status_code
        for node in (node_a, node_b, node_a, node_b)
    ]
    assert statuses == [200, 200, 200, 429]
