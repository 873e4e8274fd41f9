"""Satisfaction: an anonymous rating after a contact, and the campaign view for supervisors."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from allo.contacts import messages, surveys
from allo.contacts import repository as contacts_repo
from allo.contacts.models import Agent
from allo.db.base import utcnow
from allo.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from allo.privacy import audit
from allo.stats.figures import parse_period
from allo.web.auth import OptionalAgent, require_role
from allo.web.deps import DbSession, RuntimeDep

router = APIRouter(prefix="/api", tags=["satisfaction"])

RATING_ROLES = ("advisor", "specialist", "supervisor", "administrator")


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
        le=2_147_483_647,
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
        404: {"description": "Lien ou contact introuvable"},
        409: {"description": "Contact non terminé ou déjà noté"},
        422: {"description": "Note hors de 1 à 5"},
    },
)
def post_survey(
    body: SurveyIn, session: DbSession, runtime: RuntimeDep, agent: OptionalAgent
) -> SurveyOut:
    if body.token is not None:
        _message, contact = messages.find(session, body.token)
    else:
        if agent is None:
            raise Unauthorized("Vous devez vous connecter pour noter un contact téléphonique.")
        if agent.role not in RATING_ROLES:
            raise Forbidden("Action réservée aux conseillers, spécialistes et superviseurs.")
        found = contacts_repo.contact(session, int(body.contact_id or 0))
        if found is None:
            raise NotFound(f"Contact n° {body.contact_id} introuvable.")
        contact = found
    surveys.submit(
        session,
        contact,
        rating=body.rating,
        comment=body.comment,
        tz=ZoneInfo(runtime.settings.timezone),
    )
    return SurveyOut(recorded=True, message="Merci pour votre avis !")


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
    tz = ZoneInfo(runtime.settings.timezone)
    today = utcnow().astimezone(tz).date()
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
