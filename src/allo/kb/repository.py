"""Every query of the knowledge base: services, CLI and handlers go through here."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Row,
    Text,
    bindparam,
    cast,
    delete,
    func,
    insert,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.orm import Session

from allo.db.base import table_of
from allo.db.session import rows_touched
from allo.kb.models import ChangeItem, ChangeReport, Fiche, FicheVariant
from allo.kb.render.links import link_targets

#: rows per statement for bulk writes (keeps SQLite under its variable limit, PG packets small)
CHUNK = 500


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# -- import ------------------------------------------------------------------------------
#: arbitrary constant naming the knowledge-base import lock on PostgreSQL
_IMPORT_LOCK = 39390001


def lock_for_import(session: Session) -> None:
    """Serialise imports: PostgreSQL takes a transaction advisory lock; SQLite writers already
    hold the database write lock for their whole transaction (BEGIN IMMEDIATE)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _IMPORT_LOCK})


def variant_hashes(session: Session) -> dict[tuple[str, str], str]:
    rows = session.execute(
        select(FicheVariant.fiche_id, FicheVariant.feed, FicheVariant.content_hash)
    )
    return {(fiche_id, feed): digest for fiche_id, feed, digest in rows}


def fiche_ids(session: Session) -> set[str]:
    return set(session.scalars(select(Fiche.id)))


def variant_sources(session: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], bytes]:
    out: dict[tuple[str, str], bytes] = {}
    for chunk in _chunks(keys, 200):
        rows = session.execute(
            select(FicheVariant.fiche_id, FicheVariant.feed, FicheVariant.source).where(
                tuple_(FicheVariant.fiche_id, FicheVariant.feed).in_(list(chunk))
            )
        )
        for fiche_id, feed, source in rows:
            out[(fiche_id, feed)] = source
    return out


