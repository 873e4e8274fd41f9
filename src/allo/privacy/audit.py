"""The audit log: who read or changed what, and when — identifiers only, never personal data.

`record()` is the one way in: it refuses anything that looks like free text (values must be
numbers, booleans or short identifiers), so a careless caller cannot leak a question or an email
into the trail. Entries are written in the caller's transaction: an action rolled back leaves
no trace, an action committed always has its entry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from allo.db.base import utcnow
from allo.db.session import unit_of_work
from allo.errors import InvalidInput
from allo.privacy.models import AuditEntry

#: Identifiers: letters, digits and a few separators, no spaces, no "@" (no email fits).
_IDENTIFIER = re.compile(r"^[A-Za-z0-9_.:/-]{1,64}$")
MAX_LIMIT = 1000


def _check_identifier(value: str, what: str) -> str:
    if not _IDENTIFIER.match(value):
        raise ValueError(f"audit {what} must be a short identifier, got {len(value)} chars")
    return value


def _check_value(value: object, key: str) -> object:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return _check_identifier(value, f"detail[{key!r}]")
    if isinstance(value, Sequence) and len(value) <= 50:
        return [_check_value(v, key) for v in value]
    raise ValueError(f"audit detail[{key!r}] must be an identifier, a number or a list of them")


def record(
    session: Session,
    *,
    agent_id: int | None,
    action: str,
    object_type: str,
    object_id: str | int | None = None,
    detail: Mapping[str, object] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Add one entry to the trail (in the caller's transaction; nothing is committed here)."""
    checked = {
        _check_identifier(str(k), "detail key"): _check_value(v, str(k))
        for k, v in (detail or {}).items()
    }
    entry = AuditEntry(
        at=at or utcnow(),
        agent_id=agent_id,
        action=_check_identifier(action, "action"),
        object_type=_check_identifier(object_type, "object type"),
        object_id=None if object_id is None else _check_identifier(str(object_id), "object id"),
        detail=checked,
    )
    session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditQuery:
    agent_id: int | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    #: entries with an id below this one (paging backwards from the newest)
    before_id: int | None = None
    limit: int = 100


def list_entries(session: Session, query: AuditQuery) -> list[AuditEntry]:
    """Newest first."""
    if not 1 <= query.limit <= MAX_LIMIT:
        raise InvalidInput(f"Le nombre d'entrées demandé doit être entre 1 et {MAX_LIMIT}.")
    if query.since and query.until and query.since > query.until:
        raise InvalidInput("La date de début doit précéder la date de fin.")
    stmt = select(AuditEntry)
    if query.agent_id is not None:
        stmt = stmt.where(AuditEntry.agent_id == query.agent_id)
    if query.action:
        stmt = stmt.where(AuditEntry.action == query.action)
    if query.object_type:
        stmt = stmt.where(AuditEntry.object_type == query.object_type)
    if query.object_id:
        stmt = stmt.where(AuditEntry.object_id == query.object_id)
    if query.since:
        stmt = stmt.where(AuditEntry.at >= query.since)
    if query.until:
        stmt = stmt.where(AuditEntry.at < query.until)
    if query.before_id is not None:
        stmt = stmt.where(AuditEntry.id < query.before_id)
    stmt = stmt.order_by(AuditEntry.id.desc()).limit(query.limit)
    return list(session.scalars(stmt))


def entry_as_dict(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "agent_id": entry.agent_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "detail": entry.detail,
    }


def record_separately(
    factory: sessionmaker[Session],
    *,
    agent_id: int | None,
    action: str,
    object_type: str,
    object_id: str | int | None = None,
    detail: Mapping[str, object] | None = None,
) -> None:
    """An entry in its own short write transaction: for reads, whose request session is
    read-only (on SQLite a read transaction must not turn into a writer)."""
    with unit_of_work(factory) as session:
        record(
            session,
            agent_id=agent_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            detail=detail,
        )
