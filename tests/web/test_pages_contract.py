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

#: Sample URLs of each page route (bundled data), with and without their optional parameters.
SAMPLE_PAGES: dict[str, list[str]] = {
    "/": ["/"],
    "/recherche": ["/recherche", "/recherche?q=carte+grise+perdue", "/recherche?q=zzqxw"],
    "/fiches/{fiche_id}": ["/fiches/F1726", "/fiches/F1726?place=42000", "/fiches/F12006"],
    "/ou-s-adresser": ["/ou-s-adresser", "/ou-s-adresser?place=42000&type=caf"],
    "/connexion": ["/connexion"],
    "/poser-une-question": ["/poser-une-question", "/poser-une-question?fiche=F1726"],
    "/accessibilite": ["/accessibilite"],
    "/mentions-legales": ["/mentions-legales"],
    "/donnees-personnelles": ["/donnees-personnelles"],
    "/plan-du-site": ["/plan-du-site"],
}
#: Agents' pages, checked logged in as the role that uses them.
AGENT_PAGES: dict[str, tuple[str, list[str]]] = {
    "/console": ("advisor", ["/console", "/console?q=licenciement&fiche=F1726"]),
    "/specialiste": ("specialist", ["/specialiste", "/specialiste?q=salaire"]),
    "/supervision": ("supervisor", ["/supervision"]),
    "/redaction": ("editor", ["/redaction"]),
    "/redaction/fiches/nouvelle": ("editor", ["/redaction/fiches/nouvelle"]),
    "/redaction/escalade": ("editor", ["/redaction/escalade"]),
    "/redaction/escalade/{sheet_id}": (
        "editor",
        ["/redaction/escalade/justice", "/redaction/escalade/niveau1?fait=publier"],
    ),
    "/redaction/signalements": (
        "editor",
        ["/redaction/signalements", "/redaction/signalements?etat=all"],
    ),
    "/redaction/manques": (
        "editor",
        ["/redaction/manques", "/redaction/manques?jours=14&origine=portail_sans_resultat"],
    ),
    "/redaction/veille": ("editor", ["/redaction/veille"]),
    "/redaction/articles": (
        "editor",
        [
            "/redaction/articles",
            "/redaction/articles?article=L1224-1",
        ],
    ),
    "/supervision/effectifs": (
        "supervisor",
        ["/supervision/effectifs", "/supervision/effectifs?jour=2031-12-25"],
    ),
}
#: Pages checked by a test of their own (they need state first).
OTHER_PAGES = {
    "/ma-question": "test_private_answer_page_follows_the_layout_contract",
    # tests/kb/local/test_pages.py: a local fiche is written first
    "/redaction/fiches/{fiche_id}": "test_write_submit_review_and_publish_through_the_pages",
    "/redaction/fiches/{fiche_id}/historique": "test_write_submit_review_and_publish_through_the_pages",
    "/redaction/fiches/{fiche_id}/diff": "test_write_submit_review_and_publish_through_the_pages",
    # tests/kb/local/test_sheet_pages.py: the JSON export of a sheet (a download, not a page)
    "/redaction/escalade/{sheet_id}/json": "test_the_sheet_question_by_question",
    # tests/web/test_watch_pages.py: a change report is recorded first
    "/redaction/veille/{report_id}": "test_relevant_items_first_with_escaped_marked_diff",
}
#: Path prefixes of the routes reserved to agents.
AGENT_PREFIXES = ("/console", "/specialiste", "/supervision")
SAMPLE_URLS = [(route, url) for route, urls in SAMPLE_PAGES.items() for url in urls]


def _page_modules() -> list[Any]:
    return [
        importlib.import_module(f"allo.web.pages.{info.name}")
        for info in pkgutil.iter_modules(allo.web.pages.__path__)
    ]


def _page_routes() -> list[APIRoute]:
    """Every route of every page module's router (what the app factory mounts)."""
    routes = [
        route
        for module in _page_modules()
        for route in getattr(getattr(module, "router", None), "routes", [])
        if isinstance(route, APIRoute)
    ]
    assert len(routes) > 20
    return routes


def test_every_page_route_has_a_sample_or_is_a_fragment() -> None:
    missing = [
        route.path
        for route in _page_routes()
        if "GET" in route.methods
        and "fragment" not in route.tags
        and route.path not in SAMPLE_PAGES
        and route.path not in AGENT_PAGES
        and route.path not in OTHER_PAGES
    ]
    assert missing == [], f"pages without a sample URL in SAMPLE_PAGES: {missing}"


