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


@pytest.fixture
def proxied_with(runtime: Runtime) -> Iterator[Callable[..., Any]]:
    """`proxied_with("127.0.0.1", rate_limit_suggestions="2/minute")`: a test client whose peer
    is that address, in front of the app as `allo serve` gives it to uvicorn (proxy headers
    believed from ALLO_FORWARDED_ALLOW_IPS only)."""
    import uvicorn

    from allo.web.serving import uvicorn_options

    opened: list[TestClient] = []

    def _make(peer: str, **overrides: Any) -> TestClient:
        settings = dataclasses.replace(runtime.settings, **overrides)
        rt = dataclasses.replace(runtime, settings=settings, services={})
        config = uvicorn.Config(
            create_app(runtime=rt), log_config=None, **uvicorn_options(settings)
        )
        config.load()
        client = TestClient(config.loaded_app, client=(peer, 50000))
        client.__enter__()
        opened.append(client)
        return client

    yield _make
    for client in opened:
        client.__exit__(None, None, None)
