"""Request ids, /metrics (Prometheus, protected), liveness and readiness."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from allo.contacts.models import QUEUES
from allo.ops.logs import JsonFormatter
from allo.runtime import Runtime


def _families(text: str) -> dict[str, Any]:
    return {f.name: f for f in text_string_to_metric_families(text)}


def test_request_id_is_echoed_or_made(client: Any) -> None:
    given = client.get("/api/health", headers={"X-Request-ID": "abc-123.def"})
    assert given.headers["x-request-id"] == "abc-123.def"
    made = client.get("/api/health", headers={"X-Request-ID": "pas valide; <script>"})
    assert made.headers["x-request-id"] != "pas valide; <script>"
    assert len(made.headers["x-request-id"]) == 32


def test_metrics_refused_without_token_or_role(client: Any, login: Callable[[str], Any]) -> None:
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer faux"}).status_code == 401
    login("advisor")
    refused = client.get("/metrics")
    assert refused.status_code == 403
    assert "superviseurs" in refused.json()["detail"]


def test_metrics_for_a_supervisor(client: Any, login: Callable[[str], Any]) -> None:
    client.get("/fiches/F1")  # a route with a parameter
    client.get("/api/search", params={"q": "carte grise", "mode": "lexical"})
    login("supervisor")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    families = _families(response.text)
    routes = {
        s.labels["route"]
        for s in families["allo_http_request_duration_seconds"].samples
        if s.name.endswith("_count")
    }
    assert "/fiches/{fiche_id}" in routes and "/fiches/F1" not in routes
    modes = {s.labels["mode"] for s in families["allo_search_duration_seconds"].samples}
    assert "lexical" in modes
    queues = {s.labels["queue"] for s in families["allo_queue_waiting"].samples}
    assert queues == set(QUEUES)  # every queue is listed, empty or not
    states = {s.labels["state"] for s in families["allo_agents"].samples}
    assert {"available", "offline"} <= states


def test_metrics_with_the_scraper_token(client: Any, runtime: Runtime) -> None:
    runtime.settings = replace(runtime.settings, metrics_token="s3cret-scraper")
    response = client.get("/metrics", headers={"Authorization": "Bearer s3cret-scraper"})
    assert response.status_code == 200
    assert "allo_queue_oldest_wait_seconds" in response.text


def test_errors_are_counted_per_route(client: Any, runtime: Runtime) -> None:
    runtime.settings = replace(runtime.settings, metrics_token="t")
    client.get("/api/fiches/INCONNUE")
    text = client.get("/metrics", headers={"Authorization": "Bearer t"}).text
    errors = [
        s
        for s in _families(text)["allo_http_errors"].samples
        if s.labels["kind"] == "4xx" and s.value > 0
    ]
    assert any("{" in s.labels["route"] for s in errors)


def test_readiness_waits_for_the_search_index(client: Any, runtime: Runtime) -> None:
    runtime.services.pop("search", None)
    waiting = client.get("/api/ready")
    assert waiting.status_code == 503
    assert waiting.json()["checks"]["database"] == "ok"
    assert waiting.json()["checks"]["migrations"] == "ok"
    assert "recherche" in waiting.json()["checks"]["search"]
    client.get("/api/search", params={"q": "passeport", "mode": "lexical"})
    assert client.get("/api/ready").json() == {
        "ready": True,
        "checks": {"database": "ok", "migrations": "ok", "search": "ok"},
    }
    assert client.get("/api/health").json()["status"] == "ok"


def test_json_log_lines_carry_the_request_id() -> None:
    from allo.ops.logs import request_id

    token = request_id.set("rid-42")
    try:
        record = logging.LogRecord("allo.x", logging.INFO, __file__, 1, "bonjour %s", ("a",), None)
        record.route = "/fiches/{fiche_id}"
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert line["request_id"] == "rid-42"
    assert line["message"] == "bonjour a"
    assert line["route"] == "/fiches/{fiche_id}"
    assert line["level"] == "INFO"
