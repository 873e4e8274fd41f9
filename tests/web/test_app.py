from __future__ import annotations

import logging
from typing import Any


def test_health_reports_database(client: Any, backend: str) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json()["database"] == backend


def test_openapi_is_served(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/health" in spec["paths"]


def test_unknown_api_route_is_french_json_404(client: Any) -> None:
    response = client.get("/api/nexiste-pas")
    assert response.status_code == 404
    assert response.json()["detail"] == "Page ou ressource introuvable."


def test_requests_are_logged_at_debug_without_query_string(client: Any, caplog: Any) -> None:
    with caplog.at_level(logging.DEBUG, logger="allo.web"):
        client.get("/api/nexiste-pas?q=jean.dupont@example.org")
    lines = [r.getMessage() for r in caplog.records if r.name == "allo.web"]
    # an unmatched path is not echoed either (it could be a mistyped private link)
    assert any(line.startswith("GET (non trouvée) 404 ") for line in lines)
    assert not any("dupont" in line for line in lines)
