"""The read side of the flow: who may see a contact, a contact with its context, the queues,
and the sector suggestion for a contact (from its question and fiches)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from allo.contacts import repository as repo
from allo.contacts.fiche_search import SearchFn
from allo.contacts.models import LEVEL1_QUEUE, Agent, Contact, ContactEvent, ContactNote
from allo.contacts.services import (
    HANDLER_ROLES,
    QUEUE_LABELS,
    allowed_queues,
    require_handler,
)
from allo.contacts.suggestion import FicheThemes, SectorSuggestion, suggest_sector
from allo.db.base import utcnow
from allo.errors import Forbidden, NotFound
from allo.kb.escalation import SheetSet


def _sees_directly(agent: Agent, contact: Contact) -> bool:
    """Visible without looking at the history: supervision, the holder, the agent's queues."""
    if agent.role in ("supervisor", "administrator"):
        return True
    if agent.role not in HANDLER_ROLES:
        return False
    return contact.agent_id == agent.id or contact.queue in allowed_queues(agent)


def can_view(session: Session, agent: Agent, contact: Contact) -> bool:
    """Supervisors and administrators see every contact; handlers see their queues and their own."""
    if _sees_directly(agent, contact):
        return True
    if agent.role not in HANDLER_ROLES:
        return False
    return repo.has_handled(session, contact.id, agent.id)


@dataclass(frozen=True)
class ContactView:
    contact: Contact
    notes: list[ContactNote]
    events: list[ContactEvent]
    agent_names: dict[int, str] = field(default_factory=dict)


def view(session: Session, agent: Agent, contact_id: int) -> ContactView:
    """The contact with its notes, steps and the names of the agents in them.

    Right after a step the contact is already in the session (loaded, locked and changed by
    the step): it is read from there, and whether the agent handled it is read from the steps
    loaded anyway, so the response costs no query it does not need."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(f"Contact n° {contact_id} introuvable.")
    direct = _sees_directly(agent, contact)
    if not direct and agent.role not in HANDLER_ROLES:
        raise Forbidden("Ce contact n'est pas dans vos files.")
    events = repo.events(session, contact.id)
    if not direct and not any(e.agent_id == agent.id for e in events):
        raise Forbidden("Ce contact n'est pas dans vos files.")
    notes = repo.notes(session, contact.id)
    ids = {n.agent_id for n in notes if n.agent_id} | {e.agent_id for e in events if e.agent_id}
    if contact.agent_id:
        ids.add(contact.agent_id)
    names = {agent.id: agent.display_name} if agent.id in ids else {}
    names.update(repo.agent_names(session, [i for i in ids if i != agent.id]))
    return ContactView(contact, notes, events, names)


@dataclass(frozen=True)
class QueueStatus:
    queue: str
    label: str
    level: int
    waiting: int
    taken: int
    oldest_wait_seconds: float | None


def queue_overview(session: Session, *, now: datetime | None = None) -> list[QueueStatus]:
    now = now or utcnow()
    return [
        QueueStatus(
            queue=row.queue,
            label=QUEUE_LABELS[row.queue],
            level=1 if row.queue == LEVEL1_QUEUE else 2,
            waiting=row.waiting,
            taken=row.taken,
            oldest_wait_seconds=(
                round((now - row.oldest_queued_at).total_seconds(), 1)
                if row.oldest_queued_at
                else None
            ),
        )
        for row in repo.queue_rows(session)
    ]


def queue_contacts(
    session: Session, agent: Agent, queue: str, *, limit: int = 100
) -> list[Contact]:
    """The open contacts of a queue, for an agent who works it (or supervises)."""
    if queue not in QUEUE_LABELS:
        raise NotFound(f"File inconnue : « {queue} ».")
    if agent.role not in ("supervisor", "administrator") and queue not in allowed_queues(agent):
        raise Forbidden("Cette file n'est pas la vôtre.")
    return repo.contacts_in_queue(session, queue, ("waiting", "taken"), max(1, min(limit, 500)))


# --- sector suggestion ---------------------------------------------------------------------------


def fiche_themes(session: Session, fiche_ids: Sequence[str]) -> list[FicheThemes]:
    """The suggestion's view of the fiches, in the given order (unknown ids skipped)."""
    found = repo.fiche_themes(session, fiche_ids)
    out = []
    for fid in dict.fromkeys(fiche_ids):
        if fid in found:
            subject, crumbs, title = found[fid]
            # The first crumb is the audience's home ("Accueil particuliers"), the last the fiche.
            out.append(
                FicheThemes(
                    id=fid, subject=subject, breadcrumb=tuple(crumbs[1:-1] or crumbs), title=title
                )
            )
    return out


def suggest_for_contact(
    session: Session,
    agent: Agent,
    contact_id: int,
    *,
    sheets: SheetSet,
    search: SearchFn | None = None,
    extra_fiche_ids: Sequence[str] = (),
) -> tuple[SectorSuggestion, list[str]]:
    """Suggest a sector from the question and the fiches consulted, else those search finds."""
    contact = repo.contact(session, contact_id)
    if contact is None:
        raise NotFound(f"Contact n° {contact_id} introuvable.")
    require_handler(agent)
    if not can_view(session, agent, contact):
        raise Forbidden("Ce contact n'est pas dans vos files.")
    fiche_ids = list(dict.fromkeys([*extra_fiche_ids, *contact.fiches_consulted]))
    if not fiche_ids and search is not None and contact.question:
        fiche_ids = list(search(contact.question, 3))
    suggestion = suggest_sector(contact.question, fiche_themes(session, fiche_ids), sheets=sheets)
    return suggestion, fiche_ids
