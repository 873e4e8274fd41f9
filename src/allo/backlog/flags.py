"""Feedback from the floor: an agent flags a fiche from a console, an editor handles the flag.

The phone conversation is how the content improves: an advisor or specialist says in two clicks
that a fiche is wrong, incomplete, out of date, or that a fiche is missing, with a short note.
The note is redacted like every free text; the flag carries the contact's theme and sector, never
its text. Editors work through the open flags and answer each one; the agent sees the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from allo.backlog import repository as repo
from allo.backlog.models import FLAG_KINDS, FLAG_STATES, FicheFlag
from allo.contacts import reading
from allo.contacts import repository as contacts_repo
from allo.contacts.models import LEVEL1_QUEUE, Agent
from allo.db.base import utcnow
from allo.errors import Conflict, Forbidden, InvalidInput, NotFound
from allo.kb import services as kb
from allo.privacy import audit
from allo.privacy.redaction import Redaction, RedactionResult, redact

#: Agents who flag: the two consoles, and supervision (who listens to calls).
FLAGGER_ROLES = ("advisor", "specialist", "supervisor", "administrator")
#: Who handles flags: the editorial team.
EDITOR_ROLES = ("editor",)
#: Who sees every flag (the others see their own).
ALL_FLAGS_ROLES = ("editor", "supervisor", "administrator")
MAX_NOTE = 500
MAX_ANSWER = 1000
MAX_LIMIT = 500


@dataclass(frozen=True)
class NewFlag:
    """What an agent sends: the kind, the fiche (optional for « manque »), a note, the contact."""

    kind: str
    fiche_id: str | None = None
    note: str = ""
    contact_id: int | None = None


def _text(value: str, limit: int, what: str) -> str:
    text = value.strip()
    if len(text) > limit:
        raise InvalidInput(f"{what} est trop longue ({limit} caractères au plus).")
    return text


def create(session: Session, agent: Agent, new: NewFlag) -> FicheFlag:
    """Record a flag (in the caller's transaction). The note is redacted before storage."""
    if agent.role not in FLAGGER_ROLES:
        raise Forbidden("Seuls les conseillers, les spécialistes et la supervision signalent.")
    if new.kind not in FLAG_KINDS:
        choices = ", ".join(f"« {label} »" for label in FLAG_KINDS.values())
        raise InvalidInput(f"Type de signalement inconnu : choisissez {choices}.")
    note = _text(new.note, MAX_NOTE, "La note")
    fiche_id = (new.fiche_id or "").strip() or None
    title = ""
    if fiche_id is None:
        if new.kind != "manque":
            raise InvalidInput("Indiquez la fiche à signaler.")
        if not note:
            raise InvalidInput("Décrivez en quelques mots la fiche qui manque.")
    else:
        title = kb.titles(session, [fiche_id]).get(fiche_id, "")
        if not title:
            raise NotFound(f"Fiche « {fiche_id[:64]} » introuvable.")
    theme, sector = "", None
    if new.contact_id is not None:
        contact = contacts_repo.contact(session, new.contact_id)
        if contact is None:
            raise NotFound(f"Contact n° {new.contact_id} introuvable.")
        if not reading.can_view(session, agent, contact):
            raise Forbidden("Ce contact n'est pas dans vos files.")
        theme = contact.theme
        sector = contact.sector or (contact.queue if contact.queue != LEVEL1_QUEUE else None)
    redacted = redact(note)
    flag = FicheFlag(
        created_at=utcnow(),
        agent_id=agent.id,
        kind=new.kind,
        fiche_id=fiche_id,
        fiche_title=title,
        note=redacted.text,
        note_redactions=redacted.as_list(),
        contact_id=new.contact_id,
        theme=theme,
        sector=sector,
        state="open",
    )
    session.add(flag)
    session.flush()
    audit.record(
        session,
        agent_id=agent.id,
        action="flag",
        object_type="fiche_flag",
        object_id=flag.id,
        detail={"kind": new.kind, "fiche": fiche_id},
    )
    return flag


def handle(session: Session, editor: Agent, flag_id: int, answer: str) -> FicheFlag:
    """An editor closes a flag with a short answer the agent will read (redacted)."""
    if editor.role not in EDITOR_ROLES:
        raise Forbidden("Seule l'équipe de rédaction traite les signalements.")
    text = _text(answer, MAX_ANSWER, "La réponse")
    flag = repo.flag(session, flag_id, for_update=True)
    if flag is None:
        raise NotFound(f"Signalement n° {flag_id} introuvable.")
    if flag.state == "handled":
        raise Conflict(f"Le signalement n° {flag_id} a déjà été traité.")
    redacted = redact(text)
    flag.state = "handled"
    flag.handled_at = utcnow()
    flag.handled_by = editor.id
    flag.answer = redacted.text
    flag.answer_redactions = redacted.as_list()
    session.flush()
    audit.record(
        session, agent_id=editor.id, action="handle", object_type="fiche_flag", object_id=flag.id
    )
    return flag


def list_for_editors(
    session: Session, agent: Agent, *, state: str | None = "open", limit: int = 100
) -> list[FicheFlag]:
    """Open flags oldest first, or every flag newest first (state None)."""
    if agent.role not in ALL_FLAGS_ROLES:
        raise Forbidden("Liste réservée à l'équipe de rédaction.")
    # Open flags oldest first: a queue to work through.
    return _list(session, state=state, limit=limit, oldest_first=state == "open")


def list_mine(
    session: Session, agent: Agent, *, state: str | None = None, limit: int = 20
) -> list[FicheFlag]:
    """The agent's own flags, newest first: they see which were handled and the answer."""
    return _list(session, state=state, agent_id=agent.id, limit=limit)


def _list(
    session: Session,
    *,
    state: str | None,
    limit: int,
    agent_id: int | None = None,
    oldest_first: bool = False,
) -> list[FicheFlag]:
    if state is not None and state not in FLAG_STATES:
        raise InvalidInput("État inconnu : « open » (à traiter) ou « handled » (traités).")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"Le nombre demandé doit être entre 1 et {MAX_LIMIT}.")
    return repo.flags(
        session, state=state, agent_id=agent_id, oldest_first=oldest_first, limit=limit
    )


