"""Typed dependencies for handlers: the runtime and a database session bound to the request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from allo.db.session import unit_of_work
from allo.runtime import Runtime

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_runtime(request: Request) -> Runtime:
    """`async`: no I/O, so FastAPI calls it in the event loop instead of the thread pool."""
    return request.app.state.runtime


def get_session(request: Request) -> Iterator[Session]:
    """One unit of work per request: committed when the handler returns, rolled back on error."""
    runtime: Runtime = request.app.state.runtime
    factory = runtime.read_sessions if request.method in SAFE_METHODS else runtime.sessions
    with unit_of_work(factory) as session:
        yield session


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
# scope="function": commit BEFORE the response is sent. FastAPI's default ("request") ends a
# yield dependency after the response, so a client could get 200 for a step that a crash then
# loses (tests/contacts/test_crash.py caught exactly that).
DbSession = Annotated[Session, Depends(get_session, scope="function")]
