"""Every query of the contacts domain (handlers, commands and services never build their own)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from allo.contacts.models import (
    QUEUES,
    Agent,
    AgentToken,
    Contact,
    ContactEvent,
    ContactNote,
)
from allo.db.session import rows_touched

# --- agents and tokens -------------------------------------------------------------------


def agent_by_username(session: Session, username: str) -> Agent | None:
    return session.scalar(select(Agent).where(Agent.username == username))


def agent(session: Session, agent_id: int) -> Agent | None:
    return session.get(Agent, agent_id)


def agents(session: Session) -> list[Agent]:
    return list(session.scalars(select(Agent).order_by(Agent.role, Agent.username)))


def count_agents(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Agent)) or 0


def agent_for_token_hash(session: Session, token_hash: str, now: datetime) -> Agent | None:
    return session.scalar(
        select(Agent)
        .join(AgentToken, AgentToken.agent_id == Agent.id)
        .where(
            AgentToken.token_hash == token_hash,
            AgentToken.expires_at > now,
            Agent.active.is_(True),
        )
    )


def delete_token(session: Session, token_hash: str) -> None:
    session.execute(delete(AgentToken).where(AgentToken.token_hash == token_hash))


def delete_expired_tokens(session: Session, now: datetime) -> None:
    session.execute(delete(AgentToken).where(AgentToken.expires_at <= now))


def agent_names(session: Session, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Agent.id, Agent.display_name).where(Agent.id.in_(set(ids))))
    return {row.id: row.display_name for row in rows}


# --- contacts ------------------------------------------------------------------------------


def contact(session: Session, contact_id: int, *, for_update: bool = False) -> Contact | None:
    """The contact, row-locked until the end of the transaction when `for_update`.

    PostgreSQL takes a row lock (FOR UPDATE); SQLite write transactions already hold the
    database's write lock (BEGIN IMMEDIATE, see db/engine.py), which serialises them.
    """
    stmt = select(Contact).where(Contact.id == contact_id)
    if for_update:
        stmt = stmt.with_for_update()
        # Re-read even if the identity map has it: another transaction may have changed it.
        stmt = stmt.execution_options(populate_existing=True)
    return session.scalar(stmt)


def contact_by_call(session: Session, call_id: str, *, for_update: bool = False) -> Contact | None:
    stmt = select(Contact).where(Contact.call_id == call_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.scalar(stmt)


def claim_next(session: Session, queue: str, agent_id: int, now: datetime) -> Contact | None:
    """Atomically give the oldest waiting contact of `queue` to `agent_id`.

    One statement: UPDATE … WHERE id = (the oldest waiting one) RETURNING the contact
    (RETURNING: PostgreSQL, SQLite ≥ 3.35). PostgreSQL: the subquery is SELECT … FOR UPDATE
    SKIP LOCKED, so concurrent takers each lock a different row and never wait on each other.
    SQLite: the write transaction holds the database lock, so takers are serialised. In both
    cases the UPDATE re-checks the state, so a contact is never given twice even if the locking
    were weaker than expected; when nothing was claimed, the queue is checked before retrying.
    """
    candidates = (
        select(Contact.id)
        .where(Contact.queue == queue, Contact.state == "waiting")
        .order_by(Contact.queued_at, Contact.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    claim_oldest = (
        update(Contact)
        .where(
            Contact.id == candidates.scalar_subquery(),
            Contact.state == "waiting",
            Contact.queue == queue,
        )
        .values(
            state="taken",
            agent_id=agent_id,
            taken_at=now,
            first_taken_at=func.coalesce(Contact.first_taken_at, now),
        )
        .returning(Contact)
    )
    for _attempt in range(5):
        claimed = session.scalar(
            claim_oldest,
            execution_options={"synchronize_session": False, "populate_existing": True},
        )
        if claimed is not None:
            return claimed
        if session.scalar(candidates) is None:
            return None
    return None


def claim(session: Session, contact_id: int, agent_id: int, now: datetime) -> bool:
    """Give this waiting contact to `agent_id`; False if it is no longer waiting."""
    claimed = rows_touched(
        session,
        update(Contact)
        .where(Contact.id == contact_id, Contact.state == "waiting")
        .values(state="taken", agent_id=agent_id, taken_at=now)
        .execution_options(synchronize_session=False),
    )
    return claimed == 1


def contacts_in_queue(
    session: Session, queue: str, states: Sequence[str], limit: int
) -> list[Contact]:
    """Open contacts of a queue, oldest first (what a console lists)."""
    return list(
        session.scalars(
            select(Contact)
            .where(Contact.queue == queue, Contact.state.in_(states))
            .order_by(Contact.queued_at, Contact.id)
            .limit(limit)
        )
    )


def contacts_held_by(session: Session, agent_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Contact)
            .where(Contact.agent_id == agent_id, Contact.state == "taken")
        )
        or 0
    )


def mark_available_if_idle(session: Session, agent_id: int, now: datetime) -> bool:
    """A busy agent who holds no contact any more becomes available; True if it happened.

    One UPDATE … WHERE NOT EXISTS instead of a count and an update: each closing step runs it.
    The caller's changes must be flushed first (the contact it just left)."""
    holds = (
        select(Contact.id).where(Contact.agent_id == agent_id, Contact.state == "taken").exists()
    )
    freed = rows_touched(
        session,
        update(Agent)
        .where(Agent.id == agent_id, Agent.state == "busy", ~holds)
        .values(state="available", state_since=now)
        .execution_options(synchronize_session=False),
    )
    return freed == 1