# A fragment's URL opened outside htmx (reload, shared link, new tab) → the page it belongs to.
FRAGMENT_PAGES: dict[str, tuple[str | None, str, str]] = {
    "/console/recherche": (
        "advisor",
        "/console/recherche?q=impôt&idcc=2120&console=/console",
        "/console?q=imp%C3%B4t&idcc=2120",
    ),
    "/console/fiches/{fiche_id}": (
        "specialist",
        "/console/fiches/F1726?console=/specialiste",
        "/specialiste?fiche=F1726",
    ),
    "/console/orientation": (
        "advisor",
        "/console/orientation?lieu=42000&type=caf&fiche=F1726&console=/console",
        "/console?fiche=F1726&lieu=42000&type=caf",
    ),
    "/console/escalade": (
        "advisor",
        "/console/escalade?secteur=travail",
        "/console?secteur=travail",
    ),
    "/console/files": ("specialist", "/console/files?console=/specialiste", "/specialiste"),
    "/supervision/direct": ("supervisor", "/supervision/direct", "/supervision"),
    "/fiches/{fiche_id}/ou-s-adresser": (
        None,
        "/fiches/F1726/ou-s-adresser?place=42000",
        "/fiches/F1726?place=42000#ou-s-adresser",
    ),
    "/recherche/suggestions": (
        None,
        "/recherche/suggestions?q=carte gr&audience=particuliers",
        "/recherche?q=carte+gr&audience=particuliers",
    ),
}


def test_every_fragment_opened_directly_has_its_page() -> None:
    fragments = {
        route.path
        for route in _page_routes()
        if "fragment" in route.tags and "GET" in route.methods
    }
    assert fragments == set(FRAGMENT_PAGES)


@pytest.mark.parametrize(("role", "url", "page"), FRAGMENT_PAGES.values())
def test_fragment_opened_directly_sends_to_its_page(
    client: Any, login: Any, role: str | None, url: str, page: str
) -> None:
    if role:
        login(role)
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text, url
    direct = client.get(url, headers={"Accept": "text/html"}, follow_redirects=False)
    assert direct.status_code == 303, url
    assert direct.headers["location"] == page
    whole = client.get(page.split("#")[0], headers={"Accept": "text/html"})
    assert whole.status_code == 200, page
    _check_layout(whole.text, page, home=False)


def test_a_fragment_opened_directly_never_leaves_the_site(login: Any) -> None:
    client = login("advisor")
    for console in ("https://exemple.invalid", "//exemple.invalid", "/connexion"):
        response = client.get(
            "/console/recherche",
            params={"q": "caf", "console": console},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/console?q=caf", console


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


@pytest.mark.parametrize(
    ("role", "url"), [(role, url) for role, urls in AGENT_PAGES.values() for url in urls]
)
def test_agent_page_follows_the_layout_contract(login: Any, role: str, url: str) -> None:
    response = login(role).get(url, headers={"Accept": "text/html"})
    assert response.status_code == 200, url
    _check_layout(response.text, url, home=False)


def test_private_answer_page_follows_the_layout_contract(client: Any) -> None:
    sent = client.post(
        "/poser-une-question", data={"question": "Ma question"}, follow_redirects=False
    )
    url = sent.headers["location"]
    response = client.get(url, headers={"Accept": "text/html"})
    assert response.status_code == 200
    _check_layout(response.text, url, home=False)


def _agent_routes() -> list[tuple[str, str]]:
    return sorted(
        (method, route.path)
        for route in _page_routes()
        if route.path.startswith(AGENT_PREFIXES)
        for method in route.methods
    )


def test_agent_routes_are_listed() -> None:
    paths = {path for _method, path in _agent_routes()}
    assert {"/console", "/specialiste", "/supervision", "/console/suivant"} <= paths


@pytest.mark.parametrize(("method", "path"), _agent_routes())
def test_every_agent_route_requires_a_role(client: Any, login: Any, method: str, path: str) -> None:
    url = path.format(contact_id=1, fiche_id="F1726")
    anonymous = client.request(method, url, headers={"Accept": "text/html"}, follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/connexion?suivant=")
    by_htmx = client.request(method, url, headers={"HX-Request": "true"}, follow_redirects=False)
    assert by_htmx.status_code == 401 and by_htmx.headers["hx-redirect"].startswith("/connexion")
    editor = login("editor").request(
        method, url, headers={"Accept": "text/html"}, follow_redirects=False
    )
    assert editor.status_code == 403, f"{method} {url} lets an editor in"


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
