"""Every query the search domain runs: the searchable fiches and the knowledge base's version."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, undefer

from allo.db.base import utcnow
from allo.kb import kinds
from allo.kb.models import Fiche
from allo.kb.stored_html import html_for
from allo.search.models import SearchPassages, SearchVector

#: Publications that are not answers a citizen or an advisor looks for: theme pages (lists of
#: dossiers) and resources (forms, online services, simulators), which fiches already link to.
NOT_SEARCHED_KINDS = frozenset({kinds.THEME, "sous-theme"}) | kinds.RESOURCE_KINDS
#: keys per IN (...) query: well under every backend's parameter limit
_KEY_CHUNK = 500


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
    #: its section titles, from its stored passages ("" until they are taken)
    sections: str = ""
    #: the texts it rests on ([{"title", "url", …}]): the articles of law it cites
    references: list[dict[str, Any]] = field(default_factory=list)


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
    SearchPassages.titles,
    Fiche.references,
)


def searchable_fiches(session: Session, batch_size: int = 500) -> Iterator[FicheRecord]:
    """Every searchable fiche, streamed in id order."""
    stmt = (
        select(*_COLUMNS)
        .outerjoin(SearchPassages, SearchPassages.fiche_id == Fiche.id)
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
            sections=row.titles or "",
            references=list(row.references or []),
        )


def fiche_hashes(session: Session) -> dict[str, str]:
    """Content hash of every searchable fiche: a cheap way to tell whether anything changed."""
    stmt = select(Fiche.id, Fiche.content_hash).where(Fiche.kind.not_in(sorted(NOT_SEARCHED_KINDS)))
    return {fiche_id: content_hash for fiche_id, content_hash in session.execute(stmt)}


def fiche_hashes_of(session: Session, ids: Iterable[str]) -> dict[str, str]:
    """Content hash of these fiches (searchable or not)."""
    wanted = list(dict.fromkeys(ids))
    out: dict[str, str] = {}
    for start in range(0, len(wanted), _KEY_CHUNK):
        stmt = select(Fiche.id, Fiche.content_hash).where(
            Fiche.id.in_(wanted[start : start + _KEY_CHUNK])
        )
        out.update({i: h for i, h in session.execute(stmt)})
    return out


def knowledge_base_version(session: Session) -> str:
    """A cheap fingerprint that changes whenever a fiche is added, changed or removed.

    The knowledge base's own `kb_version` is used when it exists; this is its fallback.
    """
    from allo.kb.services import kb_version

    return str(kb_version(session))


def passage_titles_version(session: Session) -> str:
    """Changes whenever passages are stored (their section titles are part of what the dense
    model reads): how many, and the newest."""
    count, newest = session.execute(select(func.count(), func.max(SearchPassages.created_at))).one()
    return f"{count}:{newest}"


# -- sentence vectors (allo.search.models.SearchVector) -------------------------------------------


def embedding_sources(
    session: Session,
) -> list[tuple[str, str, str, str, list[dict[str, Any]]]]:
    """(id, title, description, section titles, links) of every searchable fiche: what its
    vector is computed from (its links name the questions-réponses it lists)."""
    stmt = (
        select(Fiche.id, Fiche.title, Fiche.description, SearchPassages.titles, Fiche.related)
        .outerjoin(SearchPassages, SearchPassages.fiche_id == Fiche.id)
        .where(Fiche.kind.not_in(sorted(NOT_SEARCHED_KINDS)))
        .order_by(Fiche.id)
    )
    return [
        (i, t or "", d or "", s or "", list(r or [])) for i, t, d, s, r in session.execute(stmt)
    ]


def stored_vectors(session: Session, keys: Iterable[str]) -> dict[str, bytes]:
    """The stored vectors among `keys` (hex), by key."""
    wanted = list(dict.fromkeys(keys))
    out: dict[str, bytes] = {}
    for start in range(0, len(wanted), _KEY_CHUNK):
        chunk = wanted[start : start + _KEY_CHUNK]
        stmt = select(SearchVector.key, SearchVector.vector).where(SearchVector.key.in_(chunk))
        out.update({k: bytes(v) for k, v in session.execute(stmt)})
    return out


def stored_keys(session: Session, model: str) -> set[str]:
    return set(session.scalars(select(SearchVector.key).where(SearchVector.model == model)))


def add_vectors(session: Session, model: str, dim: int, entries: dict[str, bytes]) -> int:
    """Insert vectors whose key is not stored yet (another node may have stored some meanwhile)."""
    if not entries:
        return 0
    rows = [
        {"key": k, "model": model, "dim": dim, "vector": v, "created_at": utcnow()}
        for k, v in entries.items()
    ]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(SearchVector).on_conflict_do_nothing(), rows)
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(sqlite_insert(SearchVector).on_conflict_do_nothing(), rows)
    else:  # pragma: no cover - the two supported backends are above
        present = set(stored_vectors(session, entries))
        session.add_all(SearchVector(**r) for r in rows if r["key"] not in present)
    return len(rows)


def _delete_in(session: Session, column: Any, keys: Iterable[str]) -> int:
    """Delete the rows whose `column` is one of `keys`, a bounded IN list at a time."""
    wanted = list(keys)
    for start in range(0, len(wanted), _KEY_CHUNK):
        chunk = wanted[start : start + _KEY_CHUNK]
        session.execute(delete(column.table).where(column.in_(chunk)))
    return len(wanted)


def delete_vectors(session: Session, keys: Iterable[str]) -> int:
    return _delete_in(session, SearchVector.__table__.c.key, keys)


def vector_summary(session: Session) -> list[tuple[str, int, datetime | None]]:
    """(model, vectors stored, latest) per model."""
    stmt = select(
        SearchVector.model, func.count(SearchVector.key), func.max(SearchVector.created_at)
    ).group_by(SearchVector.model)
    return [(m, int(n), latest) for m, n, latest in session.execute(stmt)]


def _upsert(session: Session, model: Any, rows: list[dict[str, Any]], key: str) -> None:
    """Insert rows, replacing those of the same key (two processes may store the same fiche)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    else:  # pragma: no cover - the two supported backends are above
        session.execute(delete(model).where(getattr(model, key).in_([r[key] for r in rows])))
        session.execute(model.__table__.insert(), rows)
        return
    stmt = insert(model)
    columns = {c: stmt.excluded[c] for c in rows[0] if c != key}
    session.execute(stmt.on_conflict_do_update(index_elements=[key], set_=columns), rows)


