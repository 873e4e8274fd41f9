"""Fixtures of the contact-flow tests: agents, logged-in API clients, a committed database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from allo.db.engine import make_engine
from allo.db.migrate import upgrade
from tests.contacts.flow_helpers import Api
from tests.contacts.service_helpers import ALWAYS_OPEN, set_hours


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
