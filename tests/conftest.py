"""Test database fixtures, warehouse-style: one database per test run, migrated and loaded once
with the bundled real data, and every test inside a transaction that is rolled back.

The backend is SQLite unless ALLO_TEST_DATABASE_URL points to a PostgreSQL server; then a
database of its own is created on that server for this run (several runs can share a server).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from allo.contacts.models import Agent
from allo.db.engine import make_engine
from allo.db.migrate import upgrade
from allo.runtime import Runtime
from allo.settings import Settings

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Full-corpus tests need ../shared/data; a user's machine may not have it."""
    if SHARED_DATA.is_dir():
        return
    skip = pytest.mark.skip(reason="../shared/data absent (corpus complet indisponible)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return SHARED_DATA


@pytest.fixture(scope="session")
def backend() -> str:
    url = os.environ.get("ALLO_TEST_DATABASE_URL", "")
    return "postgresql" if url.startswith("postgresql") else "sqlite"


@pytest.fixture(scope="session")
def make_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], str]]:
    """A factory of empty databases of the backend under test; all are dropped at the end."""
    server_url = os.environ.get("ALLO_TEST_DATABASE_URL", "")
    created: list[str] = []
    admin: Engine | None = None
    if server_url.startswith("postgresql"):
        admin = create_engine(
            make_url(server_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
        )

    def _make() -> str:
        name = f"allo_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        if admin is None:
            return f"sqlite:///{tmp_path_factory.mktemp('db') / (name + '.db')}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return make_url(server_url).set(database=name).render_as_string(hide_password=False)

    yield _make
    if admin is not None:
        with admin.connect() as conn:
            for name in created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def test_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    home = tmp_path_factory.mktemp("allo_home")
    return Settings.from_env({"ALLO_HOME": str(home), "ALLO_EMBEDDER": "none", "ALLO_WARM_UP": "0"})


@pytest.fixture(scope="session")
def engine(make_database: Callable[[], str], test_settings: Settings) -> Iterator[Engine]:
    """The run's shared database: migrated, with the bundled real data loaded once."""
    from allo.bootstrap import initialize

    eng = make_engine(make_database())
    upgrade(eng)
    initialize(Runtime.from_settings(test_settings, engine=eng), report=lambda _msg: None)
    yield eng
    eng.dispose()


@pytest.fixture
def cli_database(
    tmp_path: Path, make_database: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """An empty migrated database (no bundled data) that `allo` commands run in-process with
    `CliRunner` use, with a home of their own; its URL."""
    from allo.cli import _common

    url = make_database()
    eng = make_engine(url)
    upgrade(eng)
    eng.dispose()
    monkeypatch.setenv("ALLO_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ALLO_DATABASE_URL", url)
    monkeypatch.setenv("ALLO_EMBEDDER", "none")
    _common.runtime.cache_clear()
    yield url
    _common.runtime.cache_clear()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    conn = engine.connect()
    trans = conn.begin()
    yield conn
    trans.rollback()
    conn.close()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    """Sessions joined to the test's transaction: their commits are savepoints, undone afterwards."""
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    session = session_factory()
    yield session
    session.close()


@pytest.fixture
def runtime(
    engine: Engine, session_factory: sessionmaker[Session], test_settings: Settings
) -> Runtime:
    """A runtime whose sessions all live inside the test's rolled-back transaction."""
    return Runtime(
        settings=test_settings,
        engine=engine,
        sessions=session_factory,
        read_sessions=session_factory,
    )


@pytest.fixture
def service_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Sets the instant `Settings.today()` reads, to test what happens around midnight."""

    def set_now(now: datetime) -> None:
        class Clock(datetime):
            @classmethod
            def now(cls, tz: tzinfo | None = None) -> Clock:  # type: ignore[override]
                return cls.fromtimestamp(now.timestamp(), tz)

        monkeypatch.setattr("allo.settings.datetime", Clock)

    return set_now


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes() -> None:
    """Real argon2, with a small cost: dozens of agents are created per run."""
    from allo.contacts import agents

    agents.use_password_cost(time_cost=1, memory_cost=8192)


@pytest.fixture
def make_agent(db: Session) -> Callable[..., Agent]:
    """`make_agent("specialist", "travail")`: an agent in the test's transaction, password
    `PASSWORD` (tests/contacts/flow_helpers.py)."""
    from allo.contacts import agents
    from tests.contacts.flow_helpers import PASSWORD

    counter = iter(range(1, 10_000))

    def _make(role: str = "advisor", *sectors: str, username: str | None = None) -> Agent:
        name = username or f"{role[:4]}-{'-'.join(sectors) or 'x'}-{next(counter)}"
        return agents.create_agent(db, name, role, PASSWORD, sectors=sectors)

    return _make


#: an API request's bearer header, as `token` returns it
Headers = dict[str, str]


@pytest.fixture
def token(client: Any, db: Session, make_agent: Callable[..., Agent]) -> Callable[..., Headers]:
    """`token("editor")`, `token("specialist", "travail")`: the bearer header of a new agent
    logged in through the API (committed, so the API's own sessions see it; no cookie kept)."""

    def _token(role: str, *sectors: str) -> Headers:
        from tests.contacts.flow_helpers import PASSWORD

        agent = make_agent(role, *sectors)
        db.commit()
        response = client.post(
            "/api/auth/login", json={"username": agent.username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        client.cookies.clear()
        return {"Authorization": f"Bearer {response.json()['token']}"}

    return _token


@pytest.fixture
def client(runtime: Runtime) -> Iterator[object]:
    from fastapi.testclient import TestClient

    from allo.web.app import create_app

    with TestClient(create_app(runtime=runtime)) as test_client:
        yield test_client
