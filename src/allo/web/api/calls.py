"""Call events from the telephony platform over HTTP (a webhook, in the spirit of CTI status
callbacks): a call offered becomes a phone contact in the level-1 queue — or is refused with
the service's hours when the service is closed — and a call ended while it waits is abandoned.

The same steps as `allo.contacts.telephony.CallBridge.handle`, for a platform that reaches
Allo over HTTP (and for the day replay). The platform logs in with a service account of the
supervisor or administrator role.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from allo.contacts import repository as contacts_repo
from allo.contacts import services
from allo.contacts.models import Agent
from allo.errors import NotFound
from allo.web.auth import require_role
from allo.web.deps import DbSession, RuntimeDep
from allo.web.security.ids import MAX_DB_ID

router = APIRouter(prefix="/api", tags=["téléphonie"])

Platform = Annotated[Agent, require_role("supervisor", "administrator")]


class CallEventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["offered", "ended"] = Field(
        description="offered : un appel arrive ; ended : l'appel se termine (raccroché)."
    )
    call_id: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9._:-]+$",
        description="Identifiant opaque de l'appel sur la plateforme (jamais le numéro).",
    )
    cause: Literal["caller", "agent", "platform"] = Field(
        default="caller", description="Qui a mis fin à l'appel (ended)."
    )


class CallEventOut(BaseModel):
    contact_id: int = Field(ge=1, le=MAX_DB_ID, description="Le contact de l'appel.")
    state: str = Field(description="État du contact après l'événement.")
    abandoned: bool = Field(description="L'appelant a raccroché pendant l'attente.")


@router.post(
    "/calls",
    response_model=CallEventOut,
    summary="Événement d'appel de la plateforme téléphonique",
    responses={
        404: {"description": "Appel inconnu"},
        409: {"description": "Service fermé (message avec les horaires) ou appel déjà connu"},
    },
)
def call_event(
    body: CallEventIn, session: DbSession, runtime: RuntimeDep, _platform: Platform
) -> CallEventOut:
    if body.kind == "offered":
        contact = services.create_contact(
            session,
            channel="phone",
            call_id=body.call_id,
            tz=runtime.settings.zone,
        )
        services.record_call_event(session, contact, "offered")
        return CallEventOut(contact_id=contact.id, state=contact.state, abandoned=False)
    found = contacts_repo.contact_by_call(session, body.call_id, for_update=True)
    if found is None:
        raise NotFound("Appel inconnu.")
    abandoned = services.abandon(session, found, locked=True)
    if not abandoned:
        services.record_call_event(session, found, "ended", cause=body.cause)
    session.flush()
    return CallEventOut(contact_id=found.id, state=found.state, abandoned=abandoned)
