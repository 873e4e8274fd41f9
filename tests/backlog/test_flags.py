"""Flags from the floor: recorded with a redacted note and the contact's theme, handled once by an
editor, each role kept to its part."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from allo.backlog import flags
from allo.backlog.flags import NewFlag
from allo.errors import Conflict, Forbidden, InvalidInput, NotFound
from allo.privacy.models import AuditEntry

FICHE = "F1726"


def test_a_flag_keeps_a_redacted_note_and_the_contacts_theme_not_its_text(
    db: Session, make_agent: Callable[..., Any], make_contact: Callable[..., Any]
) -> None:
    specialist = make_agent("specialist", "travail")
    contact = make_contact(
        "Question privée", outcome=None, theme="Travail", sector="travail", agent=specialist
    )
    contact.state = "taken"
    flag = flags.create(
        db,
        specialist,
        NewFlag(
            kind="incomplete",
            fiche_id=FICHE,
            note="Rappeler au 06 12 34 56 78 ou jean.dupont@example.org : cas manquant",
            contact_id=contact.id,
        ),
    )
    assert flag.note == "Rappeler au [téléphone] ou [courriel] : cas manquant"
    assert [r["kind"] for r in flag.note_redactions] == ["phone", "email"]
    assert flags.redaction_summary(flag).startswith("2 éléments masqués")
    assert (flag.theme, flag.sector, flag.state) == ("Travail", "travail", "open")
    assert flag.fiche_title  # a snapshot of the title, for a list that outlives the fiche
    assert "Question privée" not in str(flags.as_dict(flag))
    entry = db.scalars(select(AuditEntry).where(AuditEntry.object_type == "fiche_flag")).one()
    assert entry.detail == {"kind": "incomplete", "fiche": FICHE}


@pytest.mark.parametrize(
    ("new", "error", "message"),
    [
        (NewFlag(kind="faux", fiche_id=FICHE), InvalidInput, "Type de signalement inconnu"),
        (NewFlag(kind="obsolete"), InvalidInput, "Indiquez la fiche"),
        (NewFlag(kind="manque", note="   "), InvalidInput, "Décrivez"),
        (NewFlag(kind="a_corriger", fiche_id="F0000000"), NotFound, "introuvable"),
        (NewFlag(kind="a_corriger", fiche_id=FICHE, note="x" * 501), InvalidInput, "trop longue"),
        (NewFlag(kind="a_corriger", fiche_id=FICHE, contact_id=99_999_999), NotFound, "Contact"),
    ],
)
def test_bad_flags_get_a_french_error_and_store_nothing(
    db: Session, make_agent: Callable[..., Any], new: NewFlag, error: type, message: str
) -> None:
    advisor = make_agent("advisor")
    with pytest.raises(error, match=message):
        flags.create(db, advisor, new)
    assert flags.list_mine(db, advisor) == []


def test_a_missing_fiche_needs_no_fiche_but_a_note(
    db: Session, make_agent: Callable[..., Any]
) -> None:
    flag = flags.create(
        db, make_agent("advisor"), NewFlag(kind="manque", note="Prime de Noël des chômeurs")
    )
    assert (flag.fiche_id, flag.fiche_title, flag.note) == (None, "", "Prime de Noël des chômeurs")


def test_only_agents_of_the_floor_flag_and_only_on_their_own_contacts(
    db: Session, make_agent: Callable[..., Any], make_contact: Callable[..., Any]
) -> None:
    with pytest.raises(Forbidden):
        flags.create(db, make_agent("editor"), NewFlag(kind="obsolete", fiche_id=FICHE))
    # a contact in a sector queue the advisor never handled
    other = make_contact("Question", outcome=None, sector="justice")
    with pytest.raises(Forbidden, match="pas dans vos files"):
        flags.create(
            db,
            make_agent("advisor"),
            NewFlag(kind="obsolete", fiche_id=FICHE, contact_id=other.id),
        )


def test_an_editor_handles_a_flag_once_and_the_agent_reads_the_answer(
    db: Session, make_agent: Callable[..., Any]
) -> None:
    advisor, other, editor = make_agent("advisor"), make_agent("advisor"), make_agent("editor")
    first = flags.create(db, advisor, NewFlag(kind="obsolete", fiche_id=FICHE))
    second = flags.create(db, other, NewFlag(kind="a_corriger", fiche_id=FICHE))
    with pytest.raises(Forbidden):
        flags.handle(db, advisor, first.id, "fait")
    assert [f.id for f in flags.list_for_editors(db, editor)] == [first.id, second.id]
    handled = flags.handle(db, editor, first.id, "La fiche est à jour ; écrire à chef@example.org")
    assert handled.state == "handled" and handled.handled_by == editor.id
    assert handled.answer == "La fiche est à jour ; écrire à [courriel]"
    with pytest.raises(Conflict, match="déjà été traité"):
        flags.handle(db, editor, first.id, "encore")
    with pytest.raises(InvalidInput, match="trop longue"):
        flags.handle(db, editor, second.id, "x" * 1001)
    with pytest.raises(NotFound):
        flags.handle(db, editor, 99_999_999, "")
    # the agent sees their own flags only, with the answer
    mine = flags.list_mine(db, advisor)
    assert [(f.id, f.state, f.answer) for f in mine] == [(first.id, "handled", handled.answer)]
    assert [f.id for f in flags.list_for_editors(db, editor)] == [second.id]
    assert flags.open_count(db) == 1
    with pytest.raises(Forbidden):
        flags.list_for_editors(db, advisor)
