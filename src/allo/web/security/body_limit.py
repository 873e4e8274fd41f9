"""Request body size limits, enforced while the body streams in (never read whole first).

A declared `Content-Length` over the limit is refused at once; a chunked or lying body is
counted as it arrives and cut at the limit. Either way the answer is a 413 with a French
message. Forms (urlencoded, multipart) and everything else (JSON) have their own limits.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from allo.web.security._respond import send_error

FORM_TYPES = (b"application/x-www-form-urlencoded", b"multipart/form-data")


def too_large_message(limit: int) -> str:
    size = f"{limit // 1024} Ko" if limit < 1_048_576 else f"{limit / 1_048_576:g} Mo"
    return f"Les données envoyées sont trop volumineuses ({size} au plus)."


class BodyTooLarge(HTTPException):
    """Raised from `receive`: an HTTPException, so FastAPI's body parsing lets it through."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit))


class BodyLimit:
    def __init__(self, app: ASGIApp, *, max_json: int, max_form: int) -> None:
        self.app = app
        self.max_json = max_json
        self.max_form = max_form

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.max_json
        declared = None
        for name, value in scope["headers"]:
            if name == b"content-type" and value.lower().startswith(FORM_TYPES):
                limit = self.max_form
            elif name == b"content-length":
                declared = value
        if declared is not None:
            try:
                too_big = int(declared) > limit
            except ValueError:
                too_big = False
            if too_big:
                await send_error(scope, receive, send, 413, too_large_message(limit))
                return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        started = False

        async def noting_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, noting_send)
        except BodyTooLarge as exc:
            # Read outside FastAPI's body parsing (a handler reading the stream itself).
            if started:
                raise
            await send_error(scope, receive, send, 413, str(exc.detail))
