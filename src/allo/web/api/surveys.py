"""Satisfaction: an anonymous rating after a contact, and the campaign view for supervisors."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from allo.contacts import messages, surveys
from allo.contacts import repository as contacts_repo
from allo.contacts.models import Agent
from allo.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from allo.privacy import audit
from allo.stats.figures import parse_period
from allo.web.auth import OptionalAgent, require_role
from allo.web.deps import DbSession, RuntimeDep
from allo.web.security.ids import MAX_DB_ID
from allo.web.security.limits import check

router = APIRouter(prefix="/api", tags=["satisfaction"])

RATING_ROLES = ("advisor", "specialist", "supervisor", "administrator")
#: roles of the telephony platform's account, which relays every call's end-of-call survey
RELAY_ROLES = ("supervisor", "administrator")


class SurveyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rating: int = Field(
        ge=1, le=5, description="Note de 1 (pas du tout satisfait) à 5 (très satisfait)."
    )
    comment: str = Field(
        default="", max_length=surveys.MAX_COMMENT, description="Commentaire (facultatif, masqué)."
    )
    token: str | None = Field(
        default=None, max_length=128, description="Jeton privé d'une question écrite (usager)."
    )
    contact_id: int | None = Field(
        default=None,
        ge=1,
        le=MAX_DB_ID,
        description="Contact téléphonique (enquête en fin d'appel relayée par un agent ou la téléphonie).",
    )

    @model_validator(mode="after")
    def _one_reference(self) -> SurveyIn:
        if (self.token is None) == (self.contact_id is None):
            raise ValueError("indiquez soit « token », soit « contact_id »")
        return self


class SurveyOut(BaseModel):
    recorded: bool = Field(description="Toujours vrai : l'avis est enregistré, anonymement.")
    message: str = Field(description="Remerciement en français.")


@router.post(
    "/surveys",
    response_model=SurveyOut,
    status_code=status.HTTP_201_CREATED,
    summary="Donner son avis après un contact (anonyme)",
    responses={
        401: {"description": "Note d'un appel sans être connecté"},
        403: {"description": "Contact que l'agent n'a pas traité, ou question écrite"},
        404: {"description": "Lien ou contact introuvable"},
        409: {"description": "Contact non terminé ou déjà noté"},
        422: {"description": "Note hors de 1 à 5"},
        429: {"description": "Trop d'avis envoyés depuis cette adresse"},
    },
)
def post_survey(
    body: SurveyIn,
    request: Request,
    session: DbSession,
    runtime: RuntimeDep,
    agent: OptionalAgent,
) -> SurveyOut:
    """Un usager note avec le jeton privé de sa question écrite ; un appel est noté par
    `contact_id`, relayé par la téléphonie (superviseur, administrateur) ou par un agent qui a
    lui-même traité l'appel."""
    if body.token is not None:
        check(request, "surveys")
        _message, contact = messages.find(session, body.token)
    else:
        if agent is None:
            raise Unauthorized("Vous devez vous connecter pour noter un contact téléphonique.")
        contact = _rateable_call(session, agent, int(body.contact_id or 0))
    surveys.submit(
        session,
        contact,
        rating=body.rating,
        comment=body.comment,
        tz=runtime.settings.zone,
    )
    return SurveyOut(recorded=True, message="Merci pour votre avis !")


def _rateable_call(session: DbSession, agent: Agent, contact_id: int) -> Any:
    """The call this agent may rate: the platform (supervision roles) relays any phone call's
    survey; an advisor or specialist only a call they handled. A written question is rated by
    its citizen only, with the private token."""
    if agent.role not in RATING_ROLES:
        raise Forbidden("Action réservée aux conseillers, spécialistes et superviseurs.")
    contact = contacts_repo.contact(session, contact_id)
    if contact is None:
        raise NotFound(f"Contact n° {contact_id} introuvable.")
    if contact.channel != "phone":
        raise Forbidden("Une question écrite est notée par l'usager, avec son lien privé.")
    if agent.role not in RELAY_ROLES and not contacts_repo.has_handled(
        session, contact.id, agent.id
    ):
        raise Forbidden("Vous ne pouvez noter qu'un appel que vous avez traité.")
    return contact


@router.get(
    "/surveys/campaign", summary="Enquête de satisfaction : résultats par secteur, canal et issue"
)
def get_campaign(
    session: DbSession,
    runtime: RuntimeDep,
    agent: Annotated[Agent, require_role("supervisor", "administrator")],
    from_: Annotated[
        str | None,
        Query(
            alias="from",
            max_length=10,
            description="Premier jour (AAAA-MM-JJ) ; par défaut il y a un an.",
        ),
    ] = None,
    to: Annotated[
        str | None,
        Query(max_length=10, description="Dernier jour (AAAA-MM-JJ) ; par défaut aujourd'hui."),
    ] = None,
    comments: Annotated[
        int, Query(ge=0, le=surveys.MAX_COMMENTS, description="Nombre de commentaires.")
    ] = 100,
) -> dict[str, Any]:
    tz = runtime.settings.zone
    today = runtime.settings.today()
    default_from = (today - timedelta(days=364)).isoformat()
    period = parse_period(from_ or default_from, to or today.isoformat(), tz, today)
    first = period.start.astimezone(tz).date()
    last = (period.end - timedelta(microseconds=1)).astimezone(tz).date()
    if len(period.label_from) != 10 or len(period.label_to) != 10:
        raise InvalidInput("L'enquête se consulte par jours entiers (AAAA-MM-JJ).")
    result = surveys.campaign(session, first, last, comments_limit=comments)
    audit.record_separately(
        runtime.sessions, agent_id=agent.id, action="read", object_type="survey"
    )
    return result
