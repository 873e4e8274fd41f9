"""The written channel for citizens: send a question without an account, read the answer later."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Path, Request, status
from pydantic import BaseModel, ConfigDict, Field

from allo.contacts import messages
from allo.contacts.notifier import Notifier, SpoolNotifier
from allo.privacy import audit
from allo.runtime import Runtime
from allo.web.deps import DbSession, RuntimeDep
from allo.web.security.limits import check

router = APIRouter(prefix="/api", tags=["messages écrits"])


def private_link_base(runtime: Runtime) -> str:
    """Links in e-mails start with the configured public address, never the request's `Host`."""
    return runtime.settings.public_url + "/ma-question?jeton="


def notifier(runtime: Runtime) -> Notifier:
    return runtime.service(
        "notifier", lambda rt: SpoolNotifier(rt.settings.ensure_home() / "outbox")
    )


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(
        min_length=1,
        max_length=5000,
        description="Votre question. Les données personnelles (téléphone, courriel, numéros…) "
        "sont masquées avant l'enregistrement.",
    )
    commune: str | None = Field(
        default=None, max_length=5, description="Code INSEE de votre commune (facultatif)."
    )
    email: str | None = Field(
        default=None,
        max_length=254,
        description="Adresse pour être prévenu de la réponse (facultatif) ; conservée à part, "
        "seulement jusqu'à l'envoi de l'avis.",
    )


class MessageCreatedOut(BaseModel):
    reference: int = Field(
        description="Numéro de votre demande (à citer si vous appelez le service)."
    )
    token: str = Field(description="Jeton privé : seul moyen de lire la réponse. À conserver.")
    read_url: str = Field(description="Adresse privée de lecture de la réponse.")
    expires_at: datetime = Field(description="Fin de validité de l'adresse privée.")
    queued_until: datetime | None = Field(
        description="Si le service est fermé : sa prochaine ouverture (UTC), sinon null."
    )
    message: str = Field(description="Message de confirmation en français.")


class OrientationOut(BaseModel):
    label: str | None = Field(default=None, description="Organisme, site ou numéro conseillé.")
    url: str | None = Field(default=None, description="Site conseillé.")
    phone: str | None = Field(default=None, description="Numéro conseillé.")
    office_id: str | None = Field(default=None, description="Organisme de l'annuaire.")


class MessageOut(BaseModel):
    status: str = Field(description="waiting, taken, closed ou abandoned.")
    status_label: str = Field(description="État en français.")
    sent_at: datetime = Field(description="Envoi de la question.")
    expires_at: datetime = Field(description="Fin de validité de l'adresse privée.")
    question: str = Field(description="Votre question telle qu'enregistrée (données masquées).")
    purged: bool = Field(description="Le texte a été effacé (durée de conservation dépassée).")
    outcome: str | None = Field(description="answered (répondu) ou oriented (orienté).")
    answered_at: datetime | None = Field(description="Date de la réponse.")
    answer: str = Field(description="La réponse écrite du conseiller.")
    fiche_ids: list[str] = Field(description="Fiches de référence de la réponse.")
    orientation: OrientationOut | None = Field(description="Où vous adresser, si orienté.")
    transferred_to_specialist: bool = Field(description="Traité par un secteur spécialisé.")
    can_rate: bool = Field(description="Vous pouvez donner votre avis (POST /api/surveys).")


@router.post(
    "/messages",
    response_model=MessageCreatedOut,
    status_code=status.HTTP_201_CREATED,
    summary="Envoyer une question écrite (sans compte)",
    responses={429: {"description": "Trop de questions envoyées depuis cette adresse"}},
)
def post_message(
    body: MessageIn, request: Request, session: DbSession, runtime: RuntimeDep
) -> MessageCreatedOut:
    check(request, "questions")
    tz = runtime.settings.zone
    done = messages.submit(
        session,
        question=body.question,
        commune=body.commune,
        email=body.email,
        retention_days=runtime.settings.retention_days,
        tz=tz,
        notifier=notifier(runtime),
        link_base=private_link_base(runtime),
    )
    audit.record(
        session,
        agent_id=None,
        action="create",
        object_type="contact",
        object_id=done.contact.id,
        detail={"channel": "web"},
    )
    text = "Votre question a bien été reçue. Conservez l'adresse privée pour lire la réponse."
    if done.service_closed:
        text += " Le service est fermé : elle sera traitée dès sa réouverture."
    return MessageCreatedOut(
        reference=done.contact.id,
        token=done.token,
        read_url=f"/api/messages/{done.token}",
        expires_at=done.message.expires_at,
        queued_until=done.queued_until,
        message=text,
    )


@router.get(
    "/messages/{token}",
    response_model=MessageOut,
    summary="Lire la réponse à une question écrite",
    responses={404: {"description": "Lien introuvable ou expiré"}},
)
def get_message(
    session: DbSession,
    token: str = Path(max_length=128, description="Le jeton privé reçu à l'envoi."),
) -> MessageOut:
    message, contact = messages.find(session, token)
    return MessageOut.model_validate(messages.public_view(session, message, contact))
