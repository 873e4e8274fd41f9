"""The editors' watch: a change report's fiche items ranked by what the service relies on —
adaptations, links from local fiches and escalation sheets, the advisors' consultations."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from allo.contacts import agents as agents_domain
from allo.contacts.models import Contact, ContactEvent
from allo.contacts.repository import consulted_counts
from allo.db.base import utcnow
from allo.errors import InvalidInput, NotFound
from allo.kb import changes, watch
from allo.kb.escalation import BUNDLED_DIR, load_sheets
from allo.kb.local import services as local
from tests.contacts.flow_helpers import PASSWORD

CARTE_GRISE = "F1726"


def _report(db: Session, *ids: str) -> int:
    items = [
        changes.ItemDraft(
            domain="fiche",
            action="changed" if i % 2 else "new",
            object_id=fiche_id,
            title=f"Fiche {fiche_id}",
            theme="Transports" if fiche_id.startswith("F") else "Travail",
            audiences=["particuliers"] if i % 3 else ["professionnels"],
            fields=["text"],
            diff="-ancien texte\n+nouveau texte",
        )
        for i, fiche_id in enumerate(ids)
    ]
    items.append(changes.ItemDraft(domain="office", action="new", object_id="mairie-1"))
    return changes.record(db, "kb-import", items, domains=["fiche", "office"]).id


def _consult(db: Session, fiche_id: str, times: int, days_ago: int = 1) -> None:
    contact = Contact(channel="phone", question="")
    db.add(contact)
    db.flush()
    for _ in range(times):
        db.add(
            ContactEvent(
                contact_id=contact.id,
                at=utcnow() - timedelta(days=days_ago),
                kind="consulted",
                queue="niveau1",
                data={"fiche_id": fiche_id},
            )
        )
    db.flush()


@pytest.fixture
def editor(db: Session) -> object:
    return agents_domain.create_agent(db, "veille-ed", "editor", PASSWORD)


def test_items_that_touch_the_service_come_first_with_their_reasons(
    db: Session, editor: object, tmp_path: Path
) -> None:
    adapted = local.adapt(db, editor, CARTE_GRISE)  # type: ignore[arg-type]
    local.create(  # a local fiche linking to F1342 from its body
        db,
        editor,  # type: ignore[arg-type]
        {"title": "Carte d'identité (téléphone)", "body": "Voir [la fiche](fiche:F1342)."},
    )
    sheet = json.loads((BUNDLED_DIR / "justice.json").read_text(encoding="utf-8"))
    sheet["definition"] += " Voir https://www.service-public.fr/particuliers/vosdroits/F2203."
    (tmp_path / "justice.json").write_text(json.dumps(sheet), encoding="utf-8")
    sheets = load_sheets(tmp_path)
    _consult(db, "F10029", 7)
    _consult(db, "F10029", 50, days_ago=40)  # outside the 30 days: not counted
    report = _report(db, "F9999", CARTE_GRISE, "F10029", "F1342", "F2203")

    ranked = watch.prioritised(db, report, sheets=sheets, consulted=consulted_counts)
    order = [r.item.object_id for r in ranked]
    assert order[0] == CARTE_GRISE and order[-1] == "F9999"
    assert set(order[1:3]) == {"F1342", "F2203"} and order[3] == "F10029"
    reasons = {r.item.object_id: [x.label for x in r.reasons] for r in ranked}
    assert reasons[CARTE_GRISE][0] == "fiche adaptée par le service"
    assert adapted.id in ranked[0].reasons[0].detail
    assert reasons["F1342"] == ["liée depuis une fiche du service"]
    assert reasons["F2203"] == ["liée depuis une fiche d'escalade"]
    assert ranked[order.index("F2203")].reasons[0].detail == sheet["label"]
    assert reasons["F10029"] == ["consultée 7 fois en 30 jours"]
    assert reasons["F9999"] == [] and not ranked[-1].relevant
    assert "mairie-1" not in order  # offices are not fiches

    relevant = watch.prioritised(
        db, report, sheets=sheets, relevant_only=True, consulted=consulted_counts
    )
    assert [r.item.object_id for r in relevant] == order[:4]
    # without the sheets, the escalation link is not known
    assert watch.prioritised(db, report, consulted=consulted_counts)[-1].reasons == []
    # the consultations are the contacts domain's, counted by the function the caller passes
    alone = watch.prioritised(db, report, sheets=sheets, consulted=None)
    assert {r.item.object_id: r.reasons for r in alone}["F10029"] == []


def test_filters_by_theme_audience_action_and_unseen(db: Session) -> None:
    report = _report(db, "F1", "F2", "F3", "F4", "N5")
    assert [
        r.item.object_id
        for r in watch.prioritised(db, report, theme="Travail", consulted=consulted_counts)
    ] == ["N5"]
    pros = watch.prioritised(db, report, audience="professionnels", consulted=consulted_counts)
    assert {r.item.object_id for r in pros} == {"F1", "F4"}
    assert {
        r.item.object_id
        for r in watch.prioritised(db, report, action="changed", consulted=consulted_counts)
    } == {
        "F2",
        "F4",
    }
    themes, audiences = watch.facets(db, report)
    assert themes == ["Transports", "Travail"] and audiences == ["particuliers", "professionnels"]
    first = watch.prioritised(db, report, consulted=consulted_counts)[0].item.id
    assert watch.mark_report_seen(db, report, None, [first]) == 1
    assert first not in {
        r.item.id for r in watch.prioritised(db, report, unseen=True, consulted=consulted_counts)
    }
    with pytest.raises(InvalidInput):
        watch.prioritised(db, report, action="deleted", consulted=consulted_counts)
    with pytest.raises(NotFound):
        watch.prioritised(db, 2_000_000_000, consulted=consulted_counts)


def test_marking_a_whole_report_and_the_unseen_relevant_count(db: Session) -> None:
    before = watch.unseen_relevant_count(db, consulted=consulted_counts)
    _consult(db, "F77777", 3)
    report = _report(db, "F77777", "F88888")
    other = _report(db, "F77777")
    assert (
        watch.unseen_relevant_count(db, consulted=consulted_counts) == before + 2
    )  # F77777 in both reports
    # ids of another report are ignored
    other_item = watch.prioritised(db, other, consulted=consulted_counts)[0].item.id
    assert watch.mark_report_seen(db, report, None, [other_item]) == 0
    assert watch.mark_report_seen(db, report, None) == 3  # two fiches and the office
    assert watch.mark_report_seen(db, report, None) == 0  # already seen: first reader kept
    assert watch.unseen_relevant_count(db, consulted=consulted_counts) == before + 1
    assert all(r.item.seen for r in watch.prioritised(db, report, consulted=consulted_counts))


def test_sheet_fiche_ids_reads_ids_and_official_addresses() -> None:
    bundled = watch.sheet_fiche_ids(load_sheets())
    assert all(k[0] in "FNR" for k in bundled)


def test_the_dashboard_count_is_a_count_query(db: Session) -> None:
    """The unseen relevant items are counted by the database, never read one by one."""
    from sqlalchemy import event

    _consult(db, "F77777", 3)
    _report(db, "F77777", "F88888", "F99999")
    expected = sum(
        1
        for r in watch.prioritised(
            db, changes.list_reports(db, limit=1)[0].id, unseen=True, consulted=consulted_counts
        )
        if r.relevant
    )
    statements: list[str] = []
    engine = db.get_bind()
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        count = watch.unseen_relevant_count(db, consulted=consulted_counts)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert count >= expected >= 1
    on_items = [s for s in statements if "kb_change_items" in s]
    assert on_items and all("count(" in s.lower() for s in on_items)