def held_contact(session: Session, agent_id: int, queues: Sequence[str]) -> Contact | None:
    """The contact `agent_id` is handling in one of `queues` (the oldest taken), or None.

    One query on ix_contact_agent_id: agent_id is set only while a contact is taken, so the
    index leads straight to the agent's one or two rows, however long the queues are.
    """
    return session.scalar(
        select(Contact)
        .where(Contact.agent_id == agent_id, Contact.state == "taken", Contact.queue.in_(queues))
        .order_by(Contact.taken_at, Contact.id)
        .limit(1)
    )


def has_handled(session: Session, contact_id: int, agent_id: int) -> bool:
    return (
        session.scalar(
            select(ContactEvent.id)
            .where(ContactEvent.contact_id == contact_id, ContactEvent.agent_id == agent_id)
            .limit(1)
        )
        is not None
    )


def notes(session: Session, contact_id: int) -> list[ContactNote]:
    return list(
        session.scalars(
            select(ContactNote)
            .where(ContactNote.contact_id == contact_id)
            .order_by(ContactNote.created_at, ContactNote.id)
        )
    )


def events(session: Session, contact_id: int) -> list[ContactEvent]:
    return list(
        session.scalars(
            select(ContactEvent)
            .where(ContactEvent.contact_id == contact_id)
            .order_by(ContactEvent.at, ContactEvent.id)
        )
    )


@dataclass(frozen=True)
class QueueRow:
    queue: str
    waiting: int
    taken: int
    oldest_queued_at: datetime | None


def queue_rows(session: Session) -> list[QueueRow]:
    """Waiting and taken contacts per queue, and the oldest waiting one (for supervision)."""
    rows = session.execute(
        select(
            Contact.queue,
            Contact.state,
            func.count(),
            func.min(Contact.queued_at),
        )
        .where(Contact.state.in_(("waiting", "taken")))
        .group_by(Contact.queue, Contact.state)
    ).all()
    waiting: dict[str, int] = {}
    taken: dict[str, int] = {}
    oldest: dict[str, datetime] = {}
    for queue, state, count, first in rows:
        if state == "waiting":
            waiting[queue] = count
            oldest[queue] = first
        else:
            taken[queue] = count
    result = []
    for queue in QUEUES:
        since = oldest.get(queue)
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=UTC)  # min() may come back naive on SQLite
        result.append(QueueRow(queue, waiting.get(queue, 0), taken.get(queue, 0), since))
    return result


