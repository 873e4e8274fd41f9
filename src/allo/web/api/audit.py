"""The audit trail (administrators): who read or changed what, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from allo.contacts import repository as contacts_repository
from allo.contacts.models import Agent
from allo.privacy import audit
from allo.web.auth import require_role
from allo.web.deps import DbSession, RuntimeDep
from allo.web.security.ids import MAX_DB_ID

router = APIRouter(prefix="/api", tags=["journal d'audit"])


@router.get("/audit", summary="Journal d'audit (administrateur)")
def get_audit(
    session: DbSession,
    runtime: RuntimeDep,
    agent: Annotated[Agent, require_role("administrator")],
    agent_id: Annotated[int | None, Query(ge=1, le=MAX_DB_ID, description="Agent auteur.")] = None,
    action: Annotated[str | None, Query(max_length=32, description="read, update, purge…")] = None,
    object_type: Annotated[
        str | None, Query(max_length=32, description="contact, calendar…")
    ] = None,
    object_id: Annotated[
        str | None, Query(max_length=64, description="Identifiant de l'objet.")
    ] = None,
    since: Annotated[datetime | None, Query(description="À partir de (ISO 8601).")] = None,
    until: Annotated[datetime | None, Query(description="Avant (ISO 8601).")] = None,
    before_id: Annotated[
        int | None,
        Query(ge=1, le=MAX_DB_ID, description="Page suivante : entrées avant cet id."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=audit.MAX_LIMIT, description="Nombre d'entrées.")] = 100,
) -> dict[str, Any]:
    """Entrées les plus récentes d'abord ; aucune donnée personnelle n'y figure. Pour un contact
    (`object_type=contact&object_id=…`), `contact_steps` ajoute chaque étape du contact (prise,
    escalade, clôture…) avec son agent et son heure, telles que le circuit les enregistre."""
    entries = audit.list_entries(
        session,
        audit.AuditQuery(
            agent_id=agent_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            since=since,
            until=until,
            before_id=before_id,
            limit=limit,
        ),
    )
    audit.record_separately(runtime.sessions, agent_id=agent.id, action="read", object_type="audit")
    result: dict[str, Any] = {
        "entries": [audit.entry_as_dict(e) for e in entries],
        "next_before_id": entries[-1].id if len(entries) == limit else None,
    }
    if object_type == "contact" and object_id and object_id.isdigit() and len(object_id) < 10:
        result["contact_steps"] = contacts_repository.contact_steps(session, int(object_id))
    return result