# -- answer passages (allo.search.models.SearchPassages) -------------------------------------------
def passage_states(session: Session) -> dict[str, tuple[str, str, str]]:
    """(content hash, extractor, analysis) of every stored fiche's passages: what is up to
    date."""
    stmt = select(
        SearchPassages.fiche_id,
        SearchPassages.content_hash,
        SearchPassages.extractor,
        SearchPassages.analysis,
    )
    return {i: (h, e, a) for i, h, e, a in session.execute(stmt)}


def stored_passages(
    session: Session, extractor: str, ids: Iterable[str] | None = None
) -> dict[str, tuple[str, str, bytes]]:
    """(content hash, analysis, data) of the stored passages taken by `extractor`, of `ids`
    (None: every fiche)."""
    stmt = select(
        SearchPassages.fiche_id,
        SearchPassages.content_hash,
        SearchPassages.analysis,
        SearchPassages.data,
    ).where(SearchPassages.extractor == extractor)
    if ids is None:
        return {i: (h, a, bytes(d)) for i, h, a, d in session.execute(stmt)}
    wanted = list(dict.fromkeys(ids))
    out: dict[str, tuple[str, str, bytes]] = {}
    for start in range(0, len(wanted), _KEY_CHUNK):
        chunk = stmt.where(SearchPassages.fiche_id.in_(wanted[start : start + _KEY_CHUNK]))
        out.update({i: (h, a, bytes(d)) for i, h, a, d in session.execute(chunk)})
    return out


def put_passages(
    session: Session, extractor: str, analysis: str, entries: dict[str, tuple[str, bytes, str]]
) -> int:
    """Store fiches' passages: id → (content hash, data, section titles), replacing what was
    stored."""
    if not entries:
        return 0
    now = utcnow()
    rows = [
        {
            "fiche_id": i,
            "content_hash": h,
            "extractor": extractor,
            "analysis": analysis,
            "data": d,
            "titles": t,
            "created_at": now,
        }
        for i, (h, d, t) in entries.items()
    ]
    _upsert(session, SearchPassages, rows, "fiche_id")
    return len(rows)


def delete_passages(session: Session, ids: Iterable[str]) -> int:
    return _delete_in(session, SearchPassages.__table__.c.fiche_id, ids)


def fiche_bodies(session: Session, ids: Iterable[str]) -> dict[str, str]:
    """The rendered bodies of these fiches as the pages show them (passages are taken from
    them): the stored HTML when current, else rendered now, as the fiche page does."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    stmt = select(Fiche).options(undefer(Fiche.html)).where(Fiche.id.in_(wanted))
    return {fiche.id: html_for(session, fiche) for fiche in session.scalars(stmt)}