def agent_state_counts(session: Session) -> dict[str, int]:
    """Active agents by state (available, busy, paused, offline), for the metrics."""
    from allo.contacts.models import AGENT_STATES

    rows = session.execute(
        select(Agent.state, func.count()).where(Agent.active.is_(True)).group_by(Agent.state)
    )
    counts = dict.fromkeys(AGENT_STATES, 0)
    counts.update({state: n for state, n in rows})
    return counts


def queue_counts(session: Session) -> dict[tuple[str, str], int]:
    """Every contact by (queue, state): the invariant checks and the benchmarks read this."""
    rows = session.execute(
        select(Contact.queue, Contact.state, func.count()).group_by(Contact.queue, Contact.state)
    )
    return {(q, s): n for q, s, n in rows}


# --- the knowledge base, read-only ------------------------------------------------------------


def fiche_themes(
    session: Session, fiche_ids: Sequence[str]
) -> dict[str, tuple[str, list[str], str]]:
    """(subject, breadcrumb titles, title) of the given fiches, for the sector suggestion."""
    from allo.kb.models import Fiche

    if not fiche_ids:
        return {}
    rows = session.execute(
        select(Fiche.id, Fiche.subject, Fiche.breadcrumb, Fiche.title).where(
            Fiche.id.in_(set(fiche_ids))
        )
    )
    out = {}
    for fid, subject, breadcrumb, title in rows:
        crumbs = [str(c.get("title", "")) for c in breadcrumb or [] if isinstance(c, dict)]
        out[fid] = (subject or "", crumbs, title or "")
    return out


def office_name(session: Session, office_id: str) -> str | bool | None:
    """The office's name; False if the directory is loaded and does not know it; None when the
    directory is absent or empty (the id is then kept as given)."""
    try:
        from allo.directory.models import Office
    except ImportError:
        return None
    if session.scalar(select(Office.id).limit(1)) is None:
        return None
    name = session.scalar(select(Office.name).where(Office.id == office_id))
    return name if name is not None else False


def existing_fiche_ids(session: Session, fiche_ids: Sequence[str]) -> set[str]:
    from allo.kb.models import Fiche

    if not fiche_ids:
        return set()
    return set(session.scalars(select(Fiche.id).where(Fiche.id.in_(set(fiche_ids)))))


def count_fiches(session: Session) -> int:
    from allo.kb.models import Fiche

    return session.scalar(select(func.count()).select_from(Fiche)) or 0


def consulted_counts(session: Session, since: datetime) -> dict[str, int]:
    """How many times each fiche was opened by an agent since `since` (the "consulted" events)."""
    counts: dict[str, int] = {}
    query = select(ContactEvent.data).where(
        ContactEvent.kind == "consulted", ContactEvent.at >= since
    )
    for data in session.scalars(query.execution_options(yield_per=5000)):
        fiche_id = (data or {}).get("fiche_id")
        if isinstance(fiche_id, str):
            counts[fiche_id] = counts.get(fiche_id, 0) + 1
    return counts


def contact_steps(session: Session, contact_id: int) -> list[dict[str, Any]]:
    """The contact's own trail: each step (taken, escalated, closed…) with its agent and time.

    The contact flow writes these steps itself (`ContactEvent`, no free text), so the audit view
    of a contact joins them to the audit entries rather than duplicating them (here, so the
    privacy package never reads the contacts' tables).
    """
    rows = session.execute(
        select(ContactEvent.at, ContactEvent.agent_id, ContactEvent.kind, ContactEvent.queue)
        .where(ContactEvent.contact_id == contact_id)
        .order_by(ContactEvent.at, ContactEvent.id)
    )
    return [
        {"at": at.isoformat(), "agent_id": agent_id, "action": kind, "queue": queue}
        for at, agent_id, kind, queue in rows
    ]
