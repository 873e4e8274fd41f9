"""Every query of the editorial backlog (flags, portal counts, the contacts a gap comes from)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from allo.backlog.models import FicheFlag, PortalQueryCount
from allo.contacts.models import Contact, ContactNote
from allo.db.base import table_of
from allo.db.session import rows_touched

# --------------------------------------------------------------------------------------- flags


def flag(session: Session, flag_id: int, *, for_update: bool = False) -> FicheFlag | None:
    stmt = select(FicheFlag).where(FicheFlag.id == flag_id)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def flags(
    session: Session,
    *,
    state: str | None = None,
    agent_id: int | None = None,
    fiche_id: str | None = None,
    oldest_first: bool = False,
    limit: int = 100,
) -> list[FicheFlag]:
    stmt = select(FicheFlag)
    if state:
        stmt = stmt.where(FicheFlag.state == state)
    if agent_id is not None:
        stmt = stmt.where(FicheFlag.agent_id == agent_id)
    if fiche_id:
        stmt = stmt.where(FicheFlag.fiche_id == fiche_id)
    order = FicheFlag.id.asc() if oldest_first else FicheFlag.id.desc()
    return list(session.scalars(stmt.order_by(order).limit(limit)))


def count_flags(session: Session, state: str) -> int:
    return session.scalar(select(func.count()).where(FicheFlag.state == state)) or 0


def blank_handled_flags(session: Session, cutoff: datetime) -> int:
    """Notes and answers of flags handled before `cutoff` (kind, fiche and dates stay)."""
    return rows_touched(
        session,
        update(FicheFlag)
        .where(
            FicheFlag.state == "handled",
            FicheFlag.handled_at < cutoff,
            or_(FicheFlag.note != "", FicheFlag.answer != ""),
        )
        .values(note="", note_redactions=[], answer="", answer_redactions=[]),
        execution_options={"synchronize_session": False},
    )


# ------------------------------------------------------------------------------ portal counts


def add_query_counts(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Add counts to (day, wording) rows, creating them: one statement, safe across workers
    (INSERT … ON CONFLICT DO UPDATE on both SQLite and PostgreSQL)."""
    if not rows:
        return
    table = table_of(PortalQueryCount)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(table).values(list(rows))
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.day, table.c.wording],
        set_={
            "searches": table.c.searches + stmt.excluded.searches,
            "empty": table.c.empty + stmt.excluded.empty,
            "opened": table.c.opened + stmt.excluded.opened,
        },
    )
    session.execute(stmt)


def query_counts(session: Session, since: date) -> list[Row[Any]]:
    """(wording, searches, empty, opened, first day, last day) summed over the days since `since`."""
    c = PortalQueryCount
    return list(
        session.execute(
            select(
                c.wording,
                func.sum(c.searches).label("searches"),
                func.sum(c.empty).label("empty"),
                func.sum(c.opened).label("opened"),
                func.min(c.day).label("first_day"),
                func.max(c.day).label("last_day"),
            )
            .where(c.day >= since)
            .group_by(c.wording)
        )
    )


def delete_query_counts_before(session: Session, day: date) -> int:
    return rows_touched(
        session,
        delete(PortalQueryCount).where(PortalQueryCount.day < day),
        execution_options={"synchronize_session": False},
    )


# ------------------------------------------------------------------------------------ contacts


def contacts_without_fiche(session: Session, since: datetime, limit: int) -> list[Row[Any]]:
    """Contacts finished as answered, oriented or escalated since `since` with no fiche consulted:
    (id, created_at, question, theme, sector, escalated). Purged ones have no question left."""
    rows = session.execute(
        select(
            Contact.id,
            Contact.created_at,
            Contact.question,
            Contact.theme,
            Contact.sector,
            Contact.escalations,
            Contact.fiches_consulted,
        )
        .where(
            Contact.created_at >= since,
            or_(Contact.outcome.in_(("answered", "oriented")), Contact.escalations > 0),
        )
        .order_by(Contact.id.desc())
        .limit(limit)
    )
    # fiches_consulted is a JSON list: "empty" is tested here, the same way on both databases.
    return [row for row in rows if not row.fiches_consulted]  # type: ignore[misc]


def escalation_notes(session: Session, since: datetime, limit: int) -> list[Row[Any]]:
    """(contact id, created_at, note text, contact question, theme, sector) of escalation notes."""
    return list(
        session.execute(
            select(
                ContactNote.contact_id,
                ContactNote.created_at,
                ContactNote.text,
                Contact.question,
                Contact.theme,
                Contact.sector,
            )
            .join(Contact, Contact.id == ContactNote.contact_id)
            .where(
                ContactNote.kind == "escalation",
                ContactNote.created_at >= since,
                ContactNote.text != "",
            )
            .order_by(ContactNote.id.desc())
            .limit(limit)
        )
    )
