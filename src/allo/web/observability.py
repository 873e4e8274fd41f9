"""Per-request observability: the request id, the latency and error metrics, the access line.

A pure ASGI middleware (see RequestLog in app.py for why not BaseHTTPMiddleware). Metrics are
labelled with the route *template* (`/fiches/{fiche_id}`), never the raw path: the label set
stays small and no identifier or typed text reaches the metrics. The access line is logged at
DEBUG, or at WARNING/ERROR for slow requests and server errors, with the same template.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from allo.ops import metrics
from allo.ops.logs import request_id

log = logging.getLogger("allo.access")

HEADER = b"x-request-id"
_VALID_ID = re.compile(rb"^[A-Za-z0-9._-]{1,64}$")
#: a request slower than this is logged at WARNING
SLOW_S = 1.0
UNMATCHED = "(aucune route)"


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


class Observability:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(HEADER, b"")
        rid = given.decode() if _VALID_ID.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        start = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER]
                message["headers"] = [*headers, (HEADER, rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            took = time.perf_counter() - start
            route, method = route_template(scope), scope["method"]
            metrics.REQUEST_SECONDS.labels(method, route, str(status)).observe(took)
            if status >= 400:
                kind = "5xx" if status >= 500 else "4xx"
                metrics.REQUEST_ERRORS.labels(method, route, kind).inc()
            level = (
                logging.ERROR
                if status >= 500
                else logging.WARNING
                if took > SLOW_S
                else logging.DEBUG
            )
            if log.isEnabledFor(level):
                log.log(
                    level,
                    "%s %s %d %.1f ms",
                    method,
                    route,
                    status,
                    took * 1000,
                    extra={
                        "method": method,
                        "route": route,
                        "status": status,
                        "duration_ms": round(took * 1000, 1),
                    },
                )
            request_id.reset(token)


def install(app: object) -> None:
    """Add the middleware (outermost, so it times and tags everything the app does)."""
    app.add_middleware(Observability)  # type: ignore[attr-defined]
