"""The HTTP defences every route gets without asking: cross-site request refusal (CSRF), body
size limits, security headers, and the rate limiter handlers call for anonymous and login traffic.

`install(app, settings)` adds the middlewares; each one is a pure ASGI class in its own module.
"""

from __future__ import annotations

from fastapi import FastAPI

from allo.settings import Settings
from allo.web.security import openapi
from allo.web.security.body_limit import BodyLimit
from allo.web.security.csrf import CrossSiteGuard
from allo.web.security.headers import SecurityHeaders


def install(app: FastAPI, settings: Settings) -> None:
    """Outermost first: headers on every response (even a 403/413), then CSRF, then sizes."""
    app.add_middleware(BodyLimit, max_json=settings.max_json_body, max_form=settings.max_form_body)
    app.add_middleware(CrossSiteGuard, public_url=settings.public_url)
    app.add_middleware(SecurityHeaders, public_url=settings.public_url)
    openapi.install(app)
