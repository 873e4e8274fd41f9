"""Cross-site request forgery: one check for every unsafe method, forms and JSON API alike.

A browser tells where a request comes from: `Sec-Fetch-Site` (every current browser) and
`Origin` (sent on every POST/PUT/PATCH/DELETE, same-site or not). A state-changing request is
refused (403) unless `Sec-Fetch-Site` is `same-origin` (or `none`: typed by the user); without
that header (older browsers), unless `Origin` names this host or the public address — `null`
(sandboxed frames, some redirects) is refused.
A request with neither header does not come from a browser, so it cannot ride on a victim's
cookie. Bearer-token calls are let through: no browser attaches an `Authorization` header to a
cross-site request without a CORS preflight, which Allo never grants.

This is the scheme of Go's `net/http.CrossOriginProtection` and of the OWASP "verify origin
with standard headers" defence; being a middleware, it covers routes added tomorrow (a test
enumerates them). SameSite=Lax on the session cookie stays as a second lock.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from allo.web.security._respond import send_error

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MESSAGE = "Requête venant d'un autre site : refusée."


class CrossSiteGuard:
    def __init__(self, app: ASGIApp, *, public_url: str = "") -> None:
        self.app = app
        self.public_host = urlsplit(public_url).netloc.lower() if public_url else ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        unsafe = scope["type"] == "http" and scope["method"] in UNSAFE_METHODS
        if unsafe and not self.allowed(scope):
            await send_error(scope, receive, send, 403, MESSAGE)
            return
        await self.app(scope, receive, send)

    def allowed(self, scope: Scope) -> bool:
        site = origin = host = None
        authorization = False
        for name, value in scope["headers"]:
            if name == b"sec-fetch-site":
                site = value
            elif name == b"origin":
                origin = value
            elif name == b"host":
                host = value
            elif name == b"authorization":
                authorization = True
        if authorization:
            return True
        if site is not None:
            # The browser's own verdict; a proxy rewriting `Host` cannot fool it.
            return site in (b"same-origin", b"none")
        if origin is None:
            return True
        if origin == b"null":
            return False
        netloc = urlsplit(origin.decode("latin-1")).netloc.lower()
        own = (host or b"").decode("latin-1").lower()
        return bool(netloc) and (netloc == own or netloc == self.public_host)
