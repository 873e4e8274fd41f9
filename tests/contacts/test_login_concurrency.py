"""Logins hash outside the write transaction: a burst of them never queues on SQLite's writer lock
while argon2 runs (it used to: ~150 simultaneous logins reached the lock's timeout)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Engine

from allo.contacts import agents
from allo.db import engine as db_engine
from allo.db.session import make_session_factory, unit_of_work
from allo.runtime import Runtime
from allo.settings import Settings
from tests.contacts.flow_helpers import PASSWORD

#: argon2 cost of this module's agents: ~100 ms a verification, like a real login on a busy
#: machine (the suite's default is ~8 ms), with little memory (8 MiB).
SLOW_HASH = {"time_cost": 8, "memory_cost": 8192}


@pytest.fixture
def slow_hashes() -> Iterator[None]:
    agents.use_password_cost(**SLOW_HASH)
    yield
    agents.use_password_cost(time_cost=1, memory_cost=8192)


@pytest.fixture
def live_client(committed_engine: Engine, test_settings: Settings) -> Iterator[Any]:
    """The app over a database whose commits are real (the writer lock is the real one)."""
    from fastapi.testclient import TestClient

    from allo.web.app import create_app

    runtime = Runtime.from_settings(test_settings, engine=committed_engine)
    with TestClient(create_app(runtime=runtime)) as client:
        yield client


def _make_agents(engine: Engine, count: int) -> list[str]:
    names = [f"concurrent-{i}" for i in range(count)]
    with unit_of_work(make_session_factory(engine)) as session:
        for name in names:
            agents.create_agent(session, name, "advisor", PASSWORD)
    return names


def test_no_write_transaction_is_open_while_the_password_is_verified(
    live_client: Any, committed_engine: Engine, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite's writer lock (PostgreSQL has none to hold)")
    (name,) = _make_agents(committed_engine, 1)
    lock = db_engine._writer_lock(committed_engine.url.database or "")
    held_while_hashing: list[bool] = []

    class SpyingHasher:
        """The real hasher, noting whether the writer lock is held at each verification."""

        def __init__(self, real: Any) -> None:
            self.real = real

        def verify(self, hash_: str, password: str) -> bool:
            held_while_hashing.append(lock.locked())
            return bool(self.real.verify(hash_, password))

        def __getattr__(self, name: str) -> Any:
            return getattr(self.real, name)

    monkeypatch.setattr(agents, "_hasher", SpyingHasher(agents._hasher))
    for path, payload in (
        ("/api/auth/login", {"username": name, "password": PASSWORD}),
        ("/connexion", None),
    ):
        if payload is None:
            form = {"identifiant": name, "mot_de_passe": PASSWORD}
            response = live_client.post(path, data=form, follow_redirects=False)
            assert response.status_code == 303
        else:
            assert live_client.post(path, json=payload).status_code == 200
    unknown = live_client.post("/api/auth/login", json={"username": "nobody", "password": "x"})
    assert unknown.status_code == 401
    assert held_while_hashing == [False, False, False]  # API, page, and the dummy check


def test_150_simultaneous_logins_all_succeed(
    live_client: Any,
    committed_engine: Engine,
    slow_hashes: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A short wait for the writer lock: hashing under the lock (40 requests × ~100 ms in line)
    # overruns it; short token writes stay far below.
    monkeypatch.setattr(db_engine, "_WRITER_WAIT_S", 2.0)
    names = _make_agents(committed_engine, 10)

    def log_in(i: int) -> tuple[int, str]:
        name = names[i % len(names)]
        response = live_client.post(
            "/api/auth/login", json={"username": name, "password": PASSWORD}
        )
        return response.status_code, response.json().get("token", "")

    with ThreadPoolExecutor(max_workers=40) as pool:
        results = list(pool.map(log_in, range(150)))
    assert [status for status, _ in results] == [200] * 150
    tokens = {token for _, token in results}
    assert len(tokens) == 150
    me = live_client.get("/api/auth/me", headers={"Authorization": f"Bearer {results[0][1]}"})
    assert me.status_code == 200 and me.json()["username"] in names


def test_a_password_changed_between_check_and_write_refuses_the_login(
    db: Any, session_factory: Any
) -> None:
    from allo.errors import Unauthorized

    agent = agents.create_agent(db, "changing", "advisor", PASSWORD)
    db.commit()
    verified = agents.verify_login(session_factory, "Changing ", PASSWORD)
    assert verified.agent_id == agent.id and verified.new_hash is None
    agent.password_hash = agents.hash_password("un-autre-mot-de-passe")
    db.flush()
    with pytest.raises(Unauthorized, match="Identifiant ou mot de passe incorrect"):
        agents.open_session(db, verified)
