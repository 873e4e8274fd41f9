"""Fixtures of the contact-flow tests: agents, logged-in API clients, a committed database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from allo.contacts import agents as agents_domain
from allo.contacts.models import Agent
from allo.db.engine import make_engine
from allo.db.migrate import upgrade
from tests.contacts.flow_helpers import PASSWORD, Api
from tests.contacts.service_helpers import ALWAYS_OPEN, set_hours


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashes() -> None:
    """Real argon2, with a small cost: dozens of agents are created per run."""
    agents_domain.use_password_cost(time_cost=1, memory_cost=8192)


@pytest.fixture
def make_agent(db: Session) -> Callable[..., Agent]:
    counter = iter(range(1, 10_000))

    def _make(role: str = "advisor", *sectors: str, username: str | None = None) -> Agent:
        name = username or f"{role[:4]}-{'-'.join(sectors) or 'x'}-{next(counter)}"
        return agents_domain.create_agent(db, name, role, PASSWORD, sectors=sectors)

    return _make


@pytest.fixture
def api(client: Any, db: Session) -> Api:
    """Logged-in API calls, with the service open at any hour (phone contacts are accepted)."""
    set_hours(db, ALWAYS_OPEN)
    return Api(client, db)


@pytest.fixture
def committed_engine(make_database: Callable[[], str]) -> Iterator[Engine]:
    """A fresh, migrated database whose commits are real (threads, processes, telephony)."""
    engine = make_engine(make_database())
    upgrade(engine)
    yield engine
    engine.dispose()
