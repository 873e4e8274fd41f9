"""The two-level flow through the domain services, inside a rolled-back transaction."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from allo.contacts import reading, services
from allo.contacts import repository as repo
from allo.contacts.models import Agent
from allo.errors import Conflict, Forbidden, InvalidInput, NotFound
from allo.kb.escalation import load_sheets

SHEETS = load_sheets()


def new_contact(
    db: Session, question: str = "mon employeur ne paie pas mes heures supplémentaires"
) -> int:
    return services.create_contact(db, channel="phone", question=question).id


def kinds(db: Session, contact_id: int) -> list[str]:
    return [e.kind for e in repo.events(db, contact_id)]


def test_arrival_is_redacted_queued_and_timestamped(db: Session) -> None:
    contact = services.create_contact(
        db, channel="web", question="Je suis Marie Dupont, 06 12 34 56 78", commune="97105"
    )
    assert contact.queue == "niveau1" and contact.state == "waiting" and contact.level == 1
    assert "06 12" not in contact.question and "[téléphone]" in contact.question
    assert {r["kind"] for r in contact.question_redactions} == {"name", "phone"}
    assert contact.commune == "97105"
    assert kinds(db, contact.id) == ["created", "queued"]


def test_bad_arrivals(db: Session) -> None:
    with pytest.raises(InvalidInput):
        services.create_contact(db, channel="fax", question="x")
    with pytest.raises(InvalidInput, match="INSEE"):
        services.create_contact(db, channel="phone", question="x", commune="7500")
    with pytest.raises(InvalidInput, match="trop long"):
        services.create_contact(db, channel="phone", question="a" * 5001)


def test_take_next_gives_the_oldest_and_marks_the_agent_busy(
    db: Session, make_agent: Callable[..., Agent]
) -> None:
    advisor = make_agent("advisor")
    first, second = new_contact(db), new_contact(db)
    taken = services.take_next(db, advisor, "niveau1")
    assert taken is not None and taken.id == first
    assert taken.state == "taken" and taken.agent_id == advisor.id and taken.first_taken_at
    assert advisor.state == "busy"
    assert services.take_next(db, advisor, "niveau1").id == second
    # Nothing else waits in this test's transaction... unless other rows exist: drain, then None.
    while services.take_next(db, advisor, "niveau1") is not None:
        pass
    assert services.take_next(db, advisor, "niveau1") is None


def test_level1_answer_with_fiches(db: Session, make_agent: Callable[..., Agent]) -> None:
    advisor = make_agent("advisor")
    cid = new_contact(db)
    services.take(db, advisor, cid)
    services.consult(db, advisor, cid, "F2405")
    services.consult(db, advisor, cid, "F2405")
    with pytest.raises(InvalidInput, match="fiches"):
        services.answer(db, advisor, cid, [])
    contact = services.answer(
        db, advisor, cid, ["F2405", "F13887"], note="expliqué au 06 12 34 56 78"
    )
    assert contact.state == "closed" and contact.outcome == "answered"
    assert contact.fiches_consulted == ["F2405", "F13887"]
    assert contact.outcome_detail == {"fiche_ids": ["F2405", "F13887"]}
    assert contact.agent_id is None and advisor.state == "available"
    assert kinds(db, cid) == [
        "created",
        "queued",
        "taken",
        "consulted",
        "consulted",
        "noted",
        "answered",
        "closed",
    ]
    notes = repo.notes(db, cid)
    assert notes[-1].text == "expliqué au [téléphone]"
    with pytest.raises(Conflict, match="déjà clôturé"):
        services.answer(db, advisor, cid, ["F2405"])


def test_orientation_to_a_website_or_phone(db: Session, make_agent: Callable[..., Agent]) -> None:
    advisor = make_agent("advisor")
    cid = new_contact(db)
    services.take(db, advisor, cid)
    with pytest.raises(InvalidInput):
        services.orient(db, advisor, cid, services.Orientation())
    with pytest.raises(InvalidInput):
        services.orient(db, advisor, cid, services.Orientation(url="javascript:alert(1)"))
    contact = services.orient(
        db,
        advisor,
        cid,
        services.Orientation(label="Info retraite", url="https://www.info-retraite.fr"),
    )
    assert contact.outcome == "oriented"
    assert contact.outcome_detail["url"] == "https://www.info-retraite.fr"


def test_escalation_moves_the_contact_with_its_context(
    db: Session, make_agent: Callable[..., Agent]
) -> None:
    advisor = make_agent("advisor")
    specialist = make_agent("specialist", "travail")
    other = make_agent("specialist", "justice")
    cid = new_contact(db)
    services.take(db, advisor, cid)
    services.consult(db, advisor, cid, "F2405")
    services.add_note(db, advisor, cid, "appelle pour sa fille, salariée dans le commerce")
    contact = services.escalate(
        db,
        advisor,
        cid,
        sector="travail",
        answers={"statut": "salarie_prive", "convention": "oui"},
        note="heures sup non payées depuis 3 mois, M. Durand son employeur",
        suggested_sector="travail",
        sheets=SHEETS,
    )
    assert (contact.queue, contact.state, contact.level, contact.sector) == (
        "travail",
        "waiting",
        2,
        "travail",
    )
    assert contact.agent_id is None and contact.escalations == 1
    assert advisor.state == "available"

    with pytest.raises(Conflict, match="pas le vôtre"):
        services.take_next(db, other, "travail")
    with pytest.raises(Conflict, match="pas le vôtre"):
        services.take(db, other, cid)
    with pytest.raises(Forbidden):
        services.take_next(db, advisor, "travail")

    taken = services.take(db, specialist, cid)
    view = reading.view(db, specialist, cid)
    assert view.contact.question == taken.question
    assert view.contact.fiches_consulted == ["F2405"]
    assert view.contact.qualification["answers"] == {"statut": "salarie_prive", "convention": "oui"}
    assert [n.kind for n in view.notes] == ["note", "escalation"]
    assert "M. [nom]" in view.notes[-1].text
    assert [e.kind for e in view.events].count("taken") == 2
    closed = services.answer(db, specialist, cid, [])
    assert closed.outcome == "answered" and closed.level == 2 and closed.queue == "travail"


def test_escalation_checks_its_input(db: Session, make_agent: Callable[..., Agent]) -> None:
    advisor = make_agent("advisor")
    cid = new_contact(db)
    services.take(db, advisor, cid)
    with pytest.raises(InvalidInput, match="Secteur inconnu"):
        services.escalate(db, advisor, cid, sector="sport", answers={}, note="x", sheets=SHEETS)
    with pytest.raises(InvalidInput, match="pas de question"):
        services.escalate(
            db, advisor, cid, sector="travail", answers={"age": "x"}, note="x", sheets=SHEETS
        )
    with pytest.raises(InvalidInput, match="inconnue"):
        services.escalate(
            db,
            advisor,
            cid,
            sector="travail",
            answers={"statut": "martien"},
            note="x",
            sheets=SHEETS,
        )
    with pytest.raises(InvalidInput, match="note"):
        services.escalate(db, advisor, cid, sector="travail", answers={}, note=" ", sheets=SHEETS)
    # Nothing moved after the refusals.
    assert repo.contact(db, cid).queue == "niveau1"


def test_the_caller_s_agreement_travels_with_the_escalation_and_a_redirect(
    db: Session, make_agent: Callable[..., Agent]
) -> None:
    advisor = make_agent("advisor")
    travail = make_agent("specialist", "travail")
    cid = new_contact(db, "prime de fin d'année dans la banque")
    services.take(db, advisor, cid)

    def escalate(agreement: services.CallerAgreement) -> None:
        services.escalate(
            db,
            advisor,
            cid,
            sector="travail",
            answers={},
            note="n",
            sheets=SHEETS,
            agreement=agreement,
        )

    for wrong, message in (
        (services.CallerAgreement("21a0", "Banque"), "IDCC invalide"),
        (services.CallerAgreement("2120", " "), "titre"),
        (services.CallerAgreement("2120", "Banque", "javascript:alert(1)"), "https://"),
    ):
        with pytest.raises(InvalidInput, match=message):
            escalate(wrong)
        assert repo.contact(db, cid).queue == "niveau1"  # nothing moved
    banque = services.CallerAgreement.from_idcc(" 2120")
    assert banque is not None and banque.idcc == "2120"
    assert banque.title == "Convention collective nationale de la banque"
    assert banque.url.startswith("https://www.legifrance.gouv.fr/")
    assert services.CallerAgreement.from_idcc("") is None
    with pytest.raises(InvalidInput, match="Convention collective inconnue"):
        services.CallerAgreement.from_idcc("9999")
    escalate(banque)
    assert repo.contact(db, cid).qualification["agreement"] == banque.as_dict()
    services.take(db, travail, cid)
    services.redirect(db, travail, cid, sector="justice", reason="litige", sheets=SHEETS)
    assert repo.contact(db, cid).qualification["agreement"]["idcc"] == "2120"
    # chosen during the contact, before the escalation: kept, and sent with it
    later = new_contact(db, "jours de congé dans le sport")
    services.take(db, advisor, later)
    sport = services.CallerAgreement("2511", "Convention collective nationale du sport")
    services.set_agreement(db, advisor, later, banque)
    services.set_agreement(db, advisor, later, sport)  # the caller corrects himself
    assert repo.contact(db, later).qualification == {"agreement": sport.as_dict()}
    with pytest.raises(Conflict):
        services.set_agreement(db, travail, later, banque)  # not the holder
    services.escalate(db, advisor, later, sector="travail", answers={}, note="n", sheets=SHEETS)
    assert repo.contact(db, later).qualification["agreement"]["idcc"] == "2511"
    unknown = new_contact(db, "prime")
    services.take(db, advisor, unknown)
    services.set_agreement(db, advisor, unknown, sport)
    services.set_agreement(db, advisor, unknown, None)  # « Non précisée »
    assert "agreement" not in repo.contact(db, unknown).qualification
    # an escalation without a choice records none
    other = new_contact(db, "congés payés")
    services.take(db, advisor, other)
    services.escalate(db, advisor, other, sector="travail", answers={}, note="cp", sheets=SHEETS)
    assert "agreement" not in repo.contact(db, other).qualification
    assert "agreement" not in kinds(db, other)


def test_the_caller_s_agreement_is_a_step_of_the_timeline_when_it_changes(
    db: Session, make_agent: Callable[..., Agent]
) -> None:
    advisor = make_agent("advisor")
    cid = new_contact(db, "prime de fin d'année")
    services.take(db, advisor, cid)
    banque = services.CallerAgreement.from_idcc("2120")
    sport = services.CallerAgreement.from_idcc("2511")
    assert banque is not None and sport is not None
    services.set_agreement(db, advisor, cid, banque)
    services.set_agreement(db, advisor, cid, banque)  # the picker posted it again: no new step
    services.set_agreement(db, advisor, cid, None)  # « Non précisée »
    services.set_agreement(db, advisor, cid, None)
    services.set_agreement(db, advisor, cid, sport)

    def steps(contact_id: int) -> list[tuple[str | None, int | None]]:
        return [
            (e.data.get("idcc"), e.agent_id)
            for e in repo.events(db, contact_id)
            if e.kind == "agreement"
        ]

    assert steps(cid) == [("2120", advisor.id), (None, advisor.id), ("2511", advisor.id)]
    # the escalation sends the one chosen: no step; a new one given with it: one step
    services.escalate(db, advisor, cid, sector="travail", answers={}, note="n", sheets=SHEETS)
    assert len(steps(cid)) == 3
    later = new_contact(db, "prime")
    services.take(db, advisor, later)
    services.escalate(
        db, advisor, later, sector="travail", answers={}, note="n", sheets=SHEETS, agreement=banque
    )
    assert steps(later) == [("2120", advisor.id)]
    assert kinds(db, later).index("agreement") < kinds(db, later).index("escalated")


def test_redirect_and_return_to_level1(db: Session, make_agent: Callable[..., Agent]) -> None:
    advisor = make_agent("advisor")
    travail = make_agent("specialist", "travail")
    justice = make_agent("specialist", "justice")
    cid = new_contact(db, "mon ex ne paie plus la pension alimentaire")
    services.take(db, advisor, cid)
    services.escalate(db, advisor, cid, sector="travail", answers={}, note="pension", sheets=SHEETS)
    services.take(db, travail, cid)
    with pytest.raises(Conflict):
        services.escalate(db, travail, cid, sector="justice", answers={}, note="x", sheets=SHEETS)
    moved = services.redirect(
        db, travail, cid, sector="justice", reason="pension alimentaire", sheets=SHEETS
    )
    assert (moved.queue, moved.sector, moved.escalations, moved.state) == (
        "justice",
        "justice",
        2,
        "waiting",
    )
    services.take(db, justice, cid)
    back = services.return_to_level1(db, justice, cid, reason="simple question de montant")
    assert (back.queue, back.level, back.state) == ("niveau1", 1, "waiting")
    assert [n.kind for n in repo.notes(db, cid)] == ["escalation", "redirect", "return"]
    assert "redirected" in kinds(db, cid) and "returned" in kinds(db, cid)


def test_only_the_holder_acts(db: Session, make_agent: Callable[..., Agent]) -> None:
    a, b = make_agent("advisor"), make_agent("advisor")
    editor = make_agent("editor")
    cid = new_contact(db)
    with pytest.raises(Conflict, match="prenez-le"):
        services.consult(db, a, cid, "F1")
    services.take(db, a, cid)
    with pytest.raises(Conflict, match="autre agent"):
        services.answer(db, b, cid, ["F1"])
    with pytest.raises(Conflict, match="n'est plus en attente"):
        services.take(db, b, cid)
    with pytest.raises(Forbidden):
        services.take_next(db, editor, "niveau1")
    with pytest.raises(NotFound):
        services.take(db, a, 10**9)
    with pytest.raises(NotFound):
        services.take_next(db, a, "nowhere")
    released = services.release(db, a, cid)
    assert released.state == "waiting" and released.queue == "niveau1"


def test_visibility_by_role(db: Session, make_agent: Callable[..., Agent]) -> None:
    advisor = make_agent("advisor")
    supervisor = make_agent("supervisor")
    justice = make_agent("specialist", "justice")
    editor = make_agent("editor")
    cid = new_contact(db)
    assert reading.view(db, supervisor, cid).contact.id == cid
    assert reading.view(db, advisor, cid).contact.id == cid
    with pytest.raises(Forbidden):
        reading.view(db, justice, cid)
    with pytest.raises(Forbidden):
        reading.view(db, editor, cid)


def test_abandon_only_while_waiting(db: Session, make_agent: Callable[..., Agent]) -> None:
    advisor = make_agent("advisor")
    waiting = services.create_contact(db, channel="phone")
    assert services.abandon(db, waiting)
    assert (waiting.state, waiting.outcome) == ("abandoned", "abandoned")
    assert "waited_seconds" in waiting.outcome_detail
    held = services.create_contact(db, channel="phone")
    services.take(db, advisor, held.id)
    assert not services.abandon(db, held)
    assert held.state == "taken"


def test_queue_overview(db: Session, make_agent: Callable[..., Agent]) -> None:
    before = {q.queue: q.waiting for q in reading.queue_overview(db)}
    new_contact(db)
    new_contact(db)
    after = {q.queue: q for q in reading.queue_overview(db)}
    assert set(after) == {
        "niveau1",
        "interieur",
        "travail",
        "consommation",
        "justice",
        "fiscalite",
        "logement",
    }
    assert after["niveau1"].waiting == before["niveau1"] + 2
    assert (
        after["niveau1"].oldest_wait_seconds is not None
        and after["niveau1"].oldest_wait_seconds >= 0
    )


def test_orientation_to_a_directory_office(db: Session, make_agent: Callable[..., Agent]) -> None:
    from allo.directory.models import Office

    db.add(
        Office(
            id="mairie-99999-01",
            type="mairie",
            name="Mairie de Testville",
            insee="99999",
            departement="99",
            content_hash="0" * 64,
        )
    )
    db.flush()
    advisor = make_agent("advisor")
    cid = new_contact(db)
    services.take(db, advisor, cid)
    # The directory is loaded: an unknown office is refused, a known one gets its name.
    with pytest.raises(InvalidInput, match="annuaire"):
        services.orient(db, advisor, cid, services.Orientation(office_id="nulle-part"))
    contact = services.orient(db, advisor, cid, services.Orientation(office_id="mairie-99999-01"))
    assert contact.outcome_detail["office_id"] == "mairie-99999-01"
    assert contact.outcome_detail["label"] == "Mairie de Testville"


def test_held_contact_is_found_by_its_holder_with_the_agent_index(
    db: Session, make_agent: Callable[..., Agent], backend: str
) -> None:
    advisor, other = make_agent("advisor"), make_agent("advisor")
    contact_id = new_contact(db)
    assert repo.held_contact(db, advisor.id, ["niveau1"]) is None
    services.take(db, advisor, contact_id)
    assert repo.held_contact(db, advisor.id, ["niveau1"]).id == contact_id
    assert repo.held_contact(db, other.id, ["niveau1"]) is None
    assert repo.held_contact(db, advisor.id, ["travail"]) is None
    services.release(db, advisor, contact_id)
    assert repo.held_contact(db, advisor.id, ["niveau1"]) is None
    if backend == "sqlite":
        from sqlalchemy import text

        plan = db.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT id FROM contact WHERE agent_id = 1 AND state = 'taken' "
                "AND queue IN ('niveau1') ORDER BY taken_at, id LIMIT 1"
            )
        ).all()
        assert any("ix_contact_agent_id" in str(row) for row in plan), plan
