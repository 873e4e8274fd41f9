"""The day replay's own server: the real app, plus a simulated clock that only the replay can set.

`allo simulate day` starts this (never `allo serve`) with a fresh random secret in
ALLO_SIMULATION_KEY. A request carrying `X-Allo-Simulated-Time: <ISO 8601 instant>` and
`X-Allo-Simulation-Key: <that secret>` runs with `allo.db.base.utcnow()` returning that instant,
so every timestamp the flow writes (arrival, taken, closed…) is the simulated one and the day
needs no real waiting. The ordinary server has no such middleware: a client of `allo serve`
cannot forge a time, whatever headers it sends. Background jobs (retention purge, notifications)
are off here, since the simulated day's "now" is not the wall clock's, and passwords use a cheap
argon2 cost (the replay's team is throw-away).
"""

from __future__ import annotations

import hmac
import os
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from allo.contacts.agents import use_password_cost
from allo.db.base import simulated_now
from allo.privacy.redaction import warm_up
from allo.settings import Settings
from allo.stats.replay_protocol import KEY_ENV, KEY_HEADER, TIME_HEADER
from allo.web.app import create_app as create_real_app


class SimulatedClock:
    """Pure ASGI middleware (the contextvar reaches the threadpool where handlers run)."""

    def __init__(self, app: ASGIApp, key: str) -> None:
        self.app = app
        self.key = key.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: dict[bytes, bytes] = dict(scope.get("headers") or [])
        raw_time = headers.get(TIME_HEADER)
        if raw_time is None:
            await self.app(scope, receive, send)
            return
        moment = _parse(raw_time)
        if moment is None or not hmac.compare_digest(headers.get(KEY_HEADER, b""), self.key):
            await _refuse(send)
            return
        token = simulated_now.set(moment)
        try:
            await self.app(scope, receive, send)
        finally:
            simulated_now.reset(token)


def _parse(raw: bytes) -> datetime | None:
    try:
        moment = datetime.fromisoformat(raw.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(UTC)


async def _refuse(send: Send) -> None:
    body = '{"detail":"Horloge simulée refusée : clé absente ou heure illisible."}'.encode()
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def create_app() -> Any:
    """uvicorn factory (`allo.web.simserver:create_app`); refuses to start without the key."""
    key = os.environ.get(KEY_ENV, "")
    if len(key) < 32:
        raise RuntimeError(f"{KEY_ENV} must hold a random secret of at least 32 characters")
    app: FastAPI = create_real_app(Settings.from_env())
    app.state.background_jobs = False
    # The replay's team is throw-away and created with cheap argon2 hashes; with the same cost
    # here, logging in does not re-hash at the production cost (which holds SQLite's write
    # lock for a second per login). The replay measures the flow, not password hashing.
    use_password_cost(time_cost=1, memory_cost=8192)
    # Load the name model before serving (a real server loads it at the first login): the
    # replay measures the flow, not each worker's one-off model load.
    app.router.add_event_handler("startup", warm_up)
    app.add_middleware(SimulatedClock, key=key)
    return app
