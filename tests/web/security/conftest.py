"""Fixtures of the security tests: an app with chosen settings (small limits, Redis storage),
reached directly or through uvicorn's proxy-headers layer from a chosen peer address."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from allo.runtime import Runtime
from allo.web.app import create_app


@contextlib.contextmanager
def _clients(runtime: Runtime) -> Iterator[Callable[..., Any]]:
    """Opens test clients on apps whose settings differ from the runtime's; closes them all."""
    opened: list[TestClient] = []

    def _open(wrap: Callable[[FastAPI], Any], overrides: dict[str, Any], **kwargs: Any) -> Any:
        settings = dataclasses.replace(runtime.settings, **overrides)
        app = create_app(runtime=dataclasses.replace(runtime, settings=settings, services={}))
        client = TestClient(wrap(app), **kwargs)
        client.__enter__()
        opened.append(client)
        return client

    yield _open
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def client_with(runtime: Runtime) -> Iterator[Callable[..., Any]]:
    """`client_with(rate_limit_questions="2/minute")`: a test client whose settings differ."""
    with _clients(runtime) as open_client:
        yield lambda **overrides: open_client(lambda app: app, overrides)


@pytest.fixture
def proxied_with(runtime: Runtime) -> Iterator[Callable[..., Any]]:
    """`proxied_with("127.0.0.1", rate_limit_suggestions="2/minute")`: a test client whose peer
    is that address, in front of the app as `allo serve` gives it to uvicorn (proxy headers
    believed from ALLO_FORWARDED_ALLOW_IPS only)."""
    import uvicorn

    from allo.web.serving import uvicorn_options

    def served(overrides: dict[str, Any]) -> Callable[[FastAPI], Any]:
        def wrap(app: FastAPI) -> Any:
            settings = dataclasses.replace(runtime.settings, **overrides)
            config = uvicorn.Config(app, log_config=None, **uvicorn_options(settings))
            config.load()
            return config.loaded_app

        return wrap

    with _clients(runtime) as open_client:
        yield lambda peer, **overrides: open_client(
            served(overrides), overrides, client=(peer, 50000)
        )
