"""GET /api/search and /api/suggest: JSON shapes, filters, and French errors for bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from allo.search.service import SearchService

RARE = "zorglubienne"


@pytest.fixture(autouse=True)
def _service(search_service: SearchService) -> SearchService:
    return search_service


@pytest.fixture
def fiches(add_fiche: Callable[..., object]) -> None:
    add_fiche(
        "L9101",
        f"Carte {RARE} : demande de duplicata",
        description="En cas de perte ou de vol.",
        audiences=["particuliers", "professionnels"],
        # a fiche writes its title's words in its text too (the body's exact forms count)
        text=f"Le duplicata de la carte {RARE} se demande en mairie.",
    )
    add_fiche("L9102", f"Peut-on prêter sa carte {RARE} ?", kind="question")


def test_search_returns_results_with_their_fields(client: Any, fiches: None) -> None:
    response = client.get("/api/search", params={"q": f"{RARE} duplicata"})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == f"{RARE} duplicata"
    first = body["results"][0]
    assert first["id"] == "L9101"
    assert first["audiences"] == ["particuliers", "professionnels"]
    assert first["url"].endswith("/L9101")
    assert set(first) >= {"id", "title", "score", "audiences", "url", "kind", "description"}
    assert [r["id"] for r in body["results"]].count("L9101") == 1


def test_search_filters_and_limit(client: Any, fiches: None) -> None:
    body = client.get(
        "/api/search", params={"q": RARE, "audience": "professionnels", "limit": 5}
    ).json()
    assert [r["id"] for r in body["results"]] == ["L9101"]
    body = client.get("/api/search", params={"q": RARE, "limit": 1}).json()
    assert len(body["results"]) == 1
    body = client.get("/api/search", params={"q": RARE, "source": "dila"}).json()
    assert body["results"] == []


@pytest.mark.parametrize("q", ["", "   "])
def test_empty_query_is_a_422_in_french(client: Any, q: str) -> None:
    response = client.get("/api/search", params={"q": q})
    assert response.status_code == 422
    assert "au moins un mot" in response.json()["detail"]


def test_missing_query_is_a_422_in_french(client: Any) -> None:
    response = client.get("/api/search")
    assert response.status_code == 422
    assert "au moins un mot" in response.json()["detail"]


@pytest.mark.parametrize(
    "params",
    [{"q": "carte", "audience": "martiens"}, {"q": "carte", "limit": 0}, {"q": "x", "limit": 1000}],
)
def test_bad_parameters_are_422(client: Any, params: dict[str, object]) -> None:
    response = client.get("/api/search", params=params)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Données invalides")


@pytest.mark.parametrize(
    "q",
    [
        "a" * 10_000,
        '" * ( ) : - ^ NEAR AND',
        'carte:(grise OR "bleue")^2 -vol NEAR/3 *',
        "😀 carte 🇫🇷",
        "carte\x01\x02\x1bgrise",
    ],
)
def test_hostile_queries_are_answered(client: Any, fiches: None, q: str) -> None:
    response = client.get("/api/search", params={"q": q})
    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)


def test_lexical_mode(client: Any, fiches: None) -> None:
    body = client.get("/api/search", params={"q": RARE, "mode": "lexical"}).json()
    assert {r["id"] for r in body["results"]} == {"L9101", "L9102"}


def test_suggest(client: Any, fiches: None) -> None:
    body = client.get("/api/suggest", params={"q": f"carte {RARE[:5]}"}).json()
    assert body["query"] == f"carte {RARE[:5]}"
    titles = [s["title"] for s in body["suggestions"]]
    assert titles[0] == f"Carte {RARE} : demande de duplicata"  # title starting with the text
    assert f"Peut-on prêter sa carte {RARE} ?" in titles
    assert {"id", "title", "kind", "url"} <= set(body["suggestions"][0])


@pytest.mark.parametrize("q", ["", "   ", "😀", "\x00", "z" * 5000])
def test_suggest_tolerates_anything(client: Any, q: str) -> None:
    response = client.get("/api/suggest", params={"q": q})
    assert response.status_code == 200
    assert isinstance(response.json()["suggestions"], list)


def test_openapi_documents_the_endpoints(client: Any) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/search" in paths and "/api/suggest" in paths


def test_status_reports_coverage_model_and_age(client: Any) -> None:
    response = client.get("/api/search/status")
    assert response.status_code == 200
    body = response.json()
    assert body["fiches"] > 1000 and body["semantic"] is False and body["model"] is None
    assert body["coverage"] == 0 and body["with_vector"] == 0
    assert body["index_age_s"] >= 0 and body["built_at"].endswith("Z")
