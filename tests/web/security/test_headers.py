"""Security headers on every response, a CSP without inline script, local API docs (finding 8)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from allo.web import app as web_app

TEMPLATES = Path(web_app.__file__).parent / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style|\sstyle\s*=", re.IGNORECASE)


@pytest.mark.parametrize(
    "path",
    ["/", "/recherche?q=passeport", "/connexion", "/api/health", "/static/allo.css", "/nulle-part"],
)
def test_every_response_carries_the_headers(client: Any, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain http, http public URL


def test_refusals_carry_them_too(client: Any) -> None:
    response = client.post("/connexion", headers={"Origin": "null"})
    assert response.status_code == 403
    assert "Content-Security-Policy" in response.headers


def test_hsts_behind_tls(client: Any, client_with: Any) -> None:
    assert "Strict-Transport-Security" in client.get("https://testserver/").headers
    public = client_with(public_url="https://allo.exemple.gouv.fr")
    assert public.get("/").headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_private_page_keeps_its_stricter_referrer_policy(client: Any) -> None:
    token = client.post("/api/messages", json={"question": "Ma question ?"}).json()["token"]
    response = client.get(f"/ma-question?jeton={token}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_no_template_has_an_inline_script_handler_or_style() -> None:
    """The CSP (`script-src 'self'; style-src 'self'`) would block them in the browser."""
    patterns = (INLINE_SCRIPT, EVENT_ATTRIBUTE, INLINE_STYLE)
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if any(pattern.search(path.read_text()) for pattern in patterns)
    ]
    assert offenders == []


def test_api_docs_are_served_from_this_site(client: Any) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert not INLINE_SCRIPT.search(page.text)
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") for s in sources), sources
    for source in sources:
        assert client.get(source).status_code == 200, source
    assert "SwaggerUIBundle" in client.get("/static/swagger-ui/swagger-ui-bundle.js").text
