"""Fixtures of the security tests: an app with chosen settings (small limits, Redis storage)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from allo.runtime import Runtime
from allo.web.app import create_app


@pytest.fixture
def client_with(runtime: Runtime) -> Iterator[Callable[..., Any]]:
    """`client_with(rate_limit_questions="2/minute")`: a test client whose settings differ."""
    opened: list[TestClient] = []

    def _make(**overrides: Any) -> TestClient:
        settings = dataclasses.replace(runtime.settings, **overrides)
        rt = Runtime(
            settings=settings,
            engine=runtime.engine,
            sessions=runtime.sessions,
            read_sessions=runtime.read_sessions,
        )
        client = TestClient(create_app(runtime=rt))
        client.__enter__()
        opened.append(client)
        return client

    yield _make
    for client in opened:
        client.__exit__(None, None, None)
