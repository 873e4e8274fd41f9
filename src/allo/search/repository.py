"""Every query the search domain runs: the searchable fiches and the knowledge base's version."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from allo.kb import kinds
from allo.kb.models import Fiche

#: Publications that are not answers a citizen or an advisor looks for: theme pages (lists of
#: dossiers) and resources (forms, online services, simulators), which fiches already link to.
NOT_SEARCHED_KINDS = frozenset({kinds.THEME, "sous-theme"}) | kinds.RESOURCE_KINDS


@dataclass(frozen=True)
class FicheRecord:
    """The columns of a fiche the index needs (no source markup)."""

    id: str
    source: str
    kind: str
    title: str
    description: str
    subject: str
    breadcrumb: list[dict[str, Any]]
    audiences: list[str]
    url: str
    text: str
    related: list[dict[str, Any]]


_COLUMNS = (
    Fiche.id,
    Fiche.source,
    Fiche.kind,
    Fiche.title,
    Fiche.description,
    Fiche.subject,
    Fiche.breadcrumb,
    Fiche.audiences,
    Fiche.url,
    Fiche.text,
    Fiche.related,
)


def searchable_fiches(session: Session, batch_size: int = 500) -> Iterator[FicheRecord]:
    """Every searchable fiche, streamed in id order."""
    stmt = (
        select(*_COLUMNS)
        .where(Fiche.kind.not_in(sorted(NOT_SEARCHED_KINDS)))
        .order_by(Fiche.id)
        .execution_options(yield_per=batch_size)
    )
    for row in session.execute(stmt):
        yield FicheRecord(
            id=row.id,
            source=row.source,
            kind=row.kind,
            title=row.title or "",
            description=row.description or "",
            subject=row.subject or "",
            breadcrumb=list(row.breadcrumb or []),
            audiences=sorted(set(row.audiences or [])),
            url=row.url or "",
            text=row.text or "",
            related=list(row.related or []),
        )


def fiche_hashes(session: Session) -> dict[str, str]:
    """Content hash of every searchable fiche: a cheap way to tell whether anything changed."""
    stmt = select(Fiche.id, Fiche.content_hash).where(Fiche.kind.not_in(sorted(NOT_SEARCHED_KINDS)))
    return {fiche_id: content_hash for fiche_id, content_hash in session.execute(stmt)}


def knowledge_base_version(session: Session) -> str:
    """A cheap fingerprint that changes whenever a fiche is added, changed or removed.

    The knowledge base's own `kb_version` is used when it exists; this is its fallback.
    """
    try:
        from allo.kb.services import kb_version  # type: ignore[attr-defined]
    except ImportError:
        kb_version = None
    if kb_version is not None:
        return str(kb_version(session))
    count, latest = session.execute(select(func.count(Fiche.id), func.max(Fiche.updated_at))).one()
    return f"{count}:{latest.isoformat() if latest else '-'}"