def open_count(session: Session) -> int:
    return repo.count_flags(session, "open")


def agent_names(session: Session, flags: list[FicheFlag]) -> dict[int, str]:
    ids = {f.agent_id for f in flags if f.agent_id} | {f.handled_by for f in flags if f.handled_by}
    return contacts_repo.agent_names(session, sorted(ids))


def as_dict(flag: FicheFlag, names: dict[int, str] | None = None) -> dict[str, Any]:
    names = names or {}
    return {
        "id": flag.id,
        "created_at": flag.created_at.isoformat(),
        "kind": flag.kind,
        "kind_label": FLAG_KINDS[flag.kind],
        "fiche_id": flag.fiche_id,
        "fiche_title": flag.fiche_title,
        "note": flag.note,
        "note_redactions": flag.note_redactions,
        "contact_id": flag.contact_id,
        "theme": flag.theme,
        "sector": flag.sector,
        "agent_id": flag.agent_id,
        "agent": names.get(flag.agent_id) if flag.agent_id else None,
        "state": flag.state,
        "state_label": FLAG_STATES[flag.state],
        "handled_at": flag.handled_at.isoformat() if flag.handled_at else None,
        "handled_by": names.get(flag.handled_by) if flag.handled_by else None,
        "answer": flag.answer,
    }


def redaction_summary(flag: FicheFlag) -> str:
    """« 1 élément masqué : numéro de téléphone. » for the agent who wrote the note."""
    redactions = tuple(Redaction(**r) for r in flag.note_redactions)
    return RedactionResult(text=flag.note, redactions=redactions).summary()
