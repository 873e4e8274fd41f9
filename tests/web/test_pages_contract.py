"""Architecture tests of the HTML pages: what every page and every page context must respect.

New pages are caught automatically: every GET route of `allo.web.pages` must either have a sample
URL below (and then passes the page checks) or be tagged "fragment" (an htmx fragment).
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
from typing import Any

import lxml.html
import pytest
from fastapi.routing import APIRoute

import allo.web.pages
from allo.web.app import create_app

#: Sample URLs of each page route (bundled data), with and without their optional parameters.
SAMPLE_PAGES: dict[str, list[str]] = {
    "/": ["/"],
    "/recherche": ["/recherche", "/recherche?q=carte+grise+perdue", "/recherche?q=zzqxw"],
    "/fiches/{fiche_id}": ["/fiches/F1726", "/fiches/F1726?place=42000", "/fiches/F12006"],
    "/ou-s-adresser": ["/ou-s-adresser", "/ou-s-adresser?place=42000&type=caf"],
}
SAMPLE_URLS = [(route, url) for route, urls in SAMPLE_PAGES.items() for url in urls]


def _page_modules() -> list[Any]:
    return [
        importlib.import_module(f"allo.web.pages.{info.name}")
        for info in pkgutil.iter_modules(allo.web.pages.__path__)
    ]


def _page_routes() -> list[APIRoute]:
    app = create_app(runtime=_DummyRuntime())  # routes only; no request is made
    page_endpoints = {
        obj
        for module in _page_modules()
        for _, obj in inspect.getmembers(module, inspect.isfunction)
        if obj.__module__ == module.__name__
    }
    return [r for r in app.routes if isinstance(r, APIRoute) and r.endpoint in page_endpoints]


class _DummyRuntime:
    """create_app only stores the runtime; listing routes needs no database."""


def test_every_page_route_has_a_sample_or_is_a_fragment() -> None:
    missing = [
        route.path
        for route in _page_routes()
        if "GET" in route.methods
        and "fragment" not in route.tags
        and route.path not in SAMPLE_PAGES
    ]
    assert missing == [], f"pages without a sample URL in SAMPLE_PAGES: {missing}"


def test_every_page_context_field_is_documented() -> None:
    undocumented = []
    for module in _page_modules():
        for name, obj in inspect.getmembers(module, dataclasses.is_dataclass):
            if not isinstance(obj, type) or not obj.__module__.startswith("allo.web.pages"):
                continue
            for f in dataclasses.fields(obj):
                if not str(f.metadata.get("help", "")).strip():
                    undocumented.append(f"{obj.__module__}.{name}.{f.name}")
    assert undocumented == []


@pytest.mark.parametrize(("route", "url"), SAMPLE_URLS)
def test_page_follows_the_layout_contract(client: Any, route: str, url: str) -> None:
    response = client.get(url, headers={"Accept": "text/html"})
    assert response.status_code == 200, url
    assert response.headers["content-type"].startswith("text/html")
    _check_layout(response.text, url, home=(route == "/"))


def test_not_found_page_is_french_and_follows_the_contract(client: Any) -> None:
    response = client.get("/cette-page-n-existe-pas", headers={"Accept": "text/html"})
    assert response.status_code == 404
    doc = _check_layout(response.text, "404", home=False)
    assert "Page non trouvée" in doc.findtext(".//h1")


def _check_layout(html: str, url: str, *, home: bool) -> Any:
    doc = lxml.html.fromstring(html)
    assert doc.get("lang") == "fr", url
    title = (doc.findtext(".//title") or "").strip()
    assert title and "Allo" in title, url
    assert len(doc.xpath("//h1")) == 1, f"{url}: exactly one h1"
    assert doc.xpath("//main[@id='contenu']"), url
    skip = doc.xpath("//div[contains(@class,'fr-skiplinks')]//a[@href='#contenu']")
    assert skip, f"{url}: skip link to the content"
    for link in doc.xpath("//div[contains(@class,'fr-skiplinks')]//a/@href"):
        assert doc.xpath(f"//*[@id='{link[1:]}']"), f"{url}: skip link target {link} missing"
    crumbs = doc.xpath("//nav[contains(@class,'fr-breadcrumb')]")
    if home:
        assert not crumbs, url
    else:
        assert len(crumbs) == 1, f"{url}: one breadcrumb"
        current = crumbs[0].xpath(".//a[@aria-current='page']")
        assert len(current) == 1, url
    ids = doc.xpath("//@id")
    assert len(ids) == len(set(ids)), (
        f"{url}: duplicate ids {sorted({i for i in ids if ids.count(i) > 1})}"
    )
    for field_ in doc.xpath(
        "//input[not(@type='hidden') and not(@type='submit')] | //select | //textarea"
    ):
        field_id = field_.get("id")
        labelled = field_.get("aria-label") or field_.get("aria-labelledby")
        assert labelled or (field_id and doc.xpath(f"//label[@for='{field_id}']")), (
            f"{url}: field {field_.get('name')} has no label"
        )
    return doc
