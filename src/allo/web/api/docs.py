"""`/api/docs`: the interactive API documentation, from the vendored Swagger UI (static/swagger-ui).

FastAPI's own page loads Swagger UI from a CDN (blank on a network without internet, unpinned
third-party script) and starts it with an inline script, which the CSP forbids; this page loads
both the bundle and its start-up script (`static/api-docs.js`) from this site.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

PAGE = """<!doctype html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <title>Allo — documentation de l'API</title>
  <link rel="stylesheet" href="/static/swagger-ui/swagger-ui.css">
  <link rel="icon" href="/static/dsfr/favicon/favicon.svg" type="image/svg+xml">
</head>
<body>
  <div id="swagger-ui" data-openapi-url="/openapi.json"></div>
  <noscript>La documentation interactive demande JavaScript ; le schéma brut est à
    <a href="/openapi.json">/openapi.json</a>.</noscript>
  <script src="/static/swagger-ui/swagger-ui-bundle.js"></script>
  <script src="/static/api-docs.js"></script>
</body>
</html>
"""


@router.get("/api/docs", response_class=HTMLResponse)
async def api_docs() -> HTMLResponse:
    return HTMLResponse(PAGE)
