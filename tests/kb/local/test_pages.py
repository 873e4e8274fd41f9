"""The editors' pages: dashboard, editor with preview, save/conflict/bad input, review actions,
history and diffs; only editors get in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import lxml.html
from sqlalchemy.orm import Session

from allo.contacts.models import Agent
from allo.kb.local import services
from allo.kb.local.services import REVIEW_AFTER, Policy
from tests.kb.local.conftest import CARTE_GRISE, content

HTML = {"Accept": "text/html"}


def _form(**overrides: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Carte grise perdue (téléphone)",
        "summary": "Duplicata en ligne.",
        "audiences": ["particuliers"],
        "sector": "interieur",
        "body": "## Démarche\n\n::: attention\nPlainte en cas de vol.\n:::\n",
        "advisor_note": "Vol ou perte ? Qualifier d'abord.",
        "related": CARTE_GRISE,
        "pivots": "prefecture",
        "services": "ANTS | https://immatriculation.ants.gouv.fr",
        "base_version": "0",
    }
    data.update(overrides)
    return data


def _layout_ok(html: str) -> Any:
    doc = lxml.html.fromstring(html)
    assert doc.get("lang") == "fr" and len(doc.xpath("//h1")) == 1
    assert doc.xpath("//main[@id='contenu']") and doc.xpath(
        "//nav[contains(@class,'fr-breadcrumb')]"
    )
    return doc


def test_only_editors_reach_the_pages(client: Any, login: Callable[[str], Any]) -> None:
    anonymous = client.get("/redaction", headers=HTML, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/connexion")
    login("conseil1")
    assert client.get("/redaction", headers=HTML).status_code == 403
    assert client.post("/redaction/fiches", data=_form(), headers=HTML).status_code == 403


def test_write_submit_review_and_publish_through_the_pages(
    client: Any, login: Callable[[str], Any]
) -> None:
    login("redaction")
    board = client.get("/redaction", headers=HTML)
    assert board.status_code == 200 and "À relire" in board.text
    _layout_ok(board.text)
    _layout_ok(client.get("/redaction/fiches/nouvelle", headers=HTML).text)
    created = client.post("/redaction/fiches", data=_form(), follow_redirects=False)
    assert created.status_code == 303, created.text[:500]
    url = created.headers["location"].split("?")[0]
    page = client.get(url, headers=HTML)
    doc = _layout_ok(page.text)
    assert doc.xpath("//div[@id='apercu']//div[contains(@class,'allo-callout--attention')]")
    saved = client.post(
        url, data=_form(summary="Duplicata en ligne sur le site de l'ANTS.", base_version="1")
    )
    assert saved.status_code == 200 and "Nouvelle version enregistrée" in saved.text
    # a stale form (based on version 1) is refused with what changed, the text kept in the form
    stale = client.post(url, data=_form(summary="Mon résumé à moi", base_version="1"), headers=HTML)
    assert stale.status_code == 409 and "modifiée entre-temps" in stale.text
    assert "Mon résumé à moi" in stale.text and "allo-diff__ins" in stale.text
    # bad input: a French message, the too long text comes back, nothing stored
    huge = client.post(url, data=_form(body="a" * 300_000, base_version="2"), headers=HTML)
    assert huge.status_code == 422 and "trop long" in huge.text
    # beyond the form body limit, the request is refused before it is read (French 413)
    too_big = client.post(url, data=_form(body="a" * 1_100_000, base_version="2"), headers=HTML)
    assert too_big.status_code == 413 and "trop volumineuses" in too_big.text
    unknown = client.post(url, data=_form(related="F999999999", base_version="2"), headers=HTML)
    assert unknown.status_code == 422 and "Fiche inconnue" in unknown.text
    assert client.post(f"{url}/soumettre").status_code == 200
    refused = client.post(f"{url}/publier", headers=HTML)
    assert refused.status_code == 403 and "second rédacteur" in refused.text
    history = client.get(f"{url}/historique", headers=HTML)
    _layout_ok(history.text)
    assert "Création" in history.text
    client.cookies.clear()
    login("redaction2")
    diff = client.get(f"{url}/diff?de=1&a=2", headers=HTML)
    _layout_ok(diff.text)
    assert "<ins" in diff.text and "ANTS" in diff.text
    published = client.post(f"{url}/publier")
    assert published.status_code == 200 and "Fiche publiée" in published.text


def test_preview_renders_with_the_real_renderer_and_sanitises(
    client: Any, login: Callable[[str], Any]
) -> None:
    login("redaction")
    body = "::: cas Perte\nTexte <script>alert(1)</script> [x](javascript:alert(1))\n:::\n"
    response = client.post("/redaction/apercu", data={"body": body})
    assert response.status_code == 200
    assert "fr-accordion" in response.text and "<script" not in response.text
    assert 'href="javascript' not in response.text
    too_big = client.post("/redaction/apercu", data={"body": "a" * 300_000})
    assert "suspendu" in too_big.text


def test_adapt_from_the_dashboard_and_french_error_for_unknown(
    client: Any, login: Callable[[str], Any]
) -> None:
    login("redaction")
    adapted = client.post("/redaction/adapter", data={"fiche": CARTE_GRISE}, follow_redirects=False)
    assert adapted.status_code == 303
    page = client.get(adapted.headers["location"], headers=HTML)
    assert "Source à jour" in page.text and "duplicata" in page.text
    missing = client.post("/redaction/adapter", data={"fiche": "F0"}, headers=HTML)
    assert missing.status_code == 404 and "introuvable" in missing.text


def test_cross_site_posts_are_refused(client: Any, login: Callable[[str], Any]) -> None:
    login("redaction")
    response = client.post(
        "/redaction/fiches", data=_form(), headers={**HTML, "Origin": "https://evil.example"}
    )
    assert response.status_code == 403


def test_overdue_reviews_follow_the_service_day_not_utc(
    client: Any,
    login: Callable[[str], Any],
    db: Session,
    editor: Agent,
    reviewer: Agent,
    policy: Policy,
    service_clock: Callable[[datetime], None],
) -> None:
    """At 00:30 in Paris on 4 December it is still 3 December in UTC: a fiche to review by the
    3rd is late for the editors, who work on Paris days."""
    fiche = services.create(db, editor, content(review_by="2026-12-03"))
    services.submit(db, editor, fiche.id)
    services.publish(db, reviewer, fiche.id, policy, today=date(2026, 12, 1))
    db.commit()
    login("redaction")

    def late_list(now: datetime) -> list[str]:
        service_clock(now)
        doc = lxml.html.fromstring(client.get("/redaction", headers=HTML).text)
        section = doc.xpath("//h2[@id='a-revoir']/..")[0]
        return [a.text_content() for a in section.xpath(".//a")]

    assert not any(fiche.title in t for t in late_list(datetime(2026, 12, 3, 22, 30, tzinfo=UTC)))
    assert any(fiche.title in t for t in late_list(datetime(2026, 12, 3, 23, 30, tzinfo=UTC)))


def test_a_review_date_set_by_the_publish_button_counts_from_the_service_day(
    client: Any,
    login: Callable[[str], Any],
    db: Session,
    editor: Agent,
    service_clock: Callable[[datetime], None],
) -> None:
    """Published at 00:30 in Paris on 1 July, still 30 June in UTC: to review a year after the
    1st of July (the page used to count from UTC's day)."""
    fiche = services.create(db, editor, content())
    services.submit(db, editor, fiche.id)
    db.commit()
    login("redaction2")
    service_clock(datetime(2025, 6, 30, 22, 30, tzinfo=UTC))
    published = client.post(f"/redaction/fiches/{fiche.id}/publier", headers=HTML)
    assert published.status_code == 200 and "Fiche publiée" in published.text
    db.expire_all()
    assert services.get(db, fiche.id).review_by == date(2025, 7, 1) + REVIEW_AFTER


def test_the_history_dates_each_version_in_the_service_s_time_zone(
    client: Any, login: Callable[[str], Any], db: Session, editor: Agent
) -> None:
    """Saved at 8 h 05 UTC on 14 July: 10 h 05 in Paris, as the editors remember it."""
    fiche = services.create(db, editor, content())
    for version in services.versions(db, fiche.id):
        version.created_at = datetime(2026, 7, 14, 8, 5, tzinfo=UTC)
    db.commit()
    login("redaction")
    doc = _layout_ok(client.get(f"/redaction/fiches/{fiche.id}/historique", headers=HTML).text)
    cells = [" ".join(td.text_content().split()) for td in doc.xpath("//table//td")]
    assert "14 juillet 2026 à 10 h 05" in cells
