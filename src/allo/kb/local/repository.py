"""Every query of the local fiches: services, CLI and handlers go through here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from allo.kb.local.models import LocalFiche, LocalFicheVersion
from allo.kb.local.sheet_models import EscalationSheetRow, EscalationSheetVersion
from allo.kb.models import Fiche

#: arbitrary constant naming the "next local fiche number" lock on PostgreSQL
_NUMBER_LOCK = 39390014


def next_number(session: Session) -> int:
    """The next free number; PostgreSQL serialises concurrent creations with an advisory lock,
    SQLite writers already hold the database write lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _NUMBER_LOCK})
    return int(session.scalar(select(func.max(LocalFiche.number))) or 0) + 1


def get(session: Session, fiche_id: str, *, for_update: bool = False) -> LocalFiche | None:
    if for_update:
        query = select(LocalFiche).where(LocalFiche.id == fiche_id).with_for_update()
        return session.scalars(query).first()
    return session.get(LocalFiche, fiche_id)


def list_fiches(session: Session, states: Iterable[str] | None = None) -> list[LocalFiche]:
    query = select(LocalFiche).order_by(LocalFiche.number)
    if states is not None:
        query = query.where(LocalFiche.state.in_(list(states)))
    return list(session.scalars(query))


def versions(session: Session, fiche_id: str) -> list[LocalFicheVersion]:
    query = (
        select(LocalFicheVersion)
        .where(LocalFicheVersion.fiche_id == fiche_id)
        .order_by(LocalFicheVersion.number.desc())
    )
    return list(session.scalars(query))


def version(session: Session, fiche_id: str, number: int) -> LocalFicheVersion | None:
    query = select(LocalFicheVersion).where(
        LocalFicheVersion.fiche_id == fiche_id, LocalFicheVersion.number == number
    )
    return session.scalars(query).first()


def overdue(session: Session, today: date) -> list[LocalFiche]:
    query = (
        select(LocalFiche)
        .where(LocalFiche.state == "published", LocalFiche.review_by < today)
        .order_by(LocalFiche.review_by)
    )
    return list(session.scalars(query))


def adaptations(session: Session) -> list[LocalFiche]:
    query = (
        select(LocalFiche)
        .where(LocalFiche.source_id.is_not(None), LocalFiche.state != "archived")
        .order_by(LocalFiche.number)
    )
    return list(session.scalars(query))


def official_hashes(session: Session, ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Content hash and plain text of the official fiches among `ids` that exist."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(Fiche.id, Fiche.content_hash, Fiche.text).where(Fiche.id.in_(wanted))
    )
    return {fiche_id: (digest, body) for fiche_id, digest, body in rows}


def existing_ids(session: Session, ids: Iterable[str]) -> set[str]:
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    return set(session.scalars(select(Fiche.id).where(Fiche.id.in_(wanted))))


def fiche_row(session: Session, fiche_id: str) -> Fiche | None:
    return session.get(Fiche, fiche_id)


def live_fiches(session: Session) -> list[LocalFiche]:
    """Every local fiche that is not archived (what the service relies on)."""
    query = select(LocalFiche).where(LocalFiche.state != "archived").order_by(LocalFiche.number)
    return list(session.scalars(query))


# -- escalation sheets -------------------------------------------------------------------------
def sheet(
    session: Session, sheet_id: str, *, for_update: bool = False
) -> EscalationSheetRow | None:
    if for_update:
        query = select(EscalationSheetRow).where(EscalationSheetRow.id == sheet_id)
        return session.scalars(query.with_for_update()).first()
    return session.get(EscalationSheetRow, sheet_id)


def sheets(session: Session) -> list[EscalationSheetRow]:
    return list(session.scalars(select(EscalationSheetRow).order_by(EscalationSheetRow.id)))


def sheet_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(EscalationSheetRow)) or 0)


def published_sheet_stamps(session: Session) -> list[tuple[str, int | None, Any]]:
    """(id, published version, time) of every sheet: cheap, tells whether a cached set is
    current."""
    query = select(
        EscalationSheetRow.id, EscalationSheetRow.published_version, EscalationSheetRow.published_at
    ).order_by(EscalationSheetRow.id)
    return [(sheet_id, number, at) for sheet_id, number, at in session.execute(query)]


def published_sheet_contents(session: Session) -> dict[str, dict[str, Any]]:
    # a JSON column may hold JSON null rather than SQL NULL: filtered here
    query = select(EscalationSheetRow.id, EscalationSheetRow.published_content)
    return {
        sheet_id: content for sheet_id, content in session.execute(query) if content is not None
    }


def sheet_versions(session: Session, sheet_id: str) -> list[EscalationSheetVersion]:
    query = (
        select(EscalationSheetVersion)
        .where(EscalationSheetVersion.sheet_id == sheet_id)
        .order_by(EscalationSheetVersion.number.desc())
    )
    return list(session.scalars(query))


def sheet_version(session: Session, sheet_id: str, number: int) -> EscalationSheetVersion | None:
    query = select(EscalationSheetVersion).where(
        EscalationSheetVersion.sheet_id == sheet_id, EscalationSheetVersion.number == number
    )
    return session.scalars(query).first()
