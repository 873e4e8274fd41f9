"""A French error response from inside a middleware (before routing, so no exception handler)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from allo.web.errors import error_response


async def send_error(scope: Scope, receive: Receive, send: Send, status: int, message: str) -> None:
    """JSON for the API, the French error page for a browser, as `web/errors.py` does."""
    response = error_response(Request(scope, receive), status, message)
    await response(scope, receive, send)