def insert_fiches(session: Session, rows: list[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        session.execute(insert(Fiche), list(chunk))


def update_fiches(session: Session, rows: list[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        session.execute(update(Fiche), list(chunk))


def delete_fiches(session: Session, ids: list[str]) -> None:
    for chunk in _chunks(ids):
        session.execute(delete(FicheVariant).where(FicheVariant.fiche_id.in_(list(chunk))))
        session.execute(delete(Fiche).where(Fiche.id.in_(list(chunk))))


def insert_variants(session: Session, rows: list[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        session.execute(insert(FicheVariant), list(chunk))


def update_variants(session: Session, rows: list[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        session.execute(update(FicheVariant), list(chunk))


def delete_variants(session: Session, keys: list[tuple[str, str]]) -> None:
    for chunk in _chunks(keys, 200):
        session.execute(
            delete(FicheVariant).where(
                tuple_(FicheVariant.fiche_id, FicheVariant.feed).in_(list(chunk))
            )
        )


@dataclass(frozen=True)
class LinkNode:
    """What the import needs to know of a stored fiche to keep its rendered HTML current."""

    title: str
    targets: frozenset[str]
    html_renderer: str | None


def link_graph(session: Session) -> dict[str, LinkNode]:
    """Every fiche's title, the publications it links to and the renderer of its stored HTML."""
    rows = session.execute(
        select(Fiche.id, Fiche.title, Fiche.related, Fiche.breadcrumb, Fiche.html_renderer)
    )
    graph: dict[str, LinkNode] = {}
    for fiche_id, title, related, breadcrumb, renderer in rows:
        graph[fiche_id] = LinkNode(title, frozenset(link_targets(related, breadcrumb)), renderer)
    return graph


def render_sources(session: Session, ids: Sequence[str]) -> list[Row[Any]]:
    """What rendering a fiche's body needs, for stored fiches."""
    out: list[Row[Any]] = []
    for chunk in _chunks(sorted(ids)):
        query = select(
            Fiche.id, Fiche.body, Fiche.body_format, Fiche.related, Fiche.breadcrumb
        ).where(Fiche.id.in_(list(chunk)))
        out.extend(session.execute(query))
    return out


def set_html(session: Session, rows: list[dict[str, Any]]) -> None:
    """Store rendered bodies ({"id", "html", "html_renderer"}) without touching `updated_at`:
    the content did not change (kb_version, and so the search index, stay as they are)."""
    table = table_of(Fiche)
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(
            html=bindparam("b_html"),
            html_renderer=bindparam("b_renderer"),
            updated_at=table.c.updated_at,
        )
    )
    for chunk in _chunks(rows):
        params = [
            {"b_id": r["id"], "b_html": r["html"], "b_renderer": r["html_renderer"]} for r in chunk
        ]
        session.connection().execute(statement, params)


#: what a fiche page shows (not the source body nor its plain text)
PAGE_COLUMNS = (
    Fiche.id,
    Fiche.source,
    Fiche.kind,
    Fiche.type_label,
    Fiche.title,
    Fiche.description,
    Fiche.breadcrumb,
    Fiche.audiences,
    Fiche.url,
    Fiche.modified,
    Fiche.related,
    Fiche.pivots,
    Fiche.content_hash,
    Fiche.html,
    Fiche.html_renderer,
)


#: built once: the statement's cache key is computed once, not on every page view
_PAGE_ROW = select(*PAGE_COLUMNS).where(Fiche.id == bindparam("fiche_id"))


def page_row(session: Session, fiche_id: str) -> Row[Any] | None:
    """A fiche as its page needs it, stored HTML included: one Core query (no ORM layer, the
    page builds no object from it)."""
    return session.connection().execute(_PAGE_ROW, {"fiche_id": fiche_id}).first()


# -- reading -----------------------------------------------------------------------------
def get(session: Session, fiche_id: str) -> Fiche | None:
    return session.get(Fiche, fiche_id)


def titles(session: Session, ids: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(ids))
    out: dict[str, str] = {}
    for chunk in _chunks(wanted):
        rows = session.execute(select(Fiche.id, Fiche.title).where(Fiche.id.in_(list(chunk))))
        out.update({fiche_id: title for fiche_id, title in rows})
    return out


def list_fiches(
    session: Session,
    *,
    source: str | None = None,
    kinds: Sequence[str] | None = None,
    audience: str | None = None,
    ids: Sequence[str] | None = None,
    limit: int | None = 100,
    offset: int = 0,
) -> list[Fiche]:
    query = select(Fiche).order_by(Fiche.id)
    if source:
        query = query.where(Fiche.source == source)
    if kinds:
        query = query.where(Fiche.kind.in_(list(kinds)))
    if ids is not None:
        query = query.where(Fiche.id.in_(list(ids)))
    if audience is None:
        query = query.offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return list(session.scalars(query))
    # audiences is a JSON list: filter in Python (portable across SQLite and PostgreSQL)
    found = [f for f in session.scalars(query) if audience in (f.audiences or [])]
    return found[offset : offset + limit if limit is not None else None]


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Fiche)) or 0


def count_kinds(session: Session, kinds: Iterable[str]) -> int:
    """How many fiches are of one of these kinds (one COUNT)."""
    stmt = select(func.count()).select_from(Fiche).where(Fiche.kind.in_(sorted(kinds)))
    return session.scalar(stmt) or 0


def counts(session: Session) -> dict[str, Counter[str]]:
    by_source: Counter[str] = Counter()
    by_type: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    by_audience: Counter[str] = Counter()
    rows = session.execute(select(Fiche.source, Fiche.kind, Fiche.type_label, Fiche.audiences))
    for source, kind, type_label, audiences in rows:
        by_source[source] += 1
        by_kind[kind] += 1
        by_type[type_label or kind] += 1
        for audience in audiences or []:
            by_audience[audience] += 1
    return {"source": by_source, "kind": by_kind, "type": by_type, "audience": by_audience}


def version_parts(session: Session) -> tuple[int, Any]:
    total, latest = session.execute(select(func.count(), func.max(Fiche.updated_at))).one()
    return int(total or 0), latest


# -- change reports ------------------------------------------------------------------------
#: the fiche fields a change report compares (the source body is left out: `text` is its
#: readable form); allo.kb.changes and the importer read them from here
FICHE_FIELDS = (
    "title",
    "description",
    "subject",
    "audiences",
    "text",
    "pivots",
    "contacts",
    "services",
    "references",
    "related",
    "breadcrumb",
    "modified",
    "url",
)


def fiche_states(session: Session, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The compared fields of stored fiches, before an import rewrites or withdraws them."""
    table = table_of(Fiche)
    columns = [table.c[name] for name in ("id", *FICHE_FIELDS)]
    out: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(sorted(set(ids))):
        for row in session.execute(select(*columns).where(table.c.id.in_(list(chunk)))):
            out[row.id] = dict(row._mapping)
    return out


def office_raw_rows(
    session: Session, ignored: frozenset[str]
) -> tuple[list[str], Iterable[Row[Any]]]:
    """Every office row of the directory (the columns outside `ignored`, JSON ones as their
    stored text): the change report compares them before and after an import."""
    from allo.directory.models import Office

    table = table_of(Office)
    columns = [c for c in table.c if c.name not in ignored]
    exprs = [cast(c, Text).label(c.name) if isinstance(c.type, JSON) else c for c in columns]
    return [c.name for c in columns], session.connection().execute(select(*exprs))


def insert_change_items(session: Session, rows: list[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        session.execute(insert(ChangeItem), list(chunk))


def change_reports(session: Session, *, limit: int, offset: int) -> list[ChangeReport]:
    query = (
        select(ChangeReport)
        .order_by(ChangeReport.created_at.desc(), ChangeReport.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query))


def change_report(session: Session, report_id: int) -> ChangeReport | None:
    return session.get(ChangeReport, report_id)


def change_items(
    session: Session,
    report_id: int,
    *,
    domain: str | None,
    action: str | None,
    unseen: bool,
    limit: int,
    offset: int,
) -> list[ChangeItem]:
    query = _item_filters(select(ChangeItem), report_id, domain, action, unseen)
    query = query.order_by(ChangeItem.domain, ChangeItem.object_id, ChangeItem.id)
    return list(session.scalars(query.limit(limit).offset(offset)))


def _item_filters(
    query: Any, report_id: int | None, domain: str | None, action: str | None, unseen: bool
) -> Any:
    """The change items' filters, shared by the listing and the count."""
    if report_id is not None:
        query = query.where(ChangeItem.report_id == report_id)
    if domain is not None:
        query = query.where(ChangeItem.domain == domain)
    if action is not None:
        query = query.where(ChangeItem.action == action)
    if unseen:
        query = query.where(ChangeItem.seen_at.is_(None))
    return query


def mark_change_items_seen(
    session: Session, ids: list[int], agent_id: int | None, at: datetime
) -> int:
    if not ids:
        return 0
    return rows_touched(
        session,
        update(ChangeItem)
        .where(ChangeItem.id.in_(ids), ChangeItem.seen_at.is_(None))
        .values(seen_at=at, seen_by=agent_id)
        .execution_options(synchronize_session=False),
    )


def latest_change_report(session: Session) -> ChangeReport | None:
    query = select(ChangeReport).order_by(ChangeReport.id.desc()).limit(1)
    return session.scalars(query).first()


@dataclass(frozen=True)
class ItemHead:
    """A change item without its diff: enough to rank and filter a whole report cheaply."""

    id: int
    report_id: int
    action: str
    object_id: str
    title: str
    theme: str
    audiences: list[str]
    seen: bool


def change_item_heads(
    session: Session, *, report_id: int | None = None, unseen: bool = False
) -> list[ItemHead]:
    """The fiche items of one report (or of every report), without their diffs."""
    query = select(
        ChangeItem.id,
        ChangeItem.report_id,
        ChangeItem.action,
        ChangeItem.object_id,
        ChangeItem.title,
        ChangeItem.theme,
        ChangeItem.audiences,
        ChangeItem.seen_at,
    ).where(ChangeItem.domain == "fiche")
    if report_id is not None:
        query = query.where(ChangeItem.report_id == report_id)
    if unseen:
        query = query.where(ChangeItem.seen_at.is_(None))
    return [
        ItemHead(r[0], r[1], r[2], r[3], r[4], r[5], list(r[6] or []), r[7] is not None)
        for r in session.execute(query.order_by(ChangeItem.object_id, ChangeItem.id))
    ]


def count_change_items(
    session: Session,
    *,
    report_id: int | None = None,
    domain: str | None = None,
    action: str | None = None,
    unseen: bool = False,
    object_ids: Iterable[str] | None = None,
) -> int:
    """How many items match (a COUNT in the database; `object_ids` is asked by chunks)."""
    query = _item_filters(
        select(func.count()).select_from(ChangeItem), report_id, domain, action, unseen
    )
    if object_ids is None:
        return int(session.scalar(query) or 0)
    wanted = sorted(set(object_ids))
    return sum(
        int(session.scalar(query.where(ChangeItem.object_id.in_(chunk))) or 0)
        for chunk in _chunks(wanted)
    )


def change_items_by_id(session: Session, ids: Sequence[int]) -> dict[int, ChangeItem]:
    out: dict[int, ChangeItem] = {}
    for chunk in _chunks(list(ids)):
        out.update(
            (i.id, i) for i in session.scalars(select(ChangeItem).where(ChangeItem.id.in_(chunk)))
        )
    return out


def change_item_ids(
    session: Session, report_id: int, ids: Sequence[int] | None = None
) -> list[int]:
    """Ids of a report's items (all of them, or those of `ids` that belong to it)."""
    query = select(ChangeItem.id).where(ChangeItem.report_id == report_id)
    if ids is None:
        return list(session.scalars(query))
    out: list[int] = []
    for chunk in _chunks(list(ids)):
        out += session.scalars(query.where(ChangeItem.id.in_(chunk)))
    return out


def fiche_pivots(session: Session, fiche_id: str) -> tuple[str, list[str]] | None:
    """(title, PivotLocal codes) of a fiche, or None if it does not exist."""
    row = session.execute(select(Fiche.title, Fiche.pivots).where(Fiche.id == fiche_id)).first()
    if row is None:
        return None
    return row[0], list(row[1] or [])
