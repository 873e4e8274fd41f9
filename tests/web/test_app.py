from __future__ import annotations

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
